package experiment

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"vitadv/model/cell"
	"vitadv/model/store"
	"vitadv/model/valid"
)

// StepAxis is the step-size axis of the τ sweep and the phase diagram
// (issue 17 items 2 and 3): several step sizes η in one file, runs ended
// at a matched gradient-flow time η·T, and the early trajectory of every
// cell. Its zero value is today's sweep: one η (Setup.Eta), Setup.MaxSteps
// updates, no trajectory files, and exactly today's columns.
type StepAxis struct {
	// Etas, when it has two or more values, makes η an axis (outermost:
	// cells ordered by η, then as before); the CSV column eta holds each
	// cell's η. Empty or one value: Setup.Eta alone.
	Etas []float64
	// FlowTime, when > 0, ends every run at gradient-flow time
	// η·T = FlowTime (cell.Spec.FlowTime: at most cell.FlowSteps(FlowTime,
	// η) updates, the max_steps column) or at the loss target (-target),
	// whichever comes first. The file gains the parameter column flow_time
	// and the metrics flow_time_reached (steps·η) and censored (1 when the
	// η·T ceiling ended the run before the target was reached; with
	// -target 0 every run is censored).
	FlowTime float64
	// Early, when > 0, writes each cell's trajectory — probes at every GD
	// step up to Early, then on cell.NextLogProbe's log-spaced schedule,
	// and at the end — to <out>.traj/cell-<index>.csv (TrajDir).
	Early int
	// AdvAttention adds the metrics a1_adv, a2_adv, entropy_adv and
	// max_a_adv: the mean attention on the test inputs after the
	// evaluation PGD at the cell's budget (cell.Run.AdvAttention; the
	// clean test inputs at τ = 0), beside a1 … max_a on the clean ones.
	AdvAttention bool
}

// etas returns the step sizes of the sweep: Etas, or [eta] when Etas has
// fewer than two values.
func (a StepAxis) etas(eta float64) []float64 {
	if len(a.Etas) >= 2 {
		return a.Etas
	}
	return []float64{eta}
}

// gridEtas returns the η each block of the grid writes into its cells'
// GridCell.Eta: Etas when η is an axis, else one block with 0 (the setup's
// η: today's cells, bit for bit).
func (a StepAxis) gridEtas() []float64 {
	if a.isAxis() {
		return a.Etas
	}
	return []float64{0}
}

// isAxis reports whether η is an axis of the sweep.
func (a StepAxis) isAxis() bool { return len(a.Etas) >= 2 }

// validate returns a *valid.Error naming the flag (eta, flow-time,
// early-steps) of the first bad field; s is the sweep's setup.
func (a StepAxis) validate(s Setup) error {
	for i, eta := range a.Etas {
		if err := floatIn("eta", eta, 0, MaxEta, false); err != nil {
			return err
		}
		if slices.Contains(a.Etas[:i], eta) {
			return &valid.Error{Field: "eta", Value: a.Etas, Rule: fmt.Sprintf("%g appears twice (a grid axis lists each value once)", eta)}
		}
	}
	if err := valid.First(floatIn("flow-time", a.FlowTime, 0, MaxFlowTime, true), intIn("early-steps", a.Early, 0, MaxSteps)); err != nil {
		return err
	}
	if a.FlowTime > 0 {
		for _, eta := range a.etas(s.Eta) {
			if n := cell.FlowSteps(a.FlowTime, eta); n < 1 || n > MaxSteps {
				return &valid.Error{Field: "flow-time", Value: a.FlowTime, Rule: fmt.Sprintf("at η = %g needs about %.3g GD steps; want at most %.0f (experiment.MaxSteps)", eta, a.FlowTime/eta, float64(MaxSteps))}
			}
		}
	}
	return nil
}

// MaxFlowTime bounds the gradient-flow time η·T of a run.
const MaxFlowTime = 1e9

// at returns the setup of cell g: its step size (g.Eta, when set) and,
// with a flow time, its step ceiling cell.FlowSteps(FlowTime, η).
func (a StepAxis) at(s Setup, g GridCell) Setup {
	if g.Eta > 0 {
		s.Eta = g.Eta
	}
	if a.FlowTime > 0 {
		s.MaxSteps = cell.FlowSteps(a.FlowTime, s.Eta)
	}
	return s
}

// axisParams and axisMetrics are the columns the axis adds (none at its zero
// value).
func (a StepAxis) axisParams() []string {
	if a.FlowTime > 0 {
		return []string{"flow_time"}
	}
	return nil
}

func (a StepAxis) axisMetrics() []string {
	var m []string
	if a.FlowTime > 0 {
		m = append(m, "flow_time_reached", "censored")
	}
	if a.AdvAttention {
		m = append(m, "a1_adv", "a2_adv", "entropy_adv", "max_a_adv")
	}
	return m
}

// paramFields and metricFields format the added columns of one cell.
func (a StepAxis) paramFields() []string {
	if a.FlowTime > 0 {
		return []string{ftoa(a.FlowTime)}
	}
	return nil
}

func (a StepAxis) metricFields(eta float64, out Outcome) []string {
	var f []string
	if a.FlowTime > 0 {
		res := out.Run.Result
		f = append(f, mtoa(float64(float64(res.Steps)*eta)), btoa(!res.Converged))
	}
	if a.AdvAttention {
		at := out.AdvAttention
		f = append(f, mtoa(at.A1), mtoa(at.A2), mtoa(at.Entropy), mtoa(at.MaxA))
	}
	return f
}

// TrajDir returns the directory of the per-cell trajectory files of the
// sweep written to base path out: <out>.traj.
func TrajDir(out string) string { return out + ".traj" }

// trajColumns are the columns of a cell's trajectory file.
var trajColumns = []string{"step", "flow_time", "robust_train_loss", "train_loss", "train_err", "test_loss", "test_err",
	"a1", "a2", "entropy", "max_a", "gamma_plus", "gamma_minus", "rho_median"}

// writeTraj writes the probes of a cell's run to <dir>/cell-<index>.csv,
// atomically: step, η·step, the (robust, at τ > 0) training loss before
// that step's update (cell.Run.Losses), and the probe's clean quantities
// (attention a₁, a₂, entropy and max a on the clean test inputs).
func writeTraj(dir string, index int, eta float64, run *cell.Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("cell-%d.csv", index))
	return store.WriteFileAtomic(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, joinComma(trajColumns)); err != nil {
			return err
		}
		for _, r := range run.Records {
			loss := run.Losses[r.Step]
			if _, err := fmt.Fprintf(w, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r.Step, mtoa(float64(float64(r.Step)*eta)), mtoa(loss),
				mtoa(r.TrainLoss), mtoa(r.TrainErr), mtoa(r.TestLoss), mtoa(r.TestErr), mtoa(r.A1), mtoa(r.A2), mtoa(r.Entropy), mtoa(r.MaxA),
				mtoa(r.GammaPlus), mtoa(r.GammaMinus), mtoa(r.RhoMedian)); err != nil {
				return err
			}
		}
		return nil
	})
}
