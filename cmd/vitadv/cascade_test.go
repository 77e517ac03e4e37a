package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/cell"
	"vitadv/sweep"
)

// TestEvalCascade: -eval-cascade puts the column eval_cascade = 1 in every
// row, records "cascade": true in the sidecar's "eval", and REPORT names
// the file's brackets "cascade"; without it (-eval-cascade=false, the
// control) the CSV has no such column, the sidecar's "eval" has no
// cascade, and REPORT says "no cascade". A run begun without the cascade
// does not resume with it (the header differs), so a file never mixes
// the two protocols.
func TestEvalCascade(t *testing.T) {
	for _, on := range []bool{true, false} {
		root := t.TempDir()
		vitadv(t, noEnv, "tau", "-preset", "smoke", "-eval-cascade="+strconvBool(on), "-figures=false", "-results", root)
		csv := filepath.Join(root, "tau", "smoke.csv")
		tab, err := sweep.ReadTable(csv)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Has("eval_cascade") != on {
			t.Fatalf("cascade %v: column eval_cascade present = %v", on, tab.Has("eval_cascade"))
		}
		for i, v := range tab.Col("eval_cascade") {
			if v != 1 {
				t.Errorf("row %d: eval_cascade = %g, want 1", i, v)
			}
		}
		meta, err := sweep.ReadMeta(csv)
		if err != nil {
			t.Fatal(err)
		}
		var p cell.Protocol
		if err := json.Unmarshal(meta.Eval, &p); err != nil {
			t.Fatalf("sidecar eval %s: %v", meta.Eval, err)
		}
		if p.Cascade != on || p.PGDSteps == 0 {
			t.Errorf("cascade %v: sidecar eval = %+v", on, p)
		}
		vitadv(t, noEnv, "report", "-results", root)
		want := "`tau/smoke` (no cascade)"
		if on {
			want = "`tau/smoke` (cascade)"
		}
		if rep := string(readFile(t, filepath.Join(root, "REPORT.md"))); !strings.Contains(rep, want) {
			t.Errorf("cascade %v: REPORT lacks %q", on, want)
		}
	}

	out := filepath.Join(t.TempDir(), "x")
	vitadv(t, noEnv, "tau", "-preset", "smoke", "-eval-cascade=false", "-out", out, "-figures=false", "-max-cells", "1")
	before := readFile(t, out+".csv")
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"tau", "-preset", "smoke", "-out", out, "-figures=false", "-eval-cascade"}, noEnv)
	if err == nil {
		t.Fatalf("a run begun without the cascade resumed with it")
	}
	if after, _ := os.ReadFile(out + ".csv"); !bytes.Equal(before, after) {
		t.Errorf("the refused resume changed the file")
	}
}

func strconvBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
