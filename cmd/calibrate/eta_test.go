package main

import (
	"testing"
	"time"

	"vitadv/theorems"
)

// TestETACostsTauRuns: after a phase grid whose runs stopped at a tenth of
// MaxSteps in 1 min, the ETA of the τ sweep left weighs its fixed-horizon
// adversarial runs by their cost — 11 passes per step, MechSteps steps,
// never stopping early — instead of counting them like phase runs (the
// count-based ETA the command had: 1 min × 30/100 = 18 s). Control: the
// stop-rule fraction is measured, so phase runs left are costed at a
// tenth of MaxSteps too.
func TestETACostsTauRuns(t *testing.T) {
	sc := theorems.Tiny()
	var phase, tau []theorems.Instance
	for s := 1; s <= 100; s++ {
		phase = append(phase, sc.Cell(16, 4, 0, uint64(s)))
	}
	for s := 1; s <= 30; s++ {
		tau = append(tau, sc.Cell(16, 16, 0.5, uint64(s)).Fixed(sc.MechSteps))
	}
	// One tau run costs 11 × MechSteps / (MaxSteps/10) phase runs as run.
	perTau := float64(trainPasses) * float64(sc.MechSteps) / (float64(sc.MaxSteps) / 10)
	m := newETA(append(append([]theorems.Instance{}, phase...), tau...))
	for _, in := range phase {
		m.finish(in, sc.MaxSteps/10)
	}
	want := time.Duration(float64(time.Minute) * 30 * perTau / 100).Round(time.Second)
	if got := m.eta(time.Minute); got != want {
		t.Errorf("ETA after the phase grid (1 min) = %v, want %v (30 τ runs of %g phase runs each)", got, want, perTau)
	}
	// Half the phase grid done: the other half is costed as run so far.
	h := newETA(append(append([]theorems.Instance{}, phase...), tau...))
	for _, in := range phase[:50] {
		h.finish(in, sc.MaxSteps/10)
	}
	want = time.Duration(float64(30*time.Second) * (50 + 30*perTau) / 50).Round(time.Second)
	if got := h.eta(30 * time.Second); got != want {
		t.Errorf("ETA after half the phase grid (30 s) = %v, want %v", got, want)
	}
	if got := newETA(phase).eta(time.Minute); got != 0 {
		t.Errorf("ETA with nothing finished = %v, want 0 (unknown)", got)
	}
}
