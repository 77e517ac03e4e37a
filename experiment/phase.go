package experiment

import (
	"slices"

	"vitadv/model/valid"
	"vitadv/sweep"
)

// PhaseConfig is the (N, SNR) phase diagram of docs/THEORY.md §6.1 (clean GD,
// Jiang et al. Fig. 1) and §6.3 (adversarial training at budget
// τ = TauOverMu·‖μ‖). The grid is laid out in c = N·SNR_2², with
// ‖μ‖ = σ₂√d·√(c/N) (docs/THEORY.md §6.5).
type PhaseConfig struct {
	Setup
	N []int     // training-set sizes (even)
	C []float64 // targets c = N·SNR_2² (> 0)
	// Mu, if non-empty, replaces C: the grid is N × ‖μ‖ (Jiang et al.'s
	// layout, ‖μ‖ = 1..100), and c = N·SNR_2² is derived per cell.
	Mu        []float64
	Reps      int     // replicates per (N, c)
	TauOverMu float64 // training budget over ‖μ‖; 0: clean GD
	Seed      uint64
	// StepAxis: η as an axis, matched η·T, early trajectories (zero:
	// none of them).
	StepAxis
}

// Validate returns a *valid.Error naming the first bad field by its flag.
func (p PhaseConfig) Validate() error {
	if err := p.Setup.Validate(); err != nil {
		return err
	}
	cs, field := p.C, "c"
	if len(p.Mu) > 0 {
		cs, field = p.Mu, "mu"
	}
	if err := validGrid(p.N, cs, field); err != nil {
		return err
	}
	if err := valid.First(valid.IntMin("reps", p.Reps, 1), floatIn("tau", p.TauOverMu, 0, MaxTauOverMu, true), p.StepAxis.validate(p.Setup)); err != nil {
		return err
	}
	return p.checkJob(p.N, cs, field, len(p.Mu) > 0, float64(len(p.N))*float64(len(cs))*float64(len(p.etas(p.Eta))), "reps", p.Reps, 1)
}

// validGrid checks the N list (flag -n) and the list of signal strengths
// (flag named field).
func validGrid(ns []int, cs []float64, field string) error {
	if len(ns) == 0 {
		return &valid.Error{Field: "n", Value: ns, Rule: "must list at least one N"}
	}
	for _, n := range ns {
		if err := valid.EvenIntMin("n", n, 2); err != nil {
			return err
		}
	}
	if len(cs) == 0 {
		return &valid.Error{Field: field, Value: cs, Rule: "must list at least one value"}
	}
	for _, c := range cs {
		if err := valid.Positive(field, c); err != nil {
			return err
		}
	}
	return nil
}

// Variant returns the file-name stem of the run: "clean" or "at-<τ/‖μ‖>".
func (p PhaseConfig) Variant() string {
	if p.TauOverMu == 0 {
		return "clean"
	}
	return AtTau(p.TauOverMu)
}

// gridParams are the per-cell parameter columns of phase and tau files.
var gridParams = []string{"n", "c", "rep", "seed", "mu", "snr2", "snrw", "tau_over_mu", "tau"}

// GridCell is one cell of a phase diagram or a τ sweep, typed: the
// training-set size, the signal (c = N·SNR_2² and ‖μ‖, one derived from the
// other), the replicate and the training budget. Its CSV fields are
// formatted from it (fields), and the cell is trained from it, never
// parsed back from the strings.
type GridCell struct {
	N         int
	C, Mu     float64 // N·SNR_2² and ‖μ‖ of the cell
	Rep       int
	TauOverMu float64 // training budget over ‖μ‖
	Seed      uint64  // the cell's seed (set by gridCells)
	Eta       float64 // step size η of the cell (0: the setup's)
}

// Tau returns the training budget τ = (τ/‖μ‖)·‖μ‖, rounded (float64()) so
// that a caller adding to it cannot fuse the product into an FMA
// (.ci/nofuse).
func (g GridCell) Tau() float64 { return float64(g.TauOverMu * g.Mu) }

// gridCell returns the cell of size n at c = N·SNR_2² (mu = 0) or at ‖μ‖ =
// mu (c derived), replicate rep and budget tauOverMu.
func (s Setup) gridCell(n int, c, mu float64, rep int, tauOverMu float64) GridCell {
	if mu == 0 {
		mu = s.MuFor(n, c)
	} else {
		c = float64(n) * mu * mu / (s.Sigma2 * s.Sigma2 * float64(s.D))
	}
	return GridCell{N: n, C: c, Mu: mu, Rep: rep, TauOverMu: tauOverMu}
}

// fields formats g in the order of gridParams.
func (s Setup) fields(g GridCell) []string {
	dc := s.Data(g.N, g.Mu)
	return []string{itoa(g.N), ftoa(g.C), itoa(g.Rep), utoa(g.Seed), ftoa(g.Mu), ftoa(dc.SNRStrong()), ftoa(dc.SNRWeak()), ftoa(g.TauOverMu), ftoa(g.Tau())}
}

// gridCells gives each cell its derived seed rng.Derive(seed, i) (or
// seedOf(i) when not nil) and returns the sweep cells: the formatted
// fields with the columns of the cell's setup (StepAxis.at) appended.
func gridCells(s Setup, ax StepAxis, seed uint64, grid []GridCell, seedOf func(i int) uint64) []sweep.Cell {
	cells := sweep.NewCells(seed, make([][]string, len(grid)))
	for i := range cells {
		if seedOf != nil {
			cells[i].Seed = seedOf(i)
		}
		grid[i].Seed = cells[i].Seed
		cells[i].Param = slices.Concat(s.fields(grid[i]), ax.at(s, grid[i]).params())
	}
	return cells
}

// gridJob returns a job over the typed cells grid (cells are their sweep
// form, gridCells), each trained by TrainCell at its setup ax.at(s, g).
// With eps > 0 (the tau sweep) the cells carry an "eps" parameter and a
// "steps_to_eps" metric; the axis adds its own columns after those
// (StepAxis.axisParams, axisMetrics) and, with ax.Early > 0, writes each cell's
// trajectory to TrajDir(out).
func gridJob(name string, s Setup, ax StepAxis, grid []GridCell, cells []sweep.Cell, eps float64) *sweep.Job {
	params, metrics := slices.Concat(gridParams, s.paramNames()), outcomeMetrics
	if eps > 0 {
		params, metrics = append(params, "eps"), slices.Concat(outcomeMetrics, []string{"steps_to_eps"})
		for i := range cells {
			cells[i].Param = append(cells[i].Param, ftoa(eps))
		}
	}
	params, metrics = slices.Concat(params, ax.axisParams()), slices.Concat(metrics, ax.axisMetrics())
	for i := range cells {
		cells[i].Param = append(cells[i].Param, ax.paramFields()...)
	}
	steps := 0
	for _, g := range grid {
		steps = max(steps, ax.at(s, g).MaxSteps)
	}
	var radiiDir, trajDir string // set by sweep.Execute through Sidecar
	job := &sweep.Job{
		Name: name, Params: params, Metrics: metrics, PerCell: 1, Cells: cells, Steps: steps, Eval: s.Protocol(),
		Run: func(c sweep.Cell) ([][]string, error) {
			g := grid[c.Index]
			cs := ax.at(s, g)
			spec := cs.Spec(cs.Data(g.N, g.Mu), g.Tau(), c.Seed)
			spec.FlowTime, spec.Early = ax.FlowTime, ax.Early
			out, err := trainSpec(spec, eps, c.Step)
			if err != nil {
				return nil, err
			}
			if ax.AdvAttention {
				if out.AdvAttention, err = out.Run.AdvAttention(spec.Eval, spec.Set, spec.Tau); err != nil {
					return nil, err
				}
			}
			f := out.fields()
			if eps > 0 {
				f = append(f, itoa(out.StepsTo))
				if radiiDir != "" {
					if err := writeRadii(radiiDir, c.Index, s.threat(), g.Tau(), g.Mu, out); err != nil {
						return nil, err
					}
				}
			}
			if trajDir != "" {
				if err := writeTraj(trajDir, c.Index, cs.Eta, out.Run); err != nil {
					return nil, err
				}
			}
			return [][]string{slices.Concat(f, ax.metricFields(cs.Eta, out))}, nil
		},
	}
	if eps > 0 || ax.Early > 0 {
		job.Sidecar = func(out string) {
			if eps > 0 {
				radiiDir = RadiiDir(out)
			}
			if ax.Early > 0 {
				trajDir = TrajDir(out)
			}
		}
	}
	job.Cost = func(c sweep.Cell) float64 {
		g := grid[c.Index]
		if ax.FlowTime > 0 { // the cells' step counts differ with η
			return s.cellCost(g) * float64(ax.at(s, g).MaxSteps)
		}
		return s.cellCost(g)
	}
	return job
}

// cellCost estimates the relative run time of a grid cell for the
// runner's longest-first order: training costs N samples times the
// forward-backward passes per step (K+1 with the PGD-K attack of τ > 0),
// and a cell with τ > 0 is also evaluated and certified at τ; the
// budget-proportional parts (branch-and-bound, radii) grow with τ.
func (s Setup) cellCost(g GridCell) float64 {
	n, tau := float64(g.N), g.Tau()
	if !(tau > 0) {
		return n
	}
	return float64(n*float64(s.PGDSteps+1)) + tau
}

// Job returns the sweep: cells ordered by N, then c, then replicate (with
// an η axis, by η first: each η's block is the grid of one η, and the
// cell at the same place in every block has the same seed, so the η
// dependence is paired).
func (p PhaseConfig) Job(name string) *sweep.Job {
	var grid []GridCell
	for _, eta := range p.gridEtas() {
		for _, n := range p.N {
			if len(p.Mu) > 0 {
				for _, mu := range p.Mu {
					for r := 0; r < p.Reps; r++ {
						g := p.gridCell(n, 0, mu, r, p.TauOverMu)
						g.Eta = eta
						grid = append(grid, g)
					}
				}
				continue
			}
			for _, c := range p.C {
				for r := 0; r < p.Reps; r++ {
					g := p.gridCell(n, c, 0, r, p.TauOverMu)
					g.Eta = eta
					grid = append(grid, g)
				}
			}
		}
	}
	var seedOf func(int) uint64
	if p.isAxis() {
		block := len(grid) / len(p.Etas)
		seedOf = func(i int) uint64 { return rngDerive(p.Seed, i%block) }
	}
	return gridJob(name, p.Setup, p.StepAxis, grid, gridCells(p.Setup, p.StepAxis, p.Seed, grid, seedOf), 0)
}

// TauConfig is the budget sweep of docs/THEORY.md §8 P5–P9 at a fixed cell
// (N, c): robust test error, attention entropy and steps to converge
// against τ/‖μ‖.
type TauConfig struct {
	Setup
	N         int
	C         float64   // c = N·SNR_2² of the cell
	Mu        float64   // if > 0, ‖μ‖ of the cell instead of C
	TauOverMu []float64 // budgets over ‖μ‖ (≥ 0)
	// Eps is the robust training loss whose first crossing is recorded as
	// steps_to_eps (THEORY §8 P6: ε = 0.05). Training runs MaxSteps steps
	// unless Target > 0 stops it earlier.
	Eps  float64
	Reps int
	Seed uint64
	// StepAxis: η as an axis, matched η·T, early trajectories (zero:
	// none of them).
	StepAxis
}

// Validate returns a *valid.Error naming the first bad field by its flag.
func (t TauConfig) Validate() error {
	if err := t.Setup.Validate(); err != nil {
		return err
	}
	c, field := t.C, "c"
	if t.Mu > 0 {
		c, field = t.Mu, "mu"
	}
	if err := validGrid([]int{t.N}, []float64{c}, field); err != nil {
		return err
	}
	if len(t.TauOverMu) == 0 {
		return &valid.Error{Field: "taus", Value: t.TauOverMu, Rule: "must list at least one budget"}
	}
	for _, v := range t.TauOverMu {
		if err := floatIn("taus", v, 0, MaxTauOverMu, true); err != nil {
			return err
		}
	}
	if err := valid.First(valid.IntMin("reps", t.Reps, 1), valid.Positive("eps", t.Eps), t.StepAxis.validate(t.Setup)); err != nil {
		return err
	}
	return t.checkJob([]int{t.N}, []float64{c}, field, t.Mu > 0, float64(len(t.TauOverMu))*float64(len(t.etas(t.Eta))), "reps", t.Reps, 1)
}

// Job returns the sweep: cells ordered by τ, then replicate (with an η
// axis, by η first). Replicate r uses the same data and initialization at
// every τ and every η (its seed is derived from the replicate, not the
// cell), so the τ and η dependences are paired.
func (t TauConfig) Job(name string) *sweep.Job {
	var grid []GridCell
	for _, eta := range t.gridEtas() {
		for _, tau := range t.TauOverMu {
			for r := 0; r < t.Reps; r++ {
				g := t.gridCell(t.N, t.C, t.Mu, r, tau)
				g.Eta = eta
				grid = append(grid, g)
			}
		}
	}
	cells := gridCells(t.Setup, t.StepAxis, t.Seed, grid, func(i int) uint64 { return rngDerive(t.Seed, i%t.Reps) })
	return gridJob(name, t.Setup, t.StepAxis, grid, cells, t.Eps)
}
