package vitref_test

import (
	"math"
	"testing"

	"vitadv/model/vit"
	"vitadv/model/vit/vitref"
)

// TestEvalAgainstClosedForm checks the reference from outside on the one
// model with a closed form that does not use the reference's own formulas:
// W_Q = e₁ ⊗ 1 scaled by c, W_K = e₁ (D = 2, d_h = 1) on two tokens
// (1, 0) and (0, 1) makes the score matrix z_lj = c·x_l1·x_j1, so row 0 of
// the softmax puts e^c/(e^c + 1) on token 0 and row 1 is uniform; with
// u = W_V w_O = (3, 4), f = ½[(3e^c + 4)/(e^c + 1) + 7/2]. The reference
// must meet it to 4 ulps, and must not meet it at c + 1e-3 (negative
// control: the comparison resolves the score).
func TestEvalAgainstClosedForm(t *testing.T) {
	closed := func(c float64) float64 {
		p := math.Exp(c) / (math.Exp(c) + 1)
		return 0.5 * (3*p + 4*(1-p) + 3.5)
	}
	for _, c := range []float64{0, 0.5, 3, 20} {
		m, err := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
		if err != nil {
			t.Fatal(err)
		}
		m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1
		m.JoinQK([]float64{c, 0}, []float64{1, 0})
		x := []float64{1, 0, 0, 1}
		r := vitref.Eval(m, x, 2)
		if want := closed(c); !(math.Abs(r.F-want) <= 4*0x1p-52*math.Abs(want)) {
			t.Errorf("c = %g: reference f = %.17g, closed form %.17g", c, r.F, want)
		}
		if c > 0 {
			if bad := closed(c + 1e-3); math.Abs(r.F-bad) <= 4*0x1p-52*math.Abs(bad) {
				t.Errorf("negative control: c = %g matched the closed form at c + 1e-3", c)
			}
		}
		if len(r.X) != len(x) || len(r.WQK) != len(m.WQK) || len(r.Wv) != len(m.Wv) || len(r.Wo) != len(m.Wo) {
			t.Errorf("c = %g: gradient shapes %d %d %d %d, want the model's", c, len(r.X), len(r.WQK), len(r.Wv), len(r.Wo))
		}
		if got := r.Spread(2); !(math.Abs(got-c) <= 1e-15*c) {
			t.Errorf("c = %g: score spread %g, want c", c, got)
		}
	}
}
