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
