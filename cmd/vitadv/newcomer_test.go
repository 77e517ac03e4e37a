package main

import (
	"bytes"
	"errors"
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
