package experiment

import (
	"context"
	"slices"

	"vitadv/model/cell"
	"vitadv/model/valid"
	"vitadv/sweep"
)

// DynamicsConfig is the training-dynamics experiment of docs/THEORY.md §6.2 (P3,
// P4): GD for a fixed number of steps (no early stop) in a benign cell
// (N, CBenign) and a harmful cell (N, CHarmful), with every tracked
// quantity (cell.Record) logged every Every steps, over Seeds seeds.
type DynamicsConfig struct {
	Setup             // MaxSteps is the fixed number of steps; Target is ignored
	N                 int
	CBenign, CHarmful float64 // c = N·SNR_2² of the two cells
	Seeds             int
	Every             int     // log every this many steps (divides MaxSteps)
	TauOverMu         float64 // 0: clean GD; > 0: adversarial training
	Seed              uint64
}

// Validate returns a *valid.Error naming the first bad field by its flag.
func (d DynamicsConfig) Validate() error {
	if err := d.Setup.Validate(); err != nil {
		return err
	}
	if err := valid.First(validGrid([]int{d.N}, []float64{d.CBenign}, "c-benign"), validGrid([]int{d.N}, []float64{d.CHarmful}, "c-harmful")); err != nil {
		return err
	}
	if err := valid.First(valid.IntMin("seeds", d.Seeds, 1), valid.IntMin("every", d.Every, 1), floatIn("tau", d.TauOverMu, 0, MaxTauOverMu, true)); err != nil {
		return err
	}
	if d.MaxSteps%d.Every != 0 {
		return &valid.Error{Field: "every", Value: d.Every, Rule: "must divide -steps"}
	}
	if err := d.checkJob([]int{d.N}, []float64{d.CBenign}, "c-benign", false, 2, "seeds", d.Seeds, float64(d.MaxSteps/d.Every+1)); err != nil {
		return err
	}
	return d.checkJob([]int{d.N}, []float64{d.CHarmful}, "c-harmful", false, 2, "seeds", d.Seeds, float64(d.MaxSteps/d.Every+1))
}

// dynParams are the per-cell parameter columns of a dynamics file.
var dynParams = []string{"benign", "n", "c", "rep", "seed", "mu", "snr2", "snrw", "tau_over_mu", "tau"}

// dynMetrics are the per-step columns: the step, the objective the
// optimizer saw (robust loss under AT), and the train.Record columns.
var dynMetrics = slices.Concat([]string{"step", "train_obj"}, cell.RecordColumns()[1:])

// DynamicsMetrics returns the per-step metric columns of a dynamics file
// (a fresh copy): the step, the objective, the probe's columns.
func DynamicsMetrics() []string { return slices.Clone(dynMetrics) }

// DynNA are the dynamics columns that hold NaN meaning "not applicable":
// the robust losses and errors (the trajectory prober has no evaluation
// attacker, cell.Spec.Probe) and the ξ₃ scores when M < 3 (cell.Record).
var DynNA = []string{"robust_train_loss", "robust_train_err", "robust_test_loss", "robust_test_err", "qk_xi3_sig", "qk_xi3_xi2"}

// Job returns the experiment: cells benign seeds 0..Seeds−1, then harmful.
// Seed r is shared by the two regimes (same noise draws and
// initialization; only ‖μ‖ differs).
func (d DynamicsConfig) Job(name string) *sweep.Job {
	type dynCell struct{ mu, tau float64 } // what a cell trains from (typed; its CSV fields are formatted from it)
	var grid []dynCell
	var params [][]string
	var seeds []uint64
	for _, benign := range []bool{true, false} {
		c := d.CHarmful
		if benign {
			c = d.CBenign
		}
		for r := 0; r < d.Seeds; r++ {
			mu := d.MuFor(d.N, c)
			dc := d.Data(d.N, mu)
			s := rngDerive(d.Seed, r)
			seeds = append(seeds, s)
			grid = append(grid, dynCell{mu: mu, tau: d.TauOverMu * mu})
			params = append(params, slices.Concat([]string{btoa(benign), itoa(d.N), ftoa(c), itoa(r), utoa(s), ftoa(mu),
				ftoa(dc.SNRStrong()), ftoa(dc.SNRWeak()), ftoa(d.TauOverMu), ftoa(d.TauOverMu * mu)}, d.params()))
		}
	}
	cells := sweep.NewCells(d.Seed, params)
	for i := range cells {
		cells[i].Seed = seeds[i]
	}
	return &sweep.Job{Name: name, Params: slices.Concat(dynParams, d.paramNames()), Metrics: dynMetrics,
		PerCell: d.MaxSteps/d.Every + 1, Cells: cells, NA: DynNA, Steps: d.MaxSteps,
		Run: func(c sweep.Cell) ([][]string, error) {
			g := grid[c.Index]
			return d.trajectory(g.mu, g.tau, c.Seed, c.Step)
		}}
}

// trajectory trains one cell for exactly MaxSteps updates (no stop rule:
// THEORY §3.1, the dynamics script) with a probe every Every steps
// (cell.Spec.Probe), and returns its logged rows: the step, the objective
// the optimizer saw at it and the probe.
func (d DynamicsConfig) trajectory(mu, tau float64, seed uint64, onStep func(int)) ([][]string, error) {
	spec := d.Spec(d.Data(d.N, mu), tau, seed).Fixed(d.MaxSteps)
	spec.Probe = d.Every
	run, err := cell.Train(cell.WithProgress(context.Background(), onStep), spec)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, r := range run.Records {
		row := []string{itoa(r.Step), mtoa(run.Losses[r.Step])}
		for _, v := range r.Floats()[1:] {
			row = append(row, mtoa(v))
		}
		rows = append(rows, row)
	}
	return rows, nil
}
