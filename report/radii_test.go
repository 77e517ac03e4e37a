package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
)

// writeRadiiFile writes <dir>/cell-<i>.csv with the columns of the tau
// sweep's radius files, in the order named by cols.
func writeRadiiFile(t *testing.T, dir string, i int, cols [2]string, rc, ra []float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "point,y,%s,%s\n", cols[0], cols[1])
	for p := range rc {
		fmt.Fprintf(&b, "%d,1,%g,%g\n", p, rc[p], ra[p])
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("cell-%d.csv", i)), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRadiusTallies: the ratios radius_cert ÷ radius_attack of two cells
// by hand — 0.2, 0.4, 0.5, 0.6, 0.8 (median 0.5, quartiles 0.4 and 0.6 by
// linear interpolation), one unbroken point (+Inf) and one at radius 0
// counted apart. Controls: the same files with the two radius columns
// swapped in the header are refused (a certified radius above the attack
// radius) and a file without the columns is refused.
func TestRadiusTallies(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ci.radii")
	cols := [2]string{"radius_cert", "radius_attack"}
	writeRadiiFile(t, good, 0, cols, []float64{0.2, 2, 0.3}, []float64{1, 5, math.Inf(1)})
	writeRadiiFile(t, good, 1, cols, []float64{3, 0.8, 0, 0.5}, []float64{5, 1, 0, 1})
	var ts radiusTallies
	if err := ts.add(good, "tau/ci", "ci", "frobenius"); err != nil {
		t.Fatal(err)
	}
	r := ts.order[0]
	if len(r.ratios) != 5 || r.unbroken != 1 || r.zero != 1 {
		t.Fatalf("%d ratios, %d unbroken, %d zero; want 5, 1, 1", len(r.ratios), r.unbroken, r.zero)
	}
	var sb strings.Builder
	ts.write(&sb)
	if want := "| ci | frobenius | 5 | 0.500 | [0.400, 0.600] | 1 | 1 | `tau/ci` |"; !strings.Contains(sb.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, sb.String())
	}
	if err := ts.add(filepath.Join(dir, "none.radii"), "tau/none", "ci", "frobenius"); err != nil || len(ts.order[0].files) != 1 {
		t.Errorf("a missing radius directory: err %v, files %v; want nothing added", err, ts.order[0].files)
	}

	swapped := filepath.Join(dir, "swapped.radii")
	writeRadiiFile(t, swapped, 0, [2]string{"radius_attack", "radius_cert"}, []float64{0.2, 2}, []float64{1, 5})
	var re *RadiusError
	if err := new(radiusTallies).add(swapped, "tau/s", "ci", "frobenius"); !errors.As(err, &re) || !strings.Contains(re.Reason, "above radius_attack") {
		t.Errorf("control: swapped columns gave %v, want a *RadiusError (certified radius above the attack radius)", err)
	}
	bad := filepath.Join(dir, "bad.radii")
	writeRadiiFile(t, bad, 0, [2]string{"radius_cert", "other"}, []float64{0.2}, []float64{1})
	if err := new(radiusTallies).add(bad, "tau/b", "ci", "frobenius"); !errors.As(err, &re) {
		t.Errorf("control: no radius_attack column gave %v, want a *RadiusError", err)
	}
}

// TestBracketProtocol: the one rule on the sidecar, and its agreement
// with the CSV's eval_cascade, cert_joint and cert_deep columns. Controls: each disagreement and a
// sidecar "eval" that is not a protocol are *ProtocolError.
func TestBracketProtocol(t *testing.T) {
	with := &sweep.Table{Header: []string{"tau_over_mu", "eval_cascade"}, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 1}}}
	without := &sweep.Table{Header: []string{"tau_over_mu"}, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}}}
	half := &sweep.Table{Header: []string{"tau_over_mu", "eval_cascade"}, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 0}}}
	casc := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"apgd_steps":50,"cascade":true}`)}
	cheap := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"apgd_steps":50}`)}
	noSig := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"apgd_steps":50,"cascade":true,"no_signals":true}`)}
	pgdOnly := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"pgd_only":true}`)}
	jointCasc := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"apgd_steps":50,"cascade":true,"joint":true}`)}
	withJoint := &sweep.Table{Header: []string{"tau_over_mu", "eval_cascade", "cert_joint"}, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 1}, "cert_joint": {1, 1}}}
	halfJoint := &sweep.Table{Header: []string{"tau_over_mu", "eval_cascade", "cert_joint"}, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 1}, "cert_joint": {0, 1}}}
	deepJoint := sweep.Meta{Eval: []byte(`{"pgd_steps":10,"pgd_restarts":1,"apgd_steps":50,"cascade":true,"joint":true,"deep_nodes":4096}`)}
	deepCols := []string{"tau_over_mu", "eval_cascade", "cert_joint", "cert_deep"}
	withDeep := &sweep.Table{Header: deepCols, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 1}, "cert_joint": {1, 1}, "cert_deep": {4096, 4096}}}
	otherDeep := &sweep.Table{Header: deepCols, Rows: 2, Cols: map[string][]float64{"tau_over_mu": {0, 0.1}, "eval_cascade": {1, 1}, "cert_joint": {1, 1}, "cert_deep": {4096, 64}}}
	for _, c := range []struct {
		name string
		meta sweep.Meta
		t    *sweep.Table
		want string // "" for a *ProtocolError
	}{
		{"cascade", casc, with, protoCascade},
		{"cheap", cheap, without, protoCheap},
		{"signal-free cascade", noSig, with, protoNoSignals},
		{"PGD alone", pgdOnly, without, protoCheap},
		{"signal-free sidecar, no column", noSig, without, ""},
		{"unrecorded", sweep.Meta{}, without, protoUnrecord},
		{"sidecar cascade, no column", casc, without, ""},
		{"column, sidecar cheap", cheap, with, ""},
		{"column, no sidecar eval", sweep.Meta{}, with, ""},
		{"a row without the cascade", casc, half, ""},
		{"eval not a protocol", sweep.Meta{Eval: []byte(`{"cascade":"yes"}`)}, without, ""},
		{"eval with an unknown field", sweep.Meta{Eval: []byte(`{"cascades":true}`)}, without, ""},
		{"cascade, joint certificate", jointCasc, withJoint, protoCascade + "; " + protoJoint},
		{"sidecar joint, no column", jointCasc, with, ""},
		{"column cert_joint, sidecar interval", casc, withJoint, ""},
		{"a row without the joint certificate", jointCasc, halfJoint, ""},
		{"cascade, joint certificate, deep", deepJoint, withDeep, protoCascade + "; " + protoJoint + "; deep branch-and-bound (4096 nodes)"},
		{"sidecar deep, no column", deepJoint, withJoint, ""},
		{"column cert_deep, sidecar not deep", jointCasc, withDeep, ""},
		{"a row with another deep budget", deepJoint, otherDeep, ""},
	} {
		got, err := bracketProtocol("x.csv", c.meta, c.t)
		var pe *ProtocolError
		if c.want == "" {
			if !errors.As(err, &pe) {
				t.Errorf("%s: got %q, %v; want a *ProtocolError", c.name, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

// TestProtocolCost: the section from a two-budget benchmark file (medians
// over two runs of one sub-benchmark), the same with the joint
// certificate's results (a third column group), and a root without the
// file (no section). Controls: a line without the lb metric, a cheap
// budget without its cascade and a budget without its cascade-joint result
// (when others have one) are errors.
func TestProtocolCost(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bench"), 0o755); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := writeProtocolCost(&sb, root); err != nil || sb.Len() != 0 {
		t.Fatalf("no file: %v, %q; want nothing", err, sb.String())
	}
	path := filepath.Join(root, ProtocolCostFile)
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`command: go test -bench EvalProtocol
goos: linux
BenchmarkEvalProtocol/tau=0.1/protocol=cheap-2   	1	100 ns/op	0.002 cpu-s/point	0.001 s/point	0 lb	0.9 ub	10 B/op	1 allocs/op
BenchmarkEvalProtocol/tau=0.1/protocol=cascade-2 	1	100 ns/op	0.02 cpu-s/point	0.01 s/point	0 lb	0.9 ub
BenchmarkEvalProtocol/tau=0.4/protocol=cheap-2   	1	100 ns/op	0.002 cpu-s/point	0.001 s/point	0.9 lb	1 ub
BenchmarkEvalProtocol/tau=0.4/protocol=cheap-2   	1	100 ns/op	0.004 cpu-s/point	0.001 s/point	0.9 lb	1 ub
BenchmarkEvalProtocol/tau=0.4/protocol=cascade-2 	1	100 ns/op	0.006 cpu-s/point	0.003 s/point	1 lb	1 ub
PASS
`)
	if err := writeProtocolCost(&sb, root); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 0.1 | 0.002 | 0.02 | 10.0× | [0.000, 0.900] | [0.000, 0.900] |",
		"| 0.4 | 0.003 | 0.006 | 2.0× | [0.900, 1.000] | [1.000, 1.000] |",
		"| mean over these budgets | 0.0025 | 0.013 | 5.2× | | |",
		"(`go test -bench EvalProtocol`)",
	} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("section lacks %q:\n%s", want, sb.String())
		}
	}
	if strings.Contains(sb.String(), "joint certificate: CPU") {
		t.Errorf("a file without cascade-joint results has the joint column:\n%s", sb.String())
	}
	// With the joint certificate's results: a third column group.
	jointFile := `BenchmarkEvalProtocol/tau=0.1/protocol=cheap-2   	1	100 ns/op	0.002 cpu-s/point	0 lb	0.9 ub
BenchmarkEvalProtocol/tau=0.1/protocol=cascade-2 	1	100 ns/op	0.02 cpu-s/point	0 lb	0.9 ub
BenchmarkEvalProtocol/tau=0.1/protocol=cascade-joint-2 	1	100 ns/op	0.008 cpu-s/point	0 lb	0 ub
BenchmarkEvalProtocol/tau=0.4/protocol=cheap-2   	1	100 ns/op	0.002 cpu-s/point	0.9 lb	1 ub
BenchmarkEvalProtocol/tau=0.4/protocol=cascade-2 	1	100 ns/op	0.006 cpu-s/point	1 lb	1 ub
`
	write(jointFile + "BenchmarkEvalProtocol/tau=0.4/protocol=cascade-joint-2 	1	100 ns/op	0.004 cpu-s/point	1 lb	1 ub\n")
	sb.Reset()
	if err := writeProtocolCost(&sb, root); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 0.1 | 0.002 | 0.02 | 10.0× | [0.000, 0.900] | [0.000, 0.900] | 0.008 | 4.0× | [0.000, 0.000] |",
		"| mean over these budgets | 0.002 | 0.013 | 6.5× | | | 0.006 | 3.0× | |",
	} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("section with the joint certificate lacks %q:\n%s", want, sb.String())
		}
	}
	write(jointFile)
	if err := writeProtocolCost(io.Discard, root); err == nil {
		t.Errorf("control: a budget without its cascade-joint result (others have one) gave no error")
	}
	write("BenchmarkEvalProtocol/tau=0.1/protocol=cheap-2 1 100 ns/op 0.002 cpu-s/point 0.9 ub\n")
	if err := writeProtocolCost(io.Discard, root); err == nil {
		t.Errorf("control: a line without lb gave no error")
	}
	write("BenchmarkEvalProtocol/tau=0.1/protocol=cheap-2 1 100 ns/op 0.002 cpu-s/point 0 lb 0.9 ub\n")
	if err := writeProtocolCost(io.Discard, root); err == nil {
		t.Errorf("control: a cheap result without its cascade gave no error")
	}
}
