package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmallRun runs a 2×5 phase grid with two seeds and a two-point τ sweep
// at the tiny scale and checks that every output is written and the fitted
// constants carry intervals.
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains ~30 small models")
	}
	dir := t.TempDir()
	var b bytes.Buffer
	args := []string{"-n", "4,16", "-jlo", "-4", "-jhi", "4", "-seeds", "2", "-dh", "8,16", "-tau-seeds", "1", "-tau-n", "4", "-tau-c", "4", "-boot", "50", "-workers", "1", "-out", dir}
	if err := run(&b, args); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"calibrate.txt", "phase.csv", "collapse.csv", "constants.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("output %s: %v", f, err)
		}
	}
	txt, _ := os.ReadFile(filepath.Join(dir, "calibrate.txt"))
	for _, want := range []string{"command: go run ./cmd/calibrate", "BenchmarkPhase/N=4/", "BenchmarkCalibrated/name=C_b", "lo95"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("calibrate.txt lacks %q", want)
		}
	}
	if !strings.Contains(b.String(), "C_b") {
		t.Errorf("stdout = %q, want the C_b line", b.String())
	}
}
