package main

import (
	"time"

	"vitadv/theorems"
)

// trainPasses is the forward-backward passes per GD step of adversarial
// training: the PGD-10 training attack (attack.TrainConfig) and the
// update itself.
const trainPasses = 10 + 1

// runCost estimates the relative run time of a training of steps GD
// steps: steps times N samples times the passes per step (1 clean,
// trainPasses under a budget τ > 0) times the work of one pass on one
// sample, M tokens of dimension d through widths d_h and d_v (the flops of
// vit's forward pass, up to a constant).
func runCost(inst theorems.Instance, steps int) float64 {
	passes := 1.0
	if inst.Tau > 0 {
		passes = trainPasses
	}
	a, d := inst.Arch, inst.Data
	pass := float64(d.M) * float64(d.D) * float64(a.Dh+a.Dv)
	return float64(float64(steps) * float64(d.N) * passes * pass) // rounded: no fused multiply-add at the callers (.ci/nofuse)
}

// etaModel is the ETA of a list of trainings. A run with the stop rule
// (the phase grid) may stop long before MaxSteps, a fixed-horizon run (the
// τ sweep) never does: the runs left are costed at MaxSteps, those with
// the stop rule scaled by the fraction of their MaxSteps the finished ones
// ran; time per unit of cost is measured on the finished runs.
type etaModel struct {
	doneCost            float64 // cost of the steps the finished runs ran
	stopPlan, stopRan   float64 // finished stop-rule runs: cost at MaxSteps, cost run
	leftStop, leftFixed float64 // runs not finished, at MaxSteps
}

func newETA(insts []theorems.Instance) *etaModel {
	m := &etaModel{}
	for _, in := range insts {
		if in.Train.Target > 0 {
			m.leftStop += runCost(in, in.Train.MaxSteps)
		} else {
			m.leftFixed += runCost(in, in.Train.MaxSteps)
		}
	}
	return m
}

// finish records a run that ran steps steps.
func (m *etaModel) finish(in theorems.Instance, steps int) {
	plan, ran := runCost(in, in.Train.MaxSteps), runCost(in, steps)
	m.doneCost += ran
	if in.Train.Target > 0 {
		m.leftStop -= plan
		m.stopPlan += plan
		m.stopRan += ran
	} else {
		m.leftFixed -= plan
	}
}

// eta is the time left after el: 0 until a run has finished.
func (m *etaModel) eta(el time.Duration) time.Duration {
	if !(m.doneCost > 0) {
		return 0
	}
	frac := 1.0
	if m.stopPlan > 0 {
		frac = m.stopRan / m.stopPlan
	}
	left := float64(max(0, m.leftStop)*frac) + max(0, m.leftFixed)
	return time.Duration(float64(el) / m.doneCost * left).Round(time.Second)
}
