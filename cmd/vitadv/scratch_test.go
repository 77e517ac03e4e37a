package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
)

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
