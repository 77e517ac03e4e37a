package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/modroot"
	"vitadv/report"
)

// TestRootFromSubdirectory: without -repo, claims finds the module root
// above the working directory and writes there; in a directory outside
// any vitadv module it fails with *modroot.Error (not "open README.md")
// and writes nothing.
func TestRootFromSubdirectory(t *testing.T) {
	repo := t.TempDir()
	os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module vitadv\n\ngo 1.26.0\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "theorems"), 0o755)
	os.MkdirAll(filepath.Join(repo, "results", "tau"), 0o755)
	os.WriteFile(filepath.Join(repo, report.ReadmePath), []byte(report.ClaimsBegin+"\n"+report.ClaimsEnd+"\n"+report.ByScaleBegin+"\n"+report.ByScaleEnd+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, report.StatementsPath), []byte(report.StatusBegin+"\n"+report.StatusEnd+"\n"+report.StepBegin+"\n"+report.StepEnd+"\n"), 0o644)
	t.Chdir(filepath.Join(repo, "results", "tau"))
	var b bytes.Buffer
	if err := run(&b, nil); err != nil {
		t.Fatalf("claims from results/tau of a checkout: %v", err)
	}
	if strings.Count(b.String(), "wrote") != 3 {
		t.Errorf("claims from a subdirectory: %q, want three files written at the root", b.String())
	}
	if _, err := os.Stat(filepath.Join(repo, "results", "REPORT.md")); err != nil {
		t.Errorf("claims from a subdirectory did not write the root's results/REPORT.md: %v", err)
	}
	if _, err := os.Stat("results"); !os.IsNotExist(err) {
		t.Errorf("claims from a subdirectory created a stray results/ there")
	}

	empty := t.TempDir()
	t.Chdir(empty)
	err := run(&b, nil)
	var me *modroot.Error
	if !errors.As(err, &me) {
		t.Errorf("claims in an empty directory: err = %v, want a *modroot.Error", err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("claims in an empty directory wrote %d entries", len(ents))
	}
}
