package cell_test

import (
	"context"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/vit"
)

var jointMeasure = flag.String("joint-measure", "", "retrain cells of a committed τ sweep and measure the certificate with the joint bounds (issue 18): file:cell,cell,… relative to results/tau, e.g. paper-eta0.01-dh64:4,5 (minutes per paper-size cell)")

// TestJointMeasure (opt-in, -joint-measure file:cells) retrains the given
// cells of a committed τ sweep (Frobenius ball) from the Spec their CSV
// row gives, checks that the cell's evaluation reproduces the committed
// robust_err_lb and robust_err_ub (the Spec is the committed cell's), then
// certifies the same test points with the joint bounds on
// (certify.Certifier.SetJoint(true): what -cert-joint would commit) at
// the cell's τ and at half of it, and logs the upper ends
// with their time. Measured numbers are in results/bench/README.md.
//
//	go test ./model/cell -run TestJointMeasure -joint-measure paper-eta0.01-dh64:4,5 -v -timeout 60m
func TestJointMeasure(t *testing.T) {
	if *jointMeasure == "" {
		t.Skip("measurement; run with -joint-measure file:cells")
	}
	file, cells, ok := strings.Cut(*jointMeasure, ":")
	if !ok {
		t.Fatalf("-joint-measure %q: want file:cell,cell,…", *jointMeasure)
	}
	rows := readCSV(t, filepath.Join("..", "..", "results", "tau", file+".csv"))
	for _, cs := range strings.Split(cells, ",") {
		idx, err := strconv.Atoi(cs)
		if err != nil || idx < 0 || idx+1 >= len(rows) {
			t.Fatalf("-joint-measure: cell %q not in %s (%d rows)", cs, file, len(rows)-1)
		}
		spec, f := specFromRow(t, rows, idx)
		start := time.Now()
		r, ev := retrainCell(t, spec, f, idx, "robust_err_lb", "robust_err_ub")
		trainEval := time.Since(start)
		c, err := certify.New(r.Model, spec.Data.M)
		if err != nil {
			t.Fatal(err)
		}
		c.SetJoint(true)
		interval, err := certify.New(r.Model, spec.Data.M)
		if err != nil {
			t.Fatal(err)
		}
		interval.SetJoint(false)
		for _, frac := range []float64{1, 0.5} {
			tau := frac * spec.Tau
			iv, err := interval.Evaluate(r.Test, cell.Frobenius, tau)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			jv, err := c.Evaluate(r.Test, cell.Frobenius, tau)
			if err != nil {
				t.Fatal(err)
			}
			jt := time.Since(start)
			if jv.ErrUB > iv.ErrUB {
				t.Errorf("cell %d τ = %g: joint upper end %g above the interval bound's %g (the joint bounds take the larger margin)", idx, tau, jv.ErrUB, iv.ErrUB)
			}
			t.Logf("%s cell %d (τ_train/‖μ‖ = %g): at τ = %g·τ_train robust_err_ub interval %.3f → joint %.3f (lb %.3f at τ_train); joint certificate %v for %d points (training + evaluation %v)",
				file, idx, f("tau_over_mu"), frac, iv.ErrUB, jv.ErrUB, ev.Robust.Error, jt.Round(time.Millisecond), r.Test.N, trainEval.Round(time.Second))
		}
	}
}

// specFromRow returns the Spec of cell idx of a committed τ-sweep file
// (rows: header first) — data, model, optimizer, flow time, training
// attack and evaluation protocol (the cascade and the joint certificate
// when its eval_cascade and cert_joint columns say so) — and a reader of the row's numeric columns (0 for a
// column the file does not have). The cell must be a Frobenius one.
func specFromRow(t *testing.T, rows [][]string, idx int) (cell.Spec, func(string) float64) {
	t.Helper()
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	row := rows[1+idx]
	f := func(name string) float64 {
		j, ok := col[name]
		if !ok {
			return 0 // a column the file does not have (flow_time, eval_cascade)
		}
		v, err := strconv.ParseFloat(row[j], 64)
		if err != nil {
			t.Fatalf("cell %d column %s: %v", idx, name, err)
		}
		return v
	}
	seed, err := strconv.ParseUint(row[col["seed"]], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if f("set_id") != 0 {
		t.Fatalf("cell %d: set_id %g, want 0 (Frobenius)", idx, f("set_id"))
	}
	return cell.Spec{
		Data: data.Config{D: int(f("d")), M: int(f("m")), N: int(f("n")), NTest: int(f("n_test")), MuNorm: f("mu"),
			Sigma2: f("sigma2"), SigmaW: f("sigma_w"), Project: f("project") == 1},
		Arch:     vit.Arch{D: int(f("d")), Dh: int(f("dh")), Dv: int(f("dv"))},
		Init:     vit.Init{Law: vit.Gaussian, Shrink: f("init_shrink")},
		Train:    cell.Optimizer{Eta: f("eta"), MaxSteps: int(f("max_steps")), Target: f("target")},
		FlowTime: f("flow_time"),
		Tau:      f("tau"), Set: cell.Frobenius, PGDSteps: int(f("pgd_steps")), Seed: seed,
		Eval: cell.Protocol{PGDSteps: int(f("eval_steps")), PGDRestarts: int(f("eval_restarts")), APGDSteps: int(f("apgd_steps")),
			Cascade: f("eval_cascade") == 1, Joint: f("cert_joint") == 1},
		AllowNonFinite: true,
	}, f
}

// retrainCell trains spec (a committed cell, specFromRow), evaluates it
// under its protocol and fails t unless each column of cols (as
// robust_err_lb, robust_err_ub) comes out as committed (6 digits, as the
// files write them): the Spec is then the committed cell's.
func retrainCell(t *testing.T, spec cell.Spec, f func(string) float64, idx int, cols ...string) (*cell.Run, cell.Eval) {
	t.Helper()
	r, err := cell.Train(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := r.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{"robust_err_lb": ev.Robust.Error, "robust_err_ub": ev.Cert.ErrUB}
	for _, name := range cols {
		v, ok := got[name]
		if !ok {
			t.Fatalf("retrainCell: no recomputed value for column %s", name)
		}
		if s, want := strconv.FormatFloat(v, 'g', 6, 64), strconv.FormatFloat(f(name), 'g', 6, 64); s != want {
			t.Fatalf("cell %d: recomputed %s %s, committed %s: the Spec is not the committed cell's", idx, name, s, want)
		}
	}
	return r, ev
}
