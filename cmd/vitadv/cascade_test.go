package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
		p, rep := smokeTauWith(t, "eval_cascade", on, "-eval-cascade="+strconvBool(on), "-cert-joint=false")
		if p.Cascade != on || p.PGDSteps == 0 {
			t.Errorf("cascade %v: sidecar eval = %+v", on, p)
		}
		want := "`tau/smoke` (no cascade)"
		if on {
			want = "`tau/smoke` (cascade)"
		}
		if !strings.Contains(rep, want) {
			t.Errorf("cascade %v: REPORT lacks %q", on, want)
		}
	}
	requireNoResume(t, []string{"-eval-cascade=false", "-cert-joint=false"}, []string{"-eval-cascade", "-cert-joint=false"})
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
		p, rep := smokeTauWith(t, "cert_joint", on, "-cert-joint="+strconvBool(on))
		if p.Joint != on || !p.Cascade {
			t.Errorf("joint %v: sidecar eval = %+v", on, p)
		}
		want := "`tau/smoke` (cascade)"
		if on {
			want = "`tau/smoke` (cascade; joint certificate)"
		}
		if !strings.Contains(rep, want) {
			t.Errorf("joint %v: REPORT lacks %q", on, want)
		}
	}
	requireNoResume(t, []string{"-cert-joint=false"}, nil)
}

// TestCertDeep: -cert-deep 4096 puts the column cert_deep = 4096 in every
// row, records "deep_nodes": 4096 in the sidecar's "eval", and REPORT
// names the file's brackets "cascade; joint certificate; deep
// branch-and-bound (4096 nodes)"; without it (-cert-deep 0, the control)
// there is no such column and no "deep_nodes". A run begun without the
// deep stage does not resume with it (the header differs). A negative
// budget is a flag error naming cert-deep.
func TestCertDeep(t *testing.T) {
	for _, n := range []int{4096, 0} {
		p, rep := smokeTauValue(t, "cert_deep", float64(n), "-cert-deep", strconv.Itoa(n))
		if p.DeepNodes != n || !p.Joint || !p.Cascade {
			t.Errorf("deep %d: sidecar eval = %+v", n, p)
		}
		want := "`tau/smoke` (cascade; joint certificate)"
		if n > 0 {
			want = "`tau/smoke` (cascade; joint certificate; deep branch-and-bound (4096 nodes))"
		}
		if !strings.Contains(rep, want) {
			t.Errorf("deep %d: REPORT lacks %q", n, want)
		}
	}
	requireNoResume(t, nil, []string{"-cert-deep", "4096"})
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"tau", "-preset", "smoke", "-cert-deep", "-1", "-out", filepath.Join(t.TempDir(), "x")}, noEnv)
	if err == nil || !strings.Contains(err.Error(), "cert-deep") {
		t.Errorf("-cert-deep -1: err = %v, want an error naming cert-deep", err)
	}
}

// smokeTauWith runs the smoke τ sweep with flags into a fresh results
// root, fails t unless the CSV has the flag column col (1 in every row)
// exactly when on, and returns the protocol its sidecar records and the
// REPORT made from the root.
func smokeTauWith(t *testing.T, col string, on bool, flags ...string) (cell.Protocol, string) {
	t.Helper()
	want := 0.0
	if on {
		want = 1
	}
	return smokeTauValue(t, col, want, flags...)
}

// smokeTauValue is smokeTauWith for a column of any value: the CSV must
// have col, with want in every row, exactly when want ≠ 0.
func smokeTauValue(t *testing.T, col string, want float64, flags ...string) (cell.Protocol, string) {
	t.Helper()
	on := want != 0
	root := t.TempDir()
	vitadv(t, noEnv, append([]string{"tau", "-preset", "smoke", "-figures=false", "-results", root}, flags...)...)
	csv := filepath.Join(root, "tau", "smoke.csv")
	tab, err := sweep.ReadTable(csv)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Has(col) != on {
		t.Fatalf("%v: column %s present = %v", flags, col, tab.Has(col))
	}
	for i, v := range tab.Col(col) {
		if v != want {
			t.Errorf("row %d: %s = %g, want %g", i, col, v, want)
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
	vitadv(t, noEnv, "report", "-results", root)
	return p, string(readFile(t, filepath.Join(root, "REPORT.md")))
}

// requireNoResume fails t unless a smoke τ sweep begun with the flags
// first (one cell) refuses to resume with the flags then, leaving the file
// as it was.
func requireNoResume(t *testing.T, first, then []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "x")
	base := []string{"tau", "-preset", "smoke", "-out", out, "-figures=false"}
	vitadv(t, noEnv, slices.Concat(base, first, []string{"-max-cells", "1"})...)
	before := readFile(t, out+".csv")
	if err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, slices.Concat(base, then), noEnv); err == nil {
		t.Fatalf("a run begun with %v resumed with %v", first, then)
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
