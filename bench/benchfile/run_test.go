package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestClass(t *testing.T) {
	for _, tc := range []struct{ cpu, path, want string }{
		{"AMD EPYC 9B14", "asm-avx2-4x12+vec-avx2", "amd-epyc-9b14-asm-avx2-4x12-vec-avx2"},
		{"Oxide Virtual Turin-like Processor             ", "asm-avx512-8x16+vec-avx512", "oxide-virtual-turin-like-processor-asm-avx512-8x16-vec-avx512"},
		{"Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "purego-2x4+vec-go", "intel-r-xeon-r-platinum-8375c-cpu-2-90ghz-purego-2x4-vec-go"},
		{"  /etc/../x ", "a", "etc-x-a"}, // no separator or dot survives: the class is one file name
	} {
		if got := Class(tc.cpu, tc.path); got != tc.want {
			t.Errorf("Class(%q, %q) = %q, want %q", tc.cpu, tc.path, got, tc.want)
		}
	}
}

// benchLines is the body of a go test -bench result on CPU class cpu/path:
// six samples of one benchmark at ns ns/op (±1%).
func benchLines(cpu, path string, ns float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "linalg: %s\ngoos: linux\ngoarch: amd64\npkg: vitadv/bench\ncpu: %s\n", path, cpu)
	for _, d := range []float64{-1, 0.5, 0, 1, -0.5, 0.2} {
		fmt.Fprintf(&b, "BenchmarkGemm/op=NN/m=320-2 \t 10\t %.0f ns/op\t 0 allocs/op\n", ns*(1+d/100))
	}
	b.WriteString("PASS\nok  \tvitadv/bench\t1.0s\n")
	return b.String()
}

// writeRun writes a result file as `make bench` does: header, then the
// benchmark output, then the closing load average line.
func writeRun(t *testing.T, name, commit, load, body string) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeHeader(&b, "make bench LINALG=default", commit, load, 2, "go1.26.8"); err != nil {
		t.Fatal(err)
	}
	b.WriteString(body)
	fmt.Fprintf(&b, "# loadavg %s (at the end)\n", load)
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// benchstat runs the module's benchstat (go tool benchstat) on files.
func benchstat(t *testing.T, files ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"tool", "benchstat"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool benchstat: %v\n%s", err, out)
	}
	return string(out)
}

// compares reports whether benchstat's output has a delta column with a
// p-value for six samples on each side (the smallest p of the U test at
// n = 6 is 0.002).
func compares(out string) bool {
	return strings.Contains(out, "vs base") && strings.Contains(out, "-50.00% (p=0.002 n=6)")
}

// TestTwoRunsCompare: two result files of the same CPU class, taken at
// different commits and loads, compare in one benchstat table with a delta
// and a p-value; and `find` picks the baseline of that class. Negative
// control: the same runs with the old configuration-key headers (commit:,
// loadavg:) print no delta column, so the check can fail.
func TestTwoRunsCompare(t *testing.T) {
	const cpu, path = "AMD EPYC", "asm-avx2-4x12+vec-avx2"
	base := writeRun(t, "base.txt", "078e380", "0.52 0.40 0.31", benchLines(cpu, path, 2e7))
	next := writeRun(t, "new.txt", "1a2b3c4-dirty", "3.10 2.00 1.20", benchLines(cpu, path, 1e7))
	if out := benchstat(t, base, next); !compares(out) {
		t.Fatalf("benchstat did not compare the two runs:\n%s", out)
	}

	oldStyle := func(name, commit, load string, ns float64) string {
		f := filepath.Join(t.TempDir(), name)
		body := fmt.Sprintf("commit: %s\nloadavg: %s\n%s", commit, load, benchLines(cpu, path, ns))
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if out := benchstat(t, oldStyle("base.txt", "a", "0.5", 2e7), oldStyle("new.txt", "b", "3.1", 1e7)); compares(out) {
		t.Fatalf("negative control: configuration keys that differ still compared:\n%s", out)
	}

	dir := t.TempDir()
	want := filepath.Join(dir, "baseline-amd-epyc-asm-avx2-4x12-vec-avx2.txt")
	var buf bytes.Buffer
	err := run(&buf, []string{"find", "-dir", dir, next})
	var nb *NoBaselineError
	if !errors.As(err, &nb) || nb.Want != want {
		t.Fatalf("find without a baseline: %v, want a *NoBaselineError for %s", err, want)
	}
	if err := os.WriteFile(want, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := run(&buf, []string{"find", "-dir", dir, next}); err != nil || strings.TrimSpace(buf.String()) != want {
		t.Fatalf("find = %q, %v; want %s", buf.String(), err, want)
	}
}

// TestBadInput: every mistake is a typed error that names what was wrong.
func TestBadInput(t *testing.T) {
	noLinalg := filepath.Join(t.TempDir(), "x.txt")
	if err := os.WriteFile(noLinalg, []byte("cpu: AMD EPYC\nBenchmarkX 1 1 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ce *ClassError
	if err := run(&bytes.Buffer{}, []string{"baseline", noLinalg}); !errors.As(err, &ce) || ce.Missing != "linalg:" {
		t.Errorf("file without linalg: line: %v, want *ClassError naming linalg:", err)
	}
	var ue *UsageError
	for _, args := range [][]string{nil, {"frobnicate"}, {"baseline"}, {"header", "extra"}, {"find", "-nope", "f"}} {
		if err := run(&bytes.Buffer{}, args); !errors.As(err, &ue) {
			t.Errorf("run(%q) = %v, want *UsageError", args, err)
		}
	}
	if err := run(&bytes.Buffer{}, []string{"baseline", filepath.Join(t.TempDir(), "missing.txt")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want not-exist", err)
	}
}
