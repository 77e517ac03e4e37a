package report

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"vitadv/experiment"
	"vitadv/model/valid"
	"vitadv/report/figure"
	"vitadv/sweep"
	"vitadv/theorems"
)

// Render draws the figures of a complete CSV file of experiment kind
// ("phase", "tau", "dynamics" or "mnist") next to it and returns their
// paths.
func Render(kind, csv string) ([]string, error) {
	t, err := sweep.ReadTable(csv)
	if err != nil {
		return nil, err
	}
	if t.Rows == 0 {
		return nil, &sweep.CorruptError{Path: csv, Reason: "no rows to plot"}
	}
	stem := strings.TrimSuffix(csv, ".csv")
	switch kind {
	case "phase", "mnist":
		return renderPhase(stem, kind, t)
	case "tau":
		var files []string
		for _, p := range splitSweeps(t) {
			f, err := renderTau(figureStem(p.source(stem)), p.T)
			if err != nil {
				return files, err
			}
			files = append(files, f...)
		}
		f, err := renderEarly(stem, t, theorems.Defaults())
		return append(files, f...), err
	case "dynamics":
		return renderDynamics(stem, t)
	}
	return nil, &valid.Error{Field: "kind", Value: kind, Rule: "must be phase, tau, dynamics or mnist"}
}

// PhaseSummary is a phase diagram reduced to grid points and its fitted
// boundary.
type PhaseSummary struct {
	Adversarial bool
	Metric      string // plotted column
	Criterion   string // the benign rule, in words
	Points      []GridPoint
	Boundary    Boundary
}

// SummarizePhase reduces a phase or mnist table with the benign rule of
// theorems.Defaults(): clean runs by the test loss (benign iff < LossCut,
// Jiang et al. Fig. 1b, P1), adversarial runs by the robust test error
// (benign iff < ErrBenign, P9's benign region).
func SummarizePhase(t *sweep.Table) PhaseSummary {
	k := theorems.Defaults()
	s := PhaseSummary{Adversarial: t.First("tau_over_mu") > 0}
	var benign func(float64) bool
	if s.Adversarial {
		s.Metric, s.Criterion = "robust_test_err", fmt.Sprintf("robust test error < ErrBenign = %g (P9)", k.ErrBenign)
		benign = func(v float64) bool { return v < k.ErrBenign }
	} else {
		s.Metric, s.Criterion = "test_loss", fmt.Sprintf("test logistic loss < LossCut = %g (Jiang et al. Fig. 1b, P1)", k.LossCut)
		benign = func(v float64) bool { return v < k.LossCut }
	}
	s.Points = gridPoints(t, s.Metric, benign)
	s.Boundary = FitBoundary(s.Points, uint64(t.First("seed")))
	return s
}

func renderPhase(stem, kind string, t *sweep.Table) ([]string, error) {
	s := SummarizePhase(t)
	name := filepath.Base(stem)
	setup := fmt.Sprintf("d=%g M=%g d_h=%g", t.First("d"), t.First("m"), t.First("dh"))
	reps := len(s.Points[0].Vals)
	what := "clean GD"
	if s.Adversarial {
		what = fmt.Sprintf("AT, τ = %g|μ|", t.First("tau_over_mu"))
	}
	title := fmt.Sprintf("%s %s: %s, mean of %d; %s", kind, name, strings.ReplaceAll(s.Metric, "_", " "), reps, what)
	files, err := figure.Phase(stem, title+"\n"+setup, strings.ReplaceAll(s.Metric, "_", " "), figPoints(s.Points, GridPoint.Mean), 0, 1, false, figBoundary(s.Boundary))
	if err != nil {
		return nil, err
	}
	more, err := figure.Phase(stem+"-benign", fmt.Sprintf("%s %s: fraction benign (%s)\n%s", kind, name, s.Criterion, setup),
		"fraction benign", figPoints(s.Points, GridPoint.Frac), 0, 1, true, figBoundary(s.Boundary))
	return append(files, more...), err
}

// figPoints are the grid points as the heatmap draws them, valued by val.
func figPoints(pts []GridPoint, val func(GridPoint) float64) []figure.Point {
	out := make([]figure.Point, len(pts))
	for i, p := range pts {
		out[i] = figure.Point{N: p.N, SNR2: p.SNR2, Value: val(p)}
	}
	return out
}

// figBoundary is what the heatmap draws of a fitted boundary.
func figBoundary(b Boundary) figure.Boundary {
	return figure.Boundary{N: b.N, CStar: b.CStar, CB: b.CB, CBLo: b.CBLo, CBHi: b.CBHi, Slope: b.Slope, SlopeLo: b.SlopeLo, SlopeHi: b.SlopeHi}
}

// TauRow is the summary of one budget of a tau sweep: mean and standard
// deviation over replicates.
type TauRow struct {
	TauOverMu              float64
	TestErr, TestErrSD     float64
	RobustErr, RobustErrSD float64
	// ErrLB, ErrUB: mean robust_err_lb (attacks) and robust_err_ub
	// (1 − certified fraction); NaN for files without the columns.
	ErrLB, ErrUB                float64
	Entropy, EntropySD          float64 // mean attention entropy / ln M
	A1, A1SD, MaxA              float64
	Steps, StepsSD              float64
	Converged                   float64 // fraction of replicates that reached the target
	RobustLoss, RobustLossSD    float64
	TrainObj                    float64
	Reps                        int
	GammaPlus, RhoMedian, MinMg float64
}

// SummarizeTau groups a tau table by τ/‖μ‖.
func SummarizeTau(t *sweep.Table) []TauRow {
	lnM := math.Log(t.First("m"))
	groups := groupBy(t, "tau_over_mu")
	var out []TauRow
	for _, g := range groups {
		r := TauRow{TauOverMu: g.key, Reps: len(g.rows)}
		col := func(name string, scale float64) []float64 {
			v := make([]float64, len(g.rows))
			for i, k := range g.rows {
				v[i] = t.Cols[name][k] / scale
			}
			return v
		}
		r.TestErr, r.TestErrSD = meanStd(col("test_err", 1))
		r.RobustErr, r.RobustErrSD = meanStd(col("robust_test_err", 1))
		r.RobustLoss, r.RobustLossSD = meanStd(col("robust_test_loss", 1))
		r.ErrLB, r.ErrUB = math.NaN(), math.NaN()
		if t.Has("robust_err_ub") {
			r.ErrLB, r.ErrUB = mean(col("robust_err_lb", 1)), mean(col("robust_err_ub", 1))
		}
		r.Entropy, r.EntropySD = meanStd(col("entropy", lnM))
		r.A1, r.A1SD = meanStd(col("a1", 1))
		r.MaxA = mean(col("max_a", 1))
		// Steps to ε (censored at the cap when never reached); older
		// files without the column fall back to the stop rule's steps.
		steps, conv := col("steps", 1), col("converged", 1)
		if t.Has("steps_to_eps") {
			for i, s := range col("steps_to_eps", 1) {
				steps[i], conv[i] = s, 1
				if s < 0 {
					steps[i], conv[i] = t.First("max_steps"), 0
				}
			}
		}
		r.Steps, r.StepsSD = meanStd(steps)
		r.Converged = mean(conv)
		r.TrainObj = mean(col("train_obj", 1))
		r.GammaPlus = mean(col("gamma_plus", 1))
		r.RhoMedian = mean(col("rho_median", 1))
		r.MinMg = mean(col("min_train_margin", 1))
		out = append(out, r)
	}
	return out
}

type group struct {
	key  float64
	rows []int
}

// groupBy returns the row indices grouped by the value of column key, in
// increasing key order.
func groupBy(t *sweep.Table, key string) []group {
	idx := map[float64]int{}
	var gs []group
	for i, v := range t.Col(key) {
		j, ok := idx[v]
		if !ok {
			j = len(gs)
			idx[v] = j
			gs = append(gs, group{key: v})
		}
		gs[j].rows = append(gs[j].rows, i)
	}
	slices.SortFunc(gs, func(a, b group) int { return cmp.Compare(a.key, b.key) })
	return gs
}

func renderTau(stem string, t *sweep.Table) ([]string, error) {
	rows := SummarizeTau(t)
	x := make([]float64, len(rows))
	get := func(f func(TauRow) float64) []float64 {
		v := make([]float64, len(rows))
		for i, r := range rows {
			v[i] = f(r)
		}
		return v
	}
	for i, r := range rows {
		x[i] = r.TauOverMu
	}
	dh := t.First("dh")
	marks := func(p *plot.Plot, y0, y1 float64) {
		figure.VLine(p, 1/math.Log(dh), y0, y1, fmt.Sprintf("1/ln d_h = %.2f", 1/math.Log(dh)), 0)
		figure.VLine(p, 1/math.Sqrt2, y0, y1, "1/√2 (midpoint attack)", 1)
	}
	setup := fmt.Sprintf("N=%g, c=N·SNR_2²=%.3g, d=%g, M=%g, d_h=%g", t.First("n"), t.First("c"), t.First("d"), t.First("m"), dh)

	p1 := figure.NewPlot()
	p1.Title.Text = "test error vs budget\n" + setup
	p1.X.Label.Text = "τ / |μ|"
	p1.Y.Label.Text = "error (mean ± sd)"
	figure.AddBand(p1, 0, "robust error bracket [attacks, 1 − certified]", x, get(func(r TauRow) float64 { return r.ErrLB }), get(func(r TauRow) float64 { return r.ErrUB }))
	figure.AddSeries(p1, 0, "robust test error (PGD+APGD+midpoint+erase)", x, get(func(r TauRow) float64 { return r.RobustErr }), get(func(r TauRow) float64 { return r.RobustErrSD }), 1)
	figure.AddSeries(p1, 1, "clean test error", x, get(func(r TauRow) float64 { return r.TestErr }), get(func(r TauRow) float64 { return r.TestErrSD }), 1)
	marks(p1, 0, 1)
	p1.Y.Min, p1.Y.Max = 0, 1
	p1.Legend.Top, p1.Legend.Left = true, true
	figure.LegendRoom(p1, 5)

	p2 := figure.NewPlot()
	p2.Title.Text = "attention after training"
	p2.X.Label.Text = "τ / |μ|"
	p2.Y.Label.Text = "mean ± sd"
	figure.AddSeries(p2, 0, "entropy / ln M", x, get(func(r TauRow) float64 { return r.Entropy }), get(func(r TauRow) float64 { return r.EntropySD }), 1)
	figure.AddSeries(p2, 1, "a_1 (signal token)", x, get(func(r TauRow) float64 { return r.A1 }), get(func(r TauRow) float64 { return r.A1SD }), 1)
	uniform := 1 / t.First("m")
	figure.AddSeries(p2, 3, "1/M (uniform attention)", []float64{x[0], x[len(x)-1]}, []float64{uniform, uniform}, nil, 0)
	marks(p2, 0, 1)
	p2.Y.Min, p2.Y.Max = 0, 1
	p2.Legend.Top = true
	figure.LegendRoom(p2, 5)

	p3 := figure.NewPlot()
	eps := t.First("eps")
	if math.IsNaN(eps) {
		eps = t.First("target")
	}
	p3.Title.Text = fmt.Sprintf("GD steps to robust training loss < %g (of %g)", eps, t.First("max_steps"))
	p3.X.Label.Text = "τ / |μ|"
	p3.Y.Label.Text = "steps (mean ± sd)"
	figure.AddSeries(p3, 0, "steps", x, get(func(r TauRow) float64 { return r.Steps }), get(func(r TauRow) float64 { return r.StepsSD }), 1)
	figure.AddSeries(p3, 2, "fraction reaching it × max steps", x, get(func(r TauRow) float64 { return r.Converged * t.First("max_steps") }), nil, 1)
	marks(p3, 0, t.First("max_steps"))
	p3.Legend.Top = true
	figure.LegendRoom(p3, 4)
	return figure.Grid(stem, 16*vg.Inch, 5*vg.Inch, 1, 3, [][]*plot.Plot{{p1, p2, p3}})
}

// DynSeries is the mean and standard deviation over seeds of one column of
// a dynamics file, per logged step, for one regime.
type DynSeries struct {
	Steps     []float64
	Mean, SD  []float64
	FinalMean float64
}

// SummarizeDynamics returns, per regime (true = benign) and column, the
// mean ± sd trajectory over seeds.
func SummarizeDynamics(t *sweep.Table) map[bool]map[string]DynSeries {
	out := map[bool]map[string]DynSeries{}
	for _, g := range groupBy(t, "benign") {
		benign := g.key == 1
		out[benign] = map[string]DynSeries{}
		// rows of this regime grouped by step
		bySteps := map[float64][]int{}
		var steps []float64
		for _, i := range g.rows {
			s := t.Cols["step"][i]
			if _, ok := bySteps[s]; !ok {
				steps = append(steps, s)
			}
			bySteps[s] = append(bySteps[s], i)
		}
		slices.Sort(steps)
		for _, col := range experiment.DynamicsMetrics()[1:] {
			ds := DynSeries{Steps: steps}
			for _, s := range steps {
				v := make([]float64, 0, len(bySteps[s]))
				for _, i := range bySteps[s] {
					v = append(v, t.Cols[col][i])
				}
				m, sd := meanStd(v)
				ds.Mean, ds.SD = append(ds.Mean, m), append(ds.SD, sd)
			}
			ds.FinalMean = ds.Mean[len(ds.Mean)-1]
			out[benign][col] = ds
		}
	}
	return out
}

func renderDynamics(stem string, t *sweep.Table) ([]string, error) {
	sum := SummarizeDynamics(t)
	var files []string
	for _, benign := range []bool{true, false} {
		d, ok := sum[benign]
		if !ok {
			continue
		}
		sub := "-harmful"
		if benign {
			sub = "-benign"
		}
		f, err := figure.Grid(stem+sub, dynamicsW, dynamicsH, 2, 2, dynamicsPanels(t, d, benign))
		if err != nil {
			return nil, err
		}
		files = append(files, f...)
	}
	return files, nil
}

// Size of a dynamics figure (2 × 2 panels).
const (
	dynamicsW = 13 * vg.Inch
	dynamicsH = 9 * vg.Inch
)

// dynamicsPanels returns the 2 × 2 panels of one regime's dynamics figure
// (losses, attention; value coefficients, query-key scores), each with its
// legend in a top corner above the data (legendRoom).
func dynamicsPanels(t *sweep.Table, d map[string]DynSeries, benign bool) [][]*plot.Plot {
	regime := "harmful"
	if benign {
		regime = "benign"
	}
	var c float64
	for i, b := range t.Col("benign") {
		if (b == 1) == benign {
			c = t.Cols["c"][i]
			break
		}
	}
	every := max(1, len(d["train_loss"].Steps)/12)
	series := func(p *plot.Plot, k int, label, col string, sign float64) {
		s := d[col]
		y := make([]float64, len(s.Mean))
		for i, v := range s.Mean {
			y[i] = sign * v
		}
		figure.AddSeries(p, k, label, s.Steps, y, s.SD, every)
	}
	head := fmt.Sprintf("%s regime: N=%g, c=N·SNR_2²=%.3g, d=%g, M=%g (mean ± sd over %d seeds)",
		regime, t.First("n"), c, t.First("d"), t.First("m"), countDistinct(t.Col("rep")))
	pl := figure.NewPlot()
	pl.Title.Text = head + "\nlosses"
	pl.X.Label.Text = "GD step"
	series(pl, 0, "train loss", "train_loss", 1)
	series(pl, 1, "test loss", "test_loss", 1)
	series(pl, 2, "test error", "test_err", 1)
	pl.Legend.Top = true
	figure.LegendRoom(pl, 3)
	pa := figure.NewPlot()
	pa.Title.Text = "query-averaged attention"
	pa.X.Label.Text = "GD step"
	series(pa, 0, "a_1 (signal), test mean", "a1", 1)
	series(pa, 1, "a_2 (strong noise ξ₂), test mean", "a2", 1)
	series(pa, 2, "max_j a_j, test mean", "max_a", 1)
	pa.Legend.Top = true
	figure.LegendRoom(pa, 3)
	pv := figure.NewPlot()
	pv.Title.Text = "value coefficients (u = W_V w_O)"
	pv.X.Label.Text = "GD step"
	series(pv, 0, "μ_+ᵀu", "gamma_plus", 1)
	series(pv, 1, "−μ_−ᵀu", "gamma_minus", -1)
	series(pv, 2, "median_n y_n ξ_{n,2}ᵀu", "rho_median", 1)
	pv.Legend.Top, pv.Legend.Left = true, true
	figure.LegendRoom(pv, 3)
	pq := figure.NewPlot()
	pq.Title.Text = "query-key scores (training sample 0)"
	pq.X.Label.Text = "GD step"
	series(pq, 0, "μ_+ᵀW_QW_Kᵀμ_+", "qk_sig_sig", 1)
	series(pq, 1, "μ_+ᵀW_QW_Kᵀξ₂", "qk_sig_xi2", 1)
	series(pq, 2, "ξ₃ᵀW_QW_Kᵀμ_+", "qk_xi3_sig", 1)
	series(pq, 3, "ξ₃ᵀW_QW_Kᵀξ₂", "qk_xi3_xi2", 1)
	pq.Legend.Top, pq.Legend.Left = true, true
	figure.LegendRoom(pq, 4)
	return [][]*plot.Plot{{pl, pa}, {pv, pq}}
}

func countDistinct(v []float64) int { return len(sortedDistinct(v)) }

// sortedDistinct returns the distinct values of v in increasing order (v
// is not modified).
func sortedDistinct(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return slices.Compact(s)
}
