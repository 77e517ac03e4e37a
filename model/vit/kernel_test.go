package vit

import (
	"math"
	"math/rand/v2"
	"testing"

	"vitadv/internal/check"
)

// TestScaleScoresDividesBySqrtDh pins Arch.ScaleScores: the scores are multiplied by
// 1/√d_h (the usual transformer scaling), and by 1 without it.
//
// Closed form: Scale() is 1/2 at d_h = 4 and 1/3 at d_h = 9. Invariance:
// scaling the scores by s is the same as scaling W_Q by s, so a model with
// ScaleScores equals, to rounding, the model without it whose W_Q is
// multiplied by 1/√d_h (an identity that does not read Scale()).
// It kills mutant vit-scale-no-sqrt of mutate/catalogue.txt.
func TestScaleScoresDividesBySqrtDh(t *testing.T) {
	check.Near(t, "Scale(d_h=4)", Arch{D: 1, Dh: 4, Dv: 1, ScaleScores: true}.Scale(), 0.5, 0, 0)
	check.Near(t, "Scale(d_h=9)", Arch{D: 1, Dh: 9, Dv: 1, ScaleScores: true}.Scale(), 1.0/3, 1e-16, 0)
	check.Near(t, "Scale(unscaled)", Arch{D: 1, Dh: 9, Dv: 1}.Scale(), 1, 0, 0)

	const D, dh, M, n = 5, 4, 3, 2
	r := rand.New(rand.NewPCG(8, 8))
	scaled, err := New(Arch{D: D, Dh: dh, Dv: 3, ScaleScores: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][]float64{scaled.WQK, scaled.Wv, scaled.Wo} {
		for i := range w {
			w[i] = r.NormFloat64()
		}
	}
	plain := scaled.Clone()
	plain.ScaleScores = false
	wq, wk := plain.SplitQK()
	for i := range wq {
		wq[i] /= math.Sqrt(dh)
	}
	plain.JoinQK(wq, wk)
	x := make([]float64, n*M*D)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	fs := append([]float64(nil), scaled.Forward(NewWorkspace(scaled.Arch, M, n), x, n)...)
	fp := plain.Forward(NewWorkspace(plain.Arch, M, n), x, n)
	check.AllNear(t, "f(scaled) vs f(W_Q/√d_h)", fs, fp, 1e-12, 1e-12)
}

// TestForwardHugeScoresStaysFinite pins the numerically stable softmax (scores
// shifted by their row maximum before exp, docs/STYLE.md §1): with scores
// in the thousands, exp without the shift overflows to +Inf and the
// attention becomes Inf/Inf = NaN.
//
// Instance (closed form): D = 2, d_h = d_v = 1, W_Q = W_K = (a, 0)ᵀ with
// a = 30, W_V = (1, 0)ᵀ, w_O = 1, so u = e₁ and the score of query l on key
// j is a²·c_l·c_j for tokens x_l = c_l·e₁ with c = (2, 1, 1/2). Every c_l
// is positive, so each query row puts its weight on key 0 (largest c_j);
// the next score is smaller by at least a²·c_l·(2−1) ≥ 450, a relative
// weight ≤ e^{−450} ≈ 1e-196. Hence a₀ = 1, a₁ = a₂ = 0 and
// f = v₀ = x₀ᵀu = 2, to far below one ulp.
func TestForwardHugeScoresStaysFinite(t *testing.T) {
	m, err := New(Arch{D: 2, Dh: 1, Dv: 1})
	if err != nil {
		t.Fatal(err)
	}
	const a = 30.0
	m.JoinQK([]float64{a, 0}, []float64{a, 0})
	copy(m.Wv, []float64{1, 0})
	m.Wo[0] = 1
	c := []float64{2, 1, 0.5}
	x := make([]float64, 0, 6)
	for _, cl := range c {
		x = append(x, cl, 0)
	}
	const M = 3
	ws := NewWorkspace(m.Arch, M, 1)
	f := m.Forward(ws, x, 1)
	check.Finite(t, "attention S", ws.S[:M*M])
	check.Near(t, "f", f[0], 2, 0, 0)
	check.AllNear(t, "a", ws.A[:M], []float64{1, 0, 0}, 0, 1e-150) // e^{−450} ≈ 1e-196 is the true weight
	for l := 0; l < M; l++ {
		sum := 0.0
		for j := 0; j < M; j++ {
			sum += ws.S[l*M+j]
		}
		check.Near(t, "row sum", sum, 1, 0, 0)
	}
	// The gradient is finite too (and zero here: the attention is
	// saturated and only the value path is left, which depends on W_V).
	g := NewGrads(m.Arch)
	loss := m.LossGrad(ws, x, []float64{1}, 1, g)
	check.Near(t, "loss ℓ(2)", loss, math.Log1p(math.Exp(-2)), 1e-15, 0)
	check.Finite(t, "∇W_QK", g.WQK)
	check.Finite(t, "∇W_V", g.Wv)
}
