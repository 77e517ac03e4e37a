package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
