package cell_test

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"vitadv/model/attack"
	"vitadv/model/cell"
)

var rowMeasure = flag.Bool("row-measure", false, "retrain committed tau/ci cells and measure the row attack's effect on robust_err_lb and radius_attack (issue 18; about a minute)")

// TestRowAttackMeasure (opt-in, -row-measure) retrains the committed
// tau/ci cells 4, 6 and 8 (τ/‖μ‖ = 0.1, 0.15, 0.25, replicate 0) from the
// Spec their CSV row gives (specFromRow), checks that it reproduces the
// committed robust_err_ub, evaluates with the ci cheap protocol (PGD-10 × 1,
// APGD-50, midpoint, erase; no cascade), then reports the same protocol
// with the row attack (Protocol.Row) and the
// row attack alone at the cell's τ, and the median radius_attack of the
// committed .radii file against cell.Radii now (FMN and the row attack).
// Measured numbers are in results/bench/README.md.
//
//	go test ./model/cell -run TestRowAttackMeasure -row-measure -v
func TestRowAttackMeasure(t *testing.T) {
	if !*rowMeasure {
		t.Skip("measurement; run with -row-measure")
	}
	rows := readCSV(t, filepath.Join("..", "..", "results", "tau", "ci.csv"))
	for _, idx := range []int{4, 6, 8} {
		spec, f := specFromRow(t, rows, idx)
		// The cheap protocol alone (the committed file's lower ends come
		// from the cascade since 2026-12-07): the Spec is checked against
		// the committed robust_err_ub, which no attack changes.
		spec.Eval.Cascade = false
		r, ev := retrainCell(t, spec, f, idx, "robust_err_ub")
		p := attack.Protocol{PGDSteps: spec.Eval.PGDSteps, PGDRestarts: spec.Eval.PGDRestarts, APGDSteps: spec.Eval.APGDSteps, Row: true}
		withRow, err := p.RobustEval(r.Model, r.Test, r.Sig, cell.Frobenius, spec.Tau, spec.Seed)
		if err != nil {
			t.Fatal(err)
		}
		if withRow.Error < ev.Robust.Error {
			t.Errorf("cell %d: with the row attack robust_err_lb %g < without %g (the ensemble is a worst case)", idx, withRow.Error, ev.Robust.Error)
		}
		rowOnly := withRow.Wins[len(withRow.Wins)-1]
		start := time.Now()
		newRad, err := r.Radii(ev, cell.Frobenius, spec.Tau, spec.Data.MuNorm)
		radTime := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		old := readCSV(t, filepath.Join("..", "..", "results", "tau", "ci.radii", fmt.Sprintf("cell-%d.csv", idx)))
		var ro, rn []float64
		for k, o := range old[1:] {
			v, err := strconv.ParseFloat(o[6], 64)
			if err != nil {
				t.Fatal(err)
			}
			ro = append(ro, v)
			rn = append(rn, newRad[k].Attack)
		}
		smaller := 0
		var ratio []float64
		for k := range ro {
			if rn[k] < 0.99*ro[k] { // the committed file has 6 digits: a 1% drop is real
				smaller++
			}
			if ro[k] > 0 && !math.IsInf(ro[k], 1) {
				ratio = append(ratio, rn[k]/ro[k])
			}
		}
		t.Logf("tau/ci cell %d (τ/‖μ‖ = %g, τ = %.4g): robust_err_lb %.3f → %.3f with the row attack (%d points won by it; robust_err_ub %s); median radius_attack %.4g → %.4g (%d of %d points ≥ 1%% smaller; median ratio %.3f, smallest %.3f); Radii %v",
			idx, f("tau_over_mu"), spec.Tau, ev.Robust.Error, withRow.Error, rowOnly, strconv.FormatFloat(f("robust_err_ub"), 'g', 6, 64), median(ro), median(rn), smaller, len(ro), median(ratio), slices.Min(ratio), radTime.Round(time.Millisecond))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)/2]
}
