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
		vitadv(t, noEnv, "tau", "-preset", "smoke", "-eval-cascade="+strconvBool(on), "-cert-joint=false", "-figures=false", "-results", root)
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
	vitadv(t, noEnv, "tau", "-preset", "smoke", "-eval-cascade=false", "-cert-joint=false", "-out", out, "-figures=false", "-max-cells", "1")
	before := readFile(t, out+".csv")
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"tau", "-preset", "smoke", "-out", out, "-figures=false", "-eval-cascade", "-cert-joint=false"}, noEnv)
	if err == nil {
		t.Fatalf("a run begun without the cascade resumed with it")
	}
	if after, _ := os.ReadFile(out + ".csv"); !bytes.Equal(before, after) {
		t.Errorf("the refused resume changed the file")
	}
}

// TestCertJoint: -cert-joint (on by default in the smoke preset) puts the
// column cert_joint = 1 in every row, records "joint": true in the
// sidecar's "eval", and REPORT names the file's brackets "cascade; joint
// certificate"; with -cert-joint=false (the control) there is no such
// column, no "joint" in the sidecar, and REPORT says "cascade". A run
// begun with the interval bound alone does not resume with the joint
// bounds (the header differs), so a file never mixes the two
// certificates.
func TestCertJoint(t *testing.T) {
	for _, on := range []bool{true, false} {
		root := t.TempDir()
		args := []string{"tau", "-preset", "smoke", "-figures=false", "-results", root}
		if !on {
			args = append(args, "-cert-joint=false")
		}
		vitadv(t, noEnv, args...)
		csv := filepath.Join(root, "tau", "smoke.csv")
		tab, err := sweep.ReadTable(csv)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Has("cert_joint") != on {
			t.Fatalf("joint %v: column cert_joint present = %v", on, tab.Has("cert_joint"))
		}
		for i, v := range tab.Col("cert_joint") {
			if v != 1 {
				t.Errorf("row %d: cert_joint = %g, want 1", i, v)
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
		if p.Joint != on || !p.Cascade {
			t.Errorf("joint %v: sidecar eval = %+v", on, p)
		}
		vitadv(t, noEnv, "report", "-results", root)
		want := "`tau/smoke` (cascade)"
		if on {
			want = "`tau/smoke` (cascade; joint certificate)"
		}
		if rep := string(readFile(t, filepath.Join(root, "REPORT.md"))); !strings.Contains(rep, want) {
			t.Errorf("joint %v: REPORT lacks %q", on, want)
		}
	}

	out := filepath.Join(t.TempDir(), "x")
	vitadv(t, noEnv, "tau", "-preset", "smoke", "-cert-joint=false", "-out", out, "-figures=false", "-max-cells", "1")
	before := readFile(t, out+".csv")
	if err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"tau", "-preset", "smoke", "-out", out, "-figures=false"}, noEnv); err == nil {
		t.Fatalf("a run begun with the interval bound alone resumed with the joint bounds")
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
