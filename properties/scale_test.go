package properties

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"vitadv/theorems"
)

// TestFindingsByScale: each recorded finding is replayed only at the scale
// it was found at, by name: the d = 256 Thm 4.2(ii) counterexample (once
// recorded as "paper") is mid's, and the paper scale's (d = 1024) is the
// one file of the paper-scale batch, at theorems.Paper().
func TestFindingsByScale(t *testing.T) {
	all, err := loadRecorded()
	if err != nil {
		t.Fatal(err)
	}
	names := func(rs []recorded) (out []string) {
		for _, r := range rs {
			out = append(out, r.File)
		}
		return out
	}
	mid := findingsAt(all, "Thm4.2(ii)", theorems.Mid())
	if len(mid) != 1 || mid[0].File != "Thm42ii-c2=6_log2N=5_seed=3_tau20=9-mid.json" || mid[0].Scale != theorems.Mid() {
		t.Errorf("Thm4.2(ii) findings at mid = %v, want the d = 256 file at theorems.Mid()", names(mid))
	}
	if got := findingsAt(all, "Thm4.2(ii)", theorems.Paper()); len(got) != 1 || got[0].File != "Thm42ii-c2=6_log2N=5_seed=1_tau20=7-paper.json" || got[0].Scale != theorems.Paper() {
		t.Errorf("Thm4.2(ii) findings at paper (d = 1024) = %v, want the d = 1024 file at theorems.Paper()", names(got))
	}
	// Negative control: the tiny finding is tiny's, not mid's.
	tiny := findingsAt(all, "Thm4.2(ii)", theorems.Tiny())
	if len(tiny) != 1 || tiny[0].File != "Thm42ii-c2=6_log2N=3_seed=1_tau20=12.json" {
		t.Errorf("Thm4.2(ii) findings at tiny = %v, want the one tiny file at η = 0.1", names(tiny))
	}
	// The same point found inside THEORY's step-size hypothesis replays
	// only at that step (VITADV_STEP_FRAC=0.9), and not at η = 0.1.
	inside := theorems.Tiny()
	inside.StepFrac = 0.9
	if got := findingsAt(all, "Thm4.2(ii)", inside); len(got) != 1 || got[0].File != "Thm42ii-c2=6_log2N=3_seed=1_tau20=12-stepfrac0.9.json" || got[0].Kind != finding {
		t.Errorf("Thm4.2(ii) findings at tiny, step-frac 0.9 = %v, want the one file found inside the hypotheses, listed as a finding", names(got))
	}
}

// TestScaleEnv: VITADV_SCALE selects a scale by name; a name that is not a
// scale is refused — by theorems.ScaleFromEnv with a *theorems.ScaleError,
// and by this package's TestMain, which exits before any test runs (checked
// by rerunning this test binary under the bad name).
func TestScaleEnv(t *testing.T) {
	for _, sc := range theorems.Scales() {
		t.Setenv("VITADV_SCALE", sc.Name)
		got, err := theorems.ScaleFromEnv()
		if err != nil || got != sc {
			t.Errorf("VITADV_SCALE=%s: %+v, %v; want %+v", sc.Name, got, err, sc)
		}
	}
	t.Setenv("VITADV_SCALE", "")
	if got, err := theorems.ScaleFromEnv(); err != nil || got != theorems.Tiny() {
		t.Errorf("VITADV_SCALE unset: %+v, %v; want tiny", got, err)
	}
	for _, bad := range []string{"bogus", "Paper", "paper ", "d256"} {
		t.Setenv("VITADV_SCALE", bad)
		var se *theorems.ScaleError
		if _, err := theorems.ScaleFromEnv(); !errors.As(err, &se) || se.Name != bad {
			t.Errorf("VITADV_SCALE=%q: err = %v, want *theorems.ScaleError", bad, err)
		}
	}
	// VITADV_STEP_FRAC sets the scale's step (cmd/hunt -step-frac); a value
	// outside [0, 1] or not a number is refused naming the variable.
	t.Setenv("VITADV_SCALE", "ci")
	for _, c := range []struct {
		env  string
		want float64
		ok   bool
	}{{"0.9", 0.9, true}, {"1", 1, true}, {"0", 0, true}, {"", 0, true}, {"1.5", 0, false}, {"-0.1", 0, false}, {"NaN", 0, false}, {"x", 0, false}} {
		t.Setenv("VITADV_STEP_FRAC", c.env)
		got, err := theorems.ScaleFromEnv()
		want := theorems.CI()
		want.StepFrac = c.want
		if c.ok && (err != nil || got != want) {
			t.Errorf("VITADV_STEP_FRAC=%q: %+v, %v; want %+v", c.env, got, err, want)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "VITADV_STEP_FRAC")) {
			t.Errorf("VITADV_STEP_FRAC=%q: err = %v, want an error naming the variable", c.env, err)
		}
	}
	t.Setenv("VITADV_STEP_FRAC", "")
	t.Setenv("VITADV_SCALE", "")
	if testing.Short() {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	// The subprocess would run nothing (-test.run=^$) if TestMain let it
	// through: exit 0. Refused, it exits 2 naming the value.
	for _, c := range []struct {
		env  string
		fail bool
	}{{"bogus", true}, {"mid", false}} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "VITADV_SCALE="+c.env)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case c.fail && !(errors.As(err, &ee) && ee.ExitCode() == 2 && strings.Contains(stderr.String(), `unknown scale "bogus"`)):
			t.Errorf("VITADV_SCALE=%s: err = %v, stderr %q; want exit 2 naming the value", c.env, err, stderr.String())
		case !c.fail && err != nil:
			t.Errorf("VITADV_SCALE=%s (negative control): err = %v, stderr %q; want a clean run of no tests", c.env, err, stderr.String())
		}
	}
}
