package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultOutIsScratch: without -out, calibrate writes under the
// git-ignored results/tmp/calibrate, never into the committed
// results/calibrate (negative control: -out results/calibrate writes
// there, so the check sees such a write).
func TestDefaultOutIsScratch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few tiny models")
	}
	t.Chdir(t.TempDir())
	args := []string{"-n", "4,16", "-jlo", "-4", "-jhi", "4", "-seeds", "2", "-skip-tau", "-boot", "20", "-workers", "1"}
	if err := run(&bytes.Buffer{}, args); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("results", "calibrate")); !os.IsNotExist(err) {
		t.Errorf("calibrate without -out wrote into results/calibrate (stat err %v)", err)
	}
	if _, err := os.Stat(filepath.Join("results", "tmp", "calibrate", "calibrate.txt")); err != nil {
		t.Errorf("calibrate without -out: %v, want results/tmp/calibrate/calibrate.txt", err)
	}
	if err := run(&bytes.Buffer{}, append(args, "-out", filepath.Join("results", "calibrate"))); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("results", "calibrate", "calibrate.txt")); err != nil {
		t.Errorf("calibrate -out results/calibrate: %v", err)
	}
}
