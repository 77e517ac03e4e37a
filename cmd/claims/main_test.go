package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/report"
)

// TestRun: on a repository with the marker comments and no results, claims
// writes the three files once, then reports them current; stray arguments
// and missing markers are errors.
func TestRun(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "theorems"), 0o755)
	os.MkdirAll(filepath.Join(repo, "results"), 0o755)
	os.WriteFile(filepath.Join(repo, report.ReadmePath), []byte(report.ClaimsBegin+"\n"+report.ClaimsEnd+"\n"+report.ByScaleBegin+"\n"+report.ByScaleEnd+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, report.StatementsPath), []byte(report.StatusBegin+"\n"+report.StatusEnd+"\n"+report.StepBegin+"\n"+report.StepEnd+"\n"), 0o644)
	var b bytes.Buffer
	if err := run(&b, []string{"-repo", repo}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "wrote") != 3 {
		t.Errorf("first run: %q, want three files written", b.String())
	}
	readme, _ := os.ReadFile(filepath.Join(repo, report.ReadmePath))
	if !strings.Contains(string(readme), "| claim | rule") {
		t.Errorf("README block not generated:\n%s", readme)
	}
	if !strings.Contains(string(readme), "| claim | tiny (d = 64) | ci (d = 128) | mid (d = 256) | paper (d = 1024) |") {
		t.Errorf("README by-scale block not generated:\n%s", readme)
	}
	b.Reset()
	if err := run(&b, []string{"-repo", repo}); err != nil || !strings.Contains(b.String(), "current") {
		t.Errorf("second run: %q (err %v), want every table current", b.String(), err)
	}
	if err := run(&b, []string{"-repo", repo, "extra"}); err == nil {
		t.Error("stray argument: no error")
	}
	os.WriteFile(filepath.Join(repo, report.ReadmePath), []byte("no markers\n"), 0o644)
	if err := run(&b, []string{"-repo", repo}); err == nil || !strings.Contains(err.Error(), "markers") {
		t.Errorf("README without markers: err = %v, want a markers error", err)
	}
	os.WriteFile(filepath.Join(repo, report.ReadmePath), []byte(report.ClaimsBegin+"\n"+report.ClaimsEnd+"\n"), 0o644)
	if err := run(&b, []string{"-repo", repo}); err == nil || !strings.Contains(err.Error(), "byscale") {
		t.Errorf("README without the by-scale markers: err = %v, want a markers error naming them", err)
	}
}
