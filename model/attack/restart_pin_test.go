package attack

import (
	"slices"
	"testing"

	"vitadv/model/vit"
)

// TestPGDRestartsAreRandomPin pins Config.Restarts: runs after the first
// start at a uniform random point of the ball drawn from the Seed's stream
// (docs/THEORY.md §3.2, EvalConfig's "a zero start and four uniform random
// starts"). A restart that started at Δ = 0 again would repeat the first
// run bit for bit, so the result would not depend on Seed.
//
// Instance: a random non-uniform model, Frobenius budget τ = 1/2 and a
// single step of size 1e-6, so the zero-start run barely moves and the
// random starts (radius ≈ τ) decide the best iterate of most samples.
func TestPGDRestartsAreRandomPin(t *testing.T) {
	in := newInstance(vit.Arch{D: 4, Dh: 2, Dv: 2}, 3, 6, 0.5, 1, 7, false)
	run := func(restarts int, seed uint64) (xadv, loss []float64) {
		p, err := NewPGD(Config{Set: Frobenius, Tau: 0.5, Steps: 1, StepSize: 1e-6, Restarts: restarts, Seed: seed}, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv = make([]float64, len(in.x))
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
		return xadv, slices.Clone(p.Result().Loss)
	}
	// Control: one run from Δ = 0 does not read the stream.
	a1, l1 := run(1, 1)
	b1, _ := run(1, 2)
	if !slices.Equal(a1, b1) {
		t.Fatal("a single zero-start run depends on Seed")
	}
	a3, l3 := run(3, 1)
	b3, _ := run(3, 2)
	if slices.Equal(a3, b3) {
		t.Error("with Restarts = 3 the result does not depend on Seed: the restarts are not random")
	}
	better := 0
	for i := range l1 {
		if !(l3[i] >= l1[i]) {
			t.Errorf("sample %d: loss with restarts %g < single-run loss %g (the best iterate must include the first run)", i, l3[i], l1[i])
		}
		if l3[i] > l1[i] {
			better++
		}
	}
	if better == 0 {
		t.Error("no random restart improved on the near-stationary zero-start run for any of the samples")
	}
}
