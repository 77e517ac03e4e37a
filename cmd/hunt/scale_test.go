package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/valid"
	"vitadv/theorems"
)

// midCE is the committed d = 256 counterexample (recorded as "paper" before
// the scales were named by size, renamed to mid).
const midCE = "Thm42ii-c2=6_log2N=5_seed=3_tau20=9-mid.json"

// withScale writes the committed file name with its scale replaced by sc
// and returns the path.
func withScale(t *testing.T, name string, sc theorems.Scale) string {
	t.Helper()
	m := committedCE(t, name)
	b, _ := json.Marshal(sc)
	var s map[string]any
	json.Unmarshal(b, &s)
	m["scale"] = s
	out, _ := json.Marshal(m)
	path := filepath.Join(t.TempDir(), "ce.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReplayScales: the renamed d = 256 file validates as mid; a file
// written before the rename (named "paper", mid's sizes) still validates
// and is read as mid; a "paper" file with the paper scale's sizes
// (d = 1024) validates as paper; sizes that are not their name's are
// refused, naming the scale (no replay starts: only the validation runs).
func TestReplayScales(t *testing.T) {
	ce, _, err := loadCE(filepath.Join("..", "..", "results", "hunt", midCE))
	if err != nil || ce.Scale != theorems.Mid() {
		t.Fatalf("committed %s: scale %+v, err %v; want theorems.Mid()", midCE, ce.Scale, err)
	}
	old := theorems.Mid()
	old.Name = "paper"
	for _, c := range []struct {
		name string
		sc   theorems.Scale
		want theorems.Scale // zero: refused
	}{
		{"old paper at d=256", old, theorems.Mid()},
		{"paper at d=1024", theorems.Paper(), theorems.Paper()},
		{"mid", theorems.Mid(), theorems.Mid()},
		{"ci", theorems.CI(), theorems.CI()},
		{"mid with paper sizes", func() theorems.Scale { s := theorems.Paper(); s.Name = "mid"; return s }(), theorems.Scale{}},
		{"paper with tiny sizes", func() theorems.Scale { s := theorems.Tiny(); s.Name = "paper"; return s }(), theorems.Scale{}},
		{"old paper, d=256 but M=16", func() theorems.Scale { s := old; s.M = 16; return s }(), theorems.Scale{}},
		{"unknown name", func() theorems.Scale { s := theorems.Mid(); s.Name = "d256"; return s }(), theorems.Scale{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := withScale(t, midCE, c.sc)
			ce, _, err := loadCE(path)
			if c.want == (theorems.Scale{}) {
				var ve *valid.Error
				if !errors.As(err, &ve) || !strings.HasPrefix(ve.Field, "scale") || !strings.Contains(err.Error(), path) {
					t.Errorf("err = %v, want a *valid.Error on the scale naming %s", err, path)
				}
				return
			}
			if err != nil || ce.Scale != c.want {
				t.Errorf("loadCE: scale %+v, err %v; want %+v", ce.Scale, err, c.want)
			}
		})
	}
}

// TestCommittedNames: every committed counterexample file is named by
// fileName from its own statement, point, relaxed flag and scale (the d =
// 256 one ends in -mid), and SUMMARY.txt is what updateSummary writes from
// them.
func TestCommittedNames(t *testing.T) {
	dir := filepath.Join("..", "..", "results", "hunt")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("no committed counterexample files")
	}
	tmp := t.TempDir()
	for _, f := range files {
		ce, _, err := loadCE(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if want := fileName(ce.Statement, ce.Point, ce.Relaxed, ce.Scale); filepath.Base(f) != want {
			t.Errorf("%s: fileName gives %s", filepath.Base(f), want)
		}
		if !strings.HasSuffix(ce.Replay, "results/hunt/"+filepath.Base(f)) {
			t.Errorf("%s: replay command %q names another file", filepath.Base(f), ce.Replay)
		}
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(tmp, filepath.Base(f)), b, 0o644)
	}
	if err := updateSummary(tmp); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(tmp, "SUMMARY.txt"))
	got, err := os.ReadFile(filepath.Join(dir, "SUMMARY.txt"))
	if err != nil || string(got) != string(want) {
		t.Errorf("results/hunt/SUMMARY.txt is not what updateSummary writes from the committed files (err %v):\n%s", err, want)
	}
	// Negative control: the name of a d = 256 file under its old scale
	// name is not the committed one.
	if got := fileName("Thm4.2(ii)", theorems.Point{"c2": 6, "log2N": 5, "seed": 3, "tau20": 9}, false, theorems.Paper()); got == midCE {
		t.Errorf("fileName at paper = %s, the mid file's name", got)
	}
}
