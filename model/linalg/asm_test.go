package linalg

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var wideReg = regexp.MustCompile(`\b[YZ]([0-9]|[12][0-9]|3[01])\b`)

// vzeroupperViolations returns, for the Go assembly src, every function
// (TEXT symbol) that uses a ymm or zmm register and has a RET not directly
// preceded by VZEROUPPER (comments and labels skipped). Without it, legacy
// SSE code that runs next (Go's runtime, math) pays the AVX–SSE transition
// penalty on Intel CPUs.
func vzeroupperViolations(src string) []string {
	var bad []string
	var name string
	var wide, missing bool
	var prev string
	flush := func() {
		if name != "" && wide && missing {
			bad = append(bad, name)
		}
	}
	for _, line := range strings.Split(src, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasSuffix(line, ":") || strings.HasPrefix(line, "#") {
			continue
		}
		op := strings.Fields(line)[0]
		if op == "TEXT" {
			flush()
			name, wide, missing, prev = strings.Fields(line)[1], false, false, ""
			continue
		}
		if wideReg.MatchString(line) {
			wide = true
		}
		if op == "RET" && prev != "VZEROUPPER" {
			missing = true
		}
		prev = op
	}
	flush()
	return bad
}

// TestVZEROUPPER checks every .s file of the package.
func TestVZEROUPPER(t *testing.T) {
	files, err := filepath.Glob("*.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly files found (%v)", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bad := vzeroupperViolations(string(src)); len(bad) > 0 {
			t.Errorf("%s: RET without VZEROUPPER after ymm/zmm use in %v", f, bad)
		}
	}
}

// TestVZEROUPPERControl: the checker flags a function that returns on one
// path without VZEROUPPER, and passes one that only uses xmm registers.
func TestVZEROUPPERControl(t *testing.T) {
	src := `
TEXT ·bad(SB), NOSPLIT, $0-8
	VXORPD Y0, Y0, Y0
	JZ done
	VZEROUPPER
	RET
done: // a second exit
	RET

TEXT ·xmmOnly(SB), NOSPLIT, $0-8
	VADDSD X1, X0, X0
	RET
`
	bad := vzeroupperViolations(src)
	if len(bad) != 1 || bad[0] != "·bad(SB)," {
		t.Errorf("violations = %q, want [·bad(SB),]", bad)
	}
}
