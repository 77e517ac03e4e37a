package vit

import (
	"math"
	"math/rand/v2"
	"testing"

	"vitadv/internal/check"
)

// TestScaleScoresPin pins Arch.ScaleScores: the scores are multiplied by
// 1/√d_h (the usual transformer scaling), and by 1 without it.
//
// Closed form: Scale() is 1/2 at d_h = 4 and 1/3 at d_h = 9. Invariance:
// scaling the scores by s is the same as scaling W_Q by s, so a model with
// ScaleScores equals, to rounding, the model without it whose W_Q is
// multiplied by 1/√d_h (an identity that does not read Scale()).
func TestScaleScoresPin(t *testing.T) {
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
