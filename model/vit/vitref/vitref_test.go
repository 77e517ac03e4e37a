package vitref

import (
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/vit"
)

// TestExp: the multi-precision exponential rounds to math.Exp's value
// within one ulp on [−745, 0] (math.Exp is within 1 ulp of e^x).
func TestExp(t *testing.T) {
	for _, x := range []float64{0, -1e-30, -0x1p-30, -0.5, -1, -2.5, -30, -100, -700, -708.3} {
		got := f64(exp(bf(x)))
		want := math.Exp(x)
		check.Near(t, "exp", got, want, 2*0x1p-53, 0)
	}
	// e^{−1}·e^{−2} = e^{−3} at full precision.
	a := mul(exp(bf(-1)), exp(bf(-2)))
	d := sub(a, exp(bf(-3)))
	if rel, _ := quo(d, a).Float64(); !check.LE(math.Abs(rel), 0x1p-1400) {
		t.Errorf("e^-1·e^-2 − e^-3 relative %g, want < 2^-1400", rel)
	}
}

// TestEvalUniform: with W_Q = W_K = 0 every attention weight is 1/M, so
// f = (1/M) Σ_l x_lᵀu, ∂f/∂x_l = u/M, ∂f/∂W_V = (Xᵀ1/M) w_Oᵀ, and
// ∂f/∂W_Q = Xᵀ G K = 0 since K = 0 (likewise ∂f/∂W_K, with Q = 0).
// A negative control: a perturbed model changes the results.
func TestEvalUniform(t *testing.T) {
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, -4, 0.5 // u = (1.5, −2)
	x := []float64{1, 2, -3, 0.25, 0.5, 7}
	const M = 3
	r := Eval(m, x, M)
	f := (1.5*(1-3+0.5) - 2*(2+0.25+7)) / M
	check.Near(t, "f", r.F, f, 2*0x1p-53, 0)
	check.AllNear(t, "∂f/∂X", r.X, []float64{0.5, -2.0 / 3, 0.5, -2.0 / 3, 0.5, -2.0 / 3}, 2*0x1p-53, 0)
	check.AllNear(t, "∂f/∂W_V", r.Wv, []float64{(1 - 3 + 0.5) / 3 * 0.5, (2 + 0.25 + 7) / 3 * 0.5}, 2*0x1p-53, 0)
	check.AllNear(t, "∂f/∂WQK", r.WQK, []float64{0, 0, 0, 0}, 0, 0)
	check.AllNear(t, "∂f/∂w_O", r.Wo, []float64{(3*(1-3+0.5) - 4*(2+0.25+7)) / 3}, 2*0x1p-53, 0)

	m.JoinQK([]float64{1, 0}, []float64{0, 1})
	if r2 := Eval(m, x, M); r2.F == r.F {
		t.Errorf("control: non-uniform attention left f unchanged (%v)", r2.F)
	}
}
