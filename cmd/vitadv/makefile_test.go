package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGo stands in for the go command in the Makefile's recipes: `go run
// ./cmd/vitadv all … -results DIR` writes two CSVs and their sidecars
// into DIR and then fails if $FAKE_FAIL is 1 (a run killed half-way);
// `go run ./cmd/vitadv list …` prints those two CSVs (the registry the
// recipes read); every call is logged to $FAKE_LOG.
const fakeGo = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
results="" prev=""
for a in "$@"; do [ "$prev" = "-results" ] && results=$a; prev=$a; done
case " $* " in
*" list "*)
  echo phase/ci-clean.csv
  echo tau/ci.csv
  exit 0 ;;
*" all "*)
  for f in phase/ci-clean tau/ci; do
    mkdir -p "$results/$(dirname $f)"
    echo new > "$results/$f.csv"
    echo "{\"command\": \"vitadv x -results $results\"}" > "$results/$f.json"
  done
  [ "$FAKE_FAIL" = 1 ] && exit 1
  exit 0 ;;
esac
exit 0
`

// TestMakeResultsAndCheckAreAtomic runs the Makefile's results and check
// targets with a fake go command: a failed `make results` leaves the
// committed CSVs as they were and no scratch directory, a successful one
// replaces them (sidecars naming results, not the scratch path) and
// rebuilds the report, and one that reproduces them leaves them (and their
// sidecars) alone; a failed `make check` removes its temporary directory. Skipped without make and bash.
func TestMakeResultsAndCheckAreAtomic(t *testing.T) {
	for _, tool := range []string{"make", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s on PATH", tool)
		}
	}
	mk, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), mk, 0o644)
	fake := filepath.Join(dir, "fakego")
	os.WriteFile(fake, []byte(fakeGo), 0o755)
	for _, f := range []string{"phase/ci-clean.csv", "tau/ci.csv"} {
		p := filepath.Join(dir, "results", f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("committed\n"), 0o644)
	}
	tmpdir := t.TempDir()
	logf := filepath.Join(dir, "calls.log")
	makeRun := func(target, fail string) error {
		cmd := exec.Command("make", "-s", target, "GO="+fake)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "FAKE_FAIL="+fail, "FAKE_LOG="+logf, "TMPDIR="+tmpdir)
		out, err := cmd.CombinedOutput()
		t.Logf("make %s (FAKE_FAIL=%s): %v\n%s", target, fail, err, out)
		return err
	}
	read := func(f string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "results", f))
		return string(b)
	}
	scratch := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "results", "tmp", "*"))
		return m
	}

	if err := makeRun("results", "1"); err == nil {
		t.Errorf("make results with a failing run: exit 0")
	}
	for _, f := range []string{"phase/ci-clean.csv", "tau/ci.csv"} {
		if got := read(f); got != "committed\n" {
			t.Errorf("after a failed make results, results/%s = %q, want the committed file untouched", f, got)
		}
	}
	if s := scratch(); len(s) != 0 {
		t.Errorf("a failed make results left %v", s)
	}

	if err := makeRun("results", "0"); err != nil {
		t.Fatalf("make results with a succeeding run: %v", err)
	}
	if got := read("tau/ci.csv"); got != "new\n" {
		t.Errorf("after make results, results/tau/ci.csv = %q, want the new file", got)
	}
	if got := read("tau/ci.json"); !strings.Contains(got, "-results results\"") {
		t.Errorf("after make results, results/tau/ci.json = %q, want the command with -results results", got)
	}
	if s := scratch(); len(s) != 0 {
		t.Errorf("make results left %v", s)
	}
	calls, _ := os.ReadFile(logf)
	if !strings.Contains(string(calls), "report -results results") {
		t.Errorf("make results did not rebuild the report over results/; calls:\n%s", calls)
	}

	// A rerun that reproduces every CSV byte for byte changes nothing: the
	// committed sidecar (here a marker) is kept.
	os.WriteFile(filepath.Join(dir, "results", "tau", "ci.json"), []byte("marker\n"), 0o644)
	if err := makeRun("results", "0"); err != nil {
		t.Fatalf("make results, reproducing: %v", err)
	}
	if got := read("tau/ci.json"); got != "marker\n" {
		t.Errorf("make results rewrote the sidecar of a reproduced CSV: %q", got)
	}

	if err := makeRun("check", "1"); err == nil {
		t.Errorf("make check with a failing run: exit 0")
	}
	if ents, _ := os.ReadDir(tmpdir); len(ents) != 0 {
		t.Errorf("a failed make check left %d entries in $TMPDIR (%s…)", len(ents), ents[0].Name())
	}
}
