package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/experiment"
)

// TestCPUProfile: -cpuprofile writes a gzip-compressed pprof profile of
// an experiment and of all; it is left out of the command the sidecar
// records (it does not change the results); a path that cannot be created
// is a *FlagError naming the flag, raised before any cell runs (no CSV).
func TestCPUProfile(t *testing.T) {
	preset := string(experiment.Presets()[0]) // the smallest
	root := t.TempDir()
	prof := filepath.Join(root, "phase.prof")
	vitadv(t, noEnv, "phase", "-preset", preset, "-results", root, "-figures=false", "-cpuprofile", prof)
	b := readFile(t, prof)
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile %s: %d bytes, not gzip (pprof) data", prof, len(b))
	}
	metas, _ := filepath.Glob(filepath.Join(root, "phase", "*.json"))
	if len(metas) != 1 {
		t.Fatalf("want one sidecar, got %v", metas)
	}
	if m := string(readFile(t, metas[0])); strings.Contains(m, "cpuprofile") || !strings.Contains(m, "vitadv phase") {
		t.Errorf("sidecar records the profile flag or no command:\n%s", m)
	}
	allProf := filepath.Join(root, "all.prof")
	vitadv(t, noEnv, "all", "-preset", preset, "-results", filepath.Join(root, "all"), "-compare", "", "-cpuprofile", allProf)
	if b := readFile(t, allProf); len(b) < 2 || b[0] != 0x1f {
		t.Errorf("all -cpuprofile: %d bytes, not a profile", len(b))
	}

	bad := filepath.Join(root, "no", "such", "dir", "x.prof")
	out := filepath.Join(root, "bad", "run")
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"phase", "-preset", preset, "-out", out, "-figures=false", "-cpuprofile", bad}, noEnv)
	var fe *FlagError
	if !errors.As(err, &fe) || fe.Flag != "cpuprofile" {
		t.Fatalf("bad -cpuprofile path: err = %v, want a *FlagError for -cpuprofile", err)
	}
	if _, err := os.Stat(out + ".csv"); !os.IsNotExist(err) {
		t.Errorf("a run with a bad -cpuprofile path wrote %s.csv", out)
	}
}
