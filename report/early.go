package report

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"vitadv/experiment"
	"vitadv/report/figure"
	"vitadv/sweep"
	"vitadv/theorems"
)

// Issue 17, item 4: the early trajectory of the adversarial runs — robust
// training loss, a₁ and entropy at every GD step of the first ones, where
// the decisive events of η = 0.1 happen (a loss spike at step 3–4, the
// softmax saturating in one update) — from the per-cell trajectory files
// a sweep writes with -early-steps (<out>.traj/cell-<i>.csv,
// experiment.TrajDir). A file without that directory has no figure.

// earlyTargets are the budgets τ/‖μ‖ the figure aims at, one per regime of
// Theorem 4.2 (earlyBudgets).
var earlyTargets = [3]float64{0.05, 0.4, 1}

// earlyBudgets returns one budget of the grid taus per regime of Theorem
// 4.2 at d_h = dh, in increasing order: the budget nearest 0.05 in
// regime 1 (0 < τ ≤ C1‖μ‖/log d_h), nearest 0.4 in P6's regime-2 window
// [C1Hi‖μ‖/log d_h, C2‖μ‖], and nearest 1 among τ ≥ ‖μ‖ (τ ≥ ‖μ‖/√2, P8's
// range, when the grid stops below ‖μ‖). A regime the grid does not reach
// is left out.
func earlyBudgets(taus []float64, dh int, k theorems.Consts) []float64 {
	in := []func(float64) bool{
		func(x float64) bool { return theorems.InRegime1(x, dh, k) },
		func(x float64) bool { return theorems.InRegime2(x, dh, k) },
		func(x float64) bool {
			return x >= 1 || (slices.Max(append([]float64{0}, taus...)) < 1 && x >= 1/math.Sqrt2)
		},
	}
	var out []float64
	for r, want := range earlyTargets {
		best := math.NaN()
		for _, x := range taus {
			if in[r](x) && (math.IsNaN(best) || math.Abs(x-want) < math.Abs(best-want)) {
				best = x
			}
		}
		if !math.IsNaN(best) && !slices.Contains(out, best) {
			out = append(out, best)
		}
	}
	slices.Sort(out)
	return out
}

// trajRun is the trajectory of one cell of a sweep.
type trajRun struct {
	eta, tau, rep float64
	t             *sweep.Table // columns of experiment's trajectory files
}

// loadEarly reads the trajectories of the cells of t at the budgets the
// figure shows, from csv's trajectory directory. ok is false when the
// directory does not exist (no figure, no error); a cell file that is
// missing is skipped (counted in missing), one that cannot be read is an
// error.
func loadEarly(csv string, t *sweep.Table, k theorems.Consts) (runs []trajRun, missing int, ok bool, err error) {
	dir := experiment.TrajDir(strings.TrimSuffix(csv, ".csv"))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, 0, false, nil
	}
	budgets := earlyBudgets(sortedDistinct(t.Col("tau_over_mu")), int(t.First("dh")), k)
	for i := 0; i < t.Rows; i++ {
		tau := t.Cols["tau_over_mu"][i]
		if !slices.Contains(budgets, tau) {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("cell-%d.csv", int(t.Cols["cell"][i])))
		tr, err := sweep.ReadTable(path)
		if os.IsNotExist(err) {
			missing++
			continue
		}
		if err != nil {
			return nil, 0, true, err
		}
		for _, c := range []string{"step", "flow_time", "robust_train_loss", "a1", "entropy"} {
			if !tr.Has(c) {
				return nil, 0, true, &sweep.CorruptError{Path: path, Reason: "no column " + c}
			}
		}
		if tr.Rows == 0 {
			return nil, 0, true, &sweep.CorruptError{Path: path, Reason: "no rows"}
		}
		runs = append(runs, trajRun{eta: t.Cols["eta"][i], tau: tau, rep: t.Cols["rep"][i], t: tr})
	}
	return runs, missing, true, nil
}

// earlyWindow is the number E of GD steps logged at every step from step
// 0 (steps 0, 1, …, E of the trajectory; -early-steps).
func earlyWindow(tr *sweep.Table) int {
	e := 0
	for i, s := range tr.Col("step") {
		if s != float64(i) {
			break
		}
		e = i
	}
	return e
}

// EarlyRow summarizes the early trajectories of the replicates of one
// (η, τ) of a sweep: the robust training loss before the first update
// (mean), its largest value over steps 1…E (largest over replicates, with
// the step), a₁ at step 0, step E and the end (means), the largest change
// of a₁ in one GD step within 1…E (over replicates) and the entropy at
// step E (mean, / ln M).
type EarlyRow struct {
	Source         string
	Eta, TauOverMu float64
	Reps, E        int
	Loss0          float64
	Spike          float64
	SpikeStep      int
	A10, A1E, A1T  float64
	Jump           float64
	EntE           float64
}

// earlyRows summarizes runs per (η, τ), by decreasing η then increasing τ.
func earlyRows(source string, runs []trajRun, M float64) []EarlyRow {
	type key struct{ eta, tau float64 }
	var keys []key
	by := map[key][]trajRun{}
	for _, r := range runs {
		k := key{r.eta, r.tau}
		if _, ok := by[k]; !ok {
			keys = append(keys, k)
		}
		by[k] = append(by[k], r)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.eta != b.eta {
			return cmpFloat(b.eta, a.eta)
		}
		return cmpFloat(a.tau, b.tau)
	})
	var out []EarlyRow
	for _, k := range keys {
		rs := by[k]
		row := EarlyRow{Source: source, Eta: k.eta, TauOverMu: k.tau, Reps: len(rs), Spike: math.Inf(-1), Jump: 0, E: math.MaxInt}
		n := float64(len(rs))
		for _, r := range rs {
			row.E = min(row.E, earlyWindow(r.t))
		}
		for _, r := range rs {
			loss, a1, ent := r.t.Col("robust_train_loss"), r.t.Col("a1"), r.t.Col("entropy")
			row.Loss0 += loss[0] / n
			row.A10 += a1[0] / n
			row.A1E += a1[row.E] / n
			row.A1T += a1[len(a1)-1] / n
			row.EntE += ent[row.E] / math.Log(M) / n
			for s := 1; s <= row.E; s++ {
				if loss[s] > row.Spike || math.IsNaN(loss[s]) {
					row.Spike, row.SpikeStep = loss[s], s
				}
				if d := math.Abs(a1[s] - a1[s-1]); d > row.Jump || math.IsNaN(d) {
					row.Jump = d
				}
			}
		}
		out = append(out, row)
	}
	return out
}

// earlySection writes the early-trajectory subsection of a τ-sweep file
// whose trajectory directory exists (nothing otherwise) and returns its
// rows: the figure (rendered by Render as <rel>-early.png/.svg) and the
// table of EarlyRow per (η, τ).
func earlySection(w io.Writer, csv, rel string, t *sweep.Table, k theorems.Consts) ([]EarlyRow, error) {
	runs, missing, ok, err := loadEarly(csv, t, k)
	if err != nil || !ok {
		return nil, err
	}
	rows := earlyRows(rel, runs, t.First("m"))
	fmt.Fprintf(w, "\n### Early trajectory (`%s`)\n\n", rel)
	if len(rows) == 0 {
		fmt.Fprintf(w, "The trajectory directory `%s.traj/` holds none of the cells at the budgets %v.\n", rel, earlyBudgets(sortedDistinct(t.Col("tau_over_mu")), int(t.First("dh")), k))
		return nil, nil
	}
	e := 0
	for _, r := range rows {
		e = max(e, r.E)
	}
	fmt.Fprintf(w, "**What it shows** (issue 17): the adversarial runs at one budget per regime of Thm 4.2 (`earlyBudgets`: the grid budget nearest 0.05‖μ‖ in regime 1, 0.4‖μ‖ in P6's regime-2 window, ‖μ‖ in regime 3), logged at every GD step up to step %d (`-early-steps`; fewer when a run reached the loss target first) and log-spaced after, against gradient-flow time η·step (log axis, from step 1), one line per replicate, coloured by η: the robust training loss before each update (log axis), a₁ and the entropy / ln M on clean test inputs. ", e)
	fmt.Fprintf(w, "At matched η·T the runs at different η see the same gradient flow to first order in η; where they part, the step size decides.")
	if missing > 0 {
		fmt.Fprintf(w, " (%d trajectory file(s) of these cells are missing and not drawn.)", missing)
	}
	fmt.Fprintf(w, "\n\n![%s early trajectory](%s-early.png)\n\n", rel, rel)
	fmt.Fprintf(w, "| η | τ/‖μ‖ | replicates | E | robust loss at step 0 | largest robust loss, steps 1–E (step) | a₁: step 0 → E → end | largest one-step change of a₁, steps 1–E | entropy/ln M at E |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %g | %g | %d | %d | %.3g | %.3g (%d) | %.3f → %.3f → %.3f | %.3f | %.3f |\n", r.Eta, r.TauOverMu, r.Reps, r.E, r.Loss0, r.Spike, r.SpikeStep, r.A10, r.A1E, r.A1T, r.Jump, r.EntE)
	}
	fmt.Fprintf(w, "\nE: the last step every replicate logged at every step; a₁, the losses at step 0 and the entropy are means over the replicates, the largest values are over the replicates too.\n")
	return rows, nil
}

// renderEarly draws the early-trajectory figure of a τ-sweep file at
// stem-early.png/.svg when its trajectory directory exists (no file and
// no error otherwise): one row per budget, columns robust training loss,
// a₁ and entropy / ln M against η·step.
func renderEarly(stem string, t *sweep.Table, k theorems.Consts) ([]string, error) {
	runs, _, ok, err := loadEarly(stem+".csv", t, k)
	if err != nil || !ok || len(runs) == 0 {
		return nil, err
	}
	etas := sortedDistinct(t.Col("eta"))
	slices.Reverse(etas)
	budgets := earlyBudgets(sortedDistinct(t.Col("tau_over_mu")), int(t.First("dh")), k)
	lnM := math.Log(t.First("m"))
	var grid [][]*plot.Plot
	for bi, tau := range budgets {
		var row []*plot.Plot
		for ci, col := range []struct{ name, title string }{
			{"robust_train_loss", "robust training loss"}, {"a1", "a_1 (clean test inputs)"}, {"entropy", "entropy / ln M"}} {
			p := figure.NewPlot()
			p.Title.Text = fmt.Sprintf("%s, τ = %g|μ|", col.title, tau)
			if bi == 0 && ci == 0 {
				p.Title.Text = fmt.Sprintf("early trajectory, d=%g M=%g d_h=%g\n", t.First("d"), t.First("m"), t.First("dh")) + p.Title.Text
			}
			p.X.Label.Text = "flow time η·step"
			figure.LogX(p)
			if col.name == "robust_train_loss" {
				figure.LogY(p)
			}
			labelled := map[float64]bool{}
			for _, r := range runs {
				if r.tau != tau {
					continue
				}
				x, y := r.t.Col("flow_time"), slices.Clone(r.t.Col(col.name))
				if col.name == "entropy" {
					for i := range y {
						y[i] /= lnM
					}
				}
				label := ""
				if !labelled[r.eta] {
					label, labelled[r.eta] = "η = "+strconv.FormatFloat(r.eta, 'g', -1, 64), true
				}
				figure.AddLine(p, slices.Index(etas, r.eta), label, x, y, col.name == "robust_train_loss")
			}
			if col.name == "a1" {
				m := t.First("m")
				figure.HLine(p, 1/m, fmt.Sprintf("1/M = %.3g", 1/m))
			}
			p.Legend.Top = true
			figure.LegendRoom(p, len(etas)+1)
			row = append(row, p)
		}
		grid = append(grid, row)
	}
	return figure.Grid(stem+"-early", 15*vg.Inch, vg.Length(len(budgets))*4*vg.Inch, len(budgets), 3, grid)
}

// earlyAt returns the early row of source at η and τ.
func earlyAt(rows []EarlyRow, source string, eta, tau float64) (EarlyRow, bool) {
	for _, r := range rows {
		if r.Source == source && r.Eta == eta && r.TauOverMu == tau {
			return r, true
		}
	}
	return EarlyRow{}, false
}
