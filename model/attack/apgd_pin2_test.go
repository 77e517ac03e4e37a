package attack

import (
	"math"
	"testing"

	"vitadv/model/vit"
)

// apgdTwoSteps is APGD (Croce & Hein 2020, Alg. 1) with two steps from
// Δ⁰ = 0 written out: η = 2τ,
//
//	Δ¹ = P(Δ⁰ + η·dir(∇L(Δ⁰)))                          (no momentum at k = 0)
//	z  = P(Δ¹ + η·dir(∇L(Δ¹)))
//	Δ² = P(Δ¹ + α(z − Δ¹) + (1 − α)(Δ¹ − Δ⁰)),  α = 0.75,
//
// L = −y f, dir the set's steepest-ascent direction, P the projection; the
// checkpoint after step 1 (⌈0.22·2⌉ = 1) keeps η when L rose (ρ = 0.75 of
// one step), which the caller checks. beta replaces 1 − α (the negative
// control). It returns Δ² and the margins y f at Δ⁰, Δ¹, Δ².
func apgdTwoSteps(m *vit.Model, set Set, x []float64, y float64, M int, tau, beta float64) (d2 []float64, mg [3]float64) {
	S := len(x)
	ws := vit.NewWorkspace(m.Arch, M, 1)
	xc := make([]float64, S)
	f := func(d []float64) float64 {
		for j := range d {
			xc[j] = x[j] + d[j]
		}
		return y * m.Forward(ws, xc, 1)[0]
	}
	grad := func(d []float64) []float64 {
		f(d)
		g := make([]float64, S)
		m.Backward(ws, xc, 1, []float64{-y}, nil, g)
		return set.ascentTo(g, g, M)
	}
	eta := 2 * tau
	d0 := make([]float64, S)
	mg[0] = f(d0)
	g0 := grad(d0)
	d1 := make([]float64, S)
	for j := range d1 {
		d1[j] = d0[j] + eta*g0[j]
	}
	set.Project(d1, M, tau)
	mg[1] = f(d1)
	g1 := grad(d1)
	z := make([]float64, S)
	for j := range z {
		z[j] = d1[j] + eta*g1[j]
	}
	set.Project(z, M, tau)
	for j := range z {
		z[j] = d1[j] + apgdMomentum*(z[j]-d1[j]) + beta*(d1[j]-d0[j])
	}
	set.Project(z, M, tau)
	mg[2] = f(z)
	return z, mg
}

// TestAPGDTwoStepsPin2: APGD with Steps = 2 and no restart equals the
// written-out recursion (momentum weight 1 − α on Δ¹ − Δ⁰) on nonlinear
// models in every set, when the loss rose on step 1 (so the checkpoint
// keeps the step): its last iterate is Δ² and its margin the least of the
// three. Negative control: the recursion with momentum weight 1 differs
// from APGD on some instance.
func TestAPGDTwoStepsPin2(t *testing.T) {
	if got := apgdCheckpoints(2); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("apgdCheckpoints(2) = %v, want [0 1]", got)
	}
	compared, controlDiffers := 0, 0
	for seed := uint64(0); seed < 120; seed++ {
		a := vit.Arch{D: 2 + int(seed%5), Dh: 1 + int(seed%3), Dv: 1 + int(seed/3%3), ScaleScores: seed%2 == 0}
		M := 2 + int(seed/5%3)
		in := newInstance(a, M, 1, 1, 1, 700+seed, false)
		set := Sets()[seed%uint64(len(Sets()))]
		tau := 0.25 * float64(1+seed%4)
		ap, err := NewAPGD(APGDConfig{Set: set, Tau: tau, Steps: 2, Restarts: 0, Seed: seed}, a, M, 1)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		ap.Perturb(in.m, in.x, in.y, 1, xadv)
		want, mg := apgdTwoSteps(in.m, set, in.x, in.y[0], M, tau, 1-apgdMomentum)
		if !(mg[1] < mg[0]) {
			continue // the checkpoint halves η and restarts from Δ⁰: another recursion
		}
		compared++
		wantMg := math.Min(mg[0], math.Min(mg[1], mg[2]))
		if got := ap.Margins()[0]; got != wantMg {
			t.Errorf("seed %d (%s, τ %v): APGD margin %v, recursion %v (margins %v)", seed, set, tau, got, wantMg, mg)
		}
		for j, v := range want {
			if ap.cur[j] != v {
				t.Errorf("seed %d (%s): last iterate Δ²[%d] = %v, recursion %v", seed, set, j, ap.cur[j], v)
				break
			}
		}
		bad, _ := apgdTwoSteps(in.m, set, in.x, in.y[0], M, tau, 1)
		for j, v := range bad {
			if math.Abs(ap.cur[j]-v) > 1e-9 {
				controlDiffers++
				break
			}
		}
	}
	if compared < 30 {
		t.Fatalf("only %d of 120 instances had a rising loss on step 1; the test compares too little", compared)
	}
	if controlDiffers == 0 {
		t.Error("negative control: momentum weight 1 matched APGD on every instance; the comparison cannot fail")
	}
	t.Logf("compared %d instances; the momentum-1 control differed on %d", compared, controlDiffers)
}
