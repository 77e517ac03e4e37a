package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
)

// TestCompareNothingWording: when no computed CSV has a committed
// counterpart (the smoke preset), `all` says that nothing was compared,
// not "verified: 0 of n", and does not fail; one counterpart gives a
// verdict again (negative control).
func TestCompareNothingWording(t *testing.T) {
	root, ref := t.TempDir(), t.TempDir()
	runs := []allRun{{csv: "phase/smoke-clean.csv"}, {csv: "tau/smoke.csv"}}
	for _, r := range runs {
		p := filepath.Join(root, r.csv)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	}
	var w bytes.Buffer
	if err := compareRuns(&w, runs, nil, root, ref); err != nil {
		t.Fatalf("compareRuns with no counterparts: %v, want nil", err)
	}
	out := w.String()
	if strings.Contains(out, "verified: 0") || !strings.Contains(out, "nothing compared") || !strings.Contains(out, "none of the 2 CSV files") {
		t.Errorf("compareRuns with no counterparts printed:\n%s\nwant \"nothing compared: none of the 2 CSV files …\" and no \"verified: 0\"", out)
	}
	// Control: with one counterpart the verdict line is back.
	p := filepath.Join(ref, "tau/smoke.csv")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	w.Reset()
	if err := compareRuns(&w, runs, nil, root, ref); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), "verified: 1 of 2 CSV files") || strings.Contains(w.String(), "nothing compared") {
		t.Errorf("compareRuns with one counterpart printed:\n%s", w.String())
	}
}

// TestListFlagsDistinct: a repeated value in a grid list (-c 1,1, -n 2,2,
// -taus 0,0) is a *FlagError naming the flag and the value; distinct
// values parse (negative control).
func TestListFlagsDistinct(t *testing.T) {
	for _, tc := range []struct{ cmd, flag, val string }{
		{"phase", "c", "1,1"}, {"phase", "n", "2,4,2"}, {"tau", "taus", "0,0.5,0.50"}, {"mnist", "noise", "1,1"},
	} {
		_, _, _, _, err := parseExperiment(tc.cmd, []string{"-preset", "smoke", "-" + tc.flag, tc.val}, noEnv)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != tc.flag || fe.Value != tc.val || !strings.Contains(fe.Reason, "twice") {
			t.Errorf("%s -%s %s: err = %v, want a *FlagError on -%s saying the value appears twice", tc.cmd, tc.flag, tc.val, err, tc.flag)
		}
	}
	if _, _, _, _, err := parseExperiment("phase", []string{"-preset", "smoke", "-c", "1,2", "-n", "2,4"}, noEnv); err != nil {
		t.Errorf("phase -c 1,2 -n 2,4: %v, want nil", err)
	}
}

// TestAllResumesScratch: `all` without -results resumes the last
// unfinished scratch run (its finished cells are kept) and says how to
// resume if interrupted; -fresh starts a new directory; a finished run
// removes the stale scratch directories of its preset but never one that
// another run holds.
func TestAllResumesScratch(t *testing.T) {
	t.Chdir(t.TempDir())
	env := func(k string) string {
		if k == "VITADV_MNIST_DIR" {
			return "nonexistent-mnist"
		}
		return ""
	}
	old := filepath.Join(scratchRoot, "smoke-old")
	// An interrupted run: one cell of the first experiment, no report.
	vitadv(t, env, "phase", "-preset", "smoke", "-tau", "0", "-results", old, "-max-cells", "1")
	out := vitadv(t, env, "all", "-preset", "smoke", "-compare", "")
	if !strings.Contains(out, "resuming the unfinished smoke run in "+old) || !strings.Contains(out, "(1 resumed,") {
		t.Errorf("all after an interrupted run did not resume %s:\n%s", old, out)
	}
	if !strings.Contains(out, "`go run ./cmd/vitadv all -preset smoke` resumes this run") {
		t.Errorf("all does not say how to resume:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(old, completeMarker)); err != nil {
		t.Errorf("the resumed run is not marked complete: %v", err)
	}

	// Another run holds smoke-busy; -fresh starts a new directory, and at
	// its end smoke-old (finished) goes, smoke-busy stays.
	busy := filepath.Join(scratchRoot, "smoke-busy")
	os.MkdirAll(busy, 0o755)
	lk, err := sweep.Lock(filepath.Join(busy, scratchLockBase))
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	out = vitadv(t, env, "all", "-preset", "smoke", "-compare", "", "-fresh")
	if strings.Contains(out, "resuming") || !strings.Contains(out, "from scratch into "+filepath.Join(scratchRoot, "smoke-")) {
		t.Errorf("all -fresh did not start a new directory:\n%s", out)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the stale finished run %s was not removed (err %v):\n%s", old, err, out)
	}
	if _, err := os.Stat(busy); err != nil {
		t.Errorf("the run held by another process was removed: %v", err)
	}
	if !strings.Contains(out, "removed 1 stale scratch directory: "+old) {
		t.Errorf("all does not name the directory it removed:\n%s", out)
	}
	// A finished run is not resumed: the next run starts afresh.
	out = vitadv(t, env, "all", "-preset", "smoke", "-compare", "")
	if strings.Contains(out, "resuming") {
		t.Errorf("all resumed a finished run:\n%s", out)
	}
}

// TestLabelNamesTheFile: with -out, the progress label (the job name)
// names the file written, so that the variants of `all` (ci-d256-clean,
// ci-long, …) are not labelled as the preset's default file; without
// -out it is the default file's name (control).
func TestLabelNamesTheFile(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"phase", "-tau", "0", "-out", "x/phase/ci-d256-clean"}, "phase ci-d256-clean"},
		{[]string{"tau", "-out", "x/tau/ci-long.csv"}, "tau ci-long"},
		{[]string{"phase", "-tau", "0"}, "phase ci-clean"},
		{[]string{"tau"}, "tau ci"},
	} {
		spec, _, _, _, err := parseExperiment(tc.args[0], append([]string{"-preset", "ci"}, tc.args[1:]...), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if spec.job.Name != tc.want {
			t.Errorf("%v: label %q, want %q", tc.args, spec.job.Name, tc.want)
		}
	}
}
