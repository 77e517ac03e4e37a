package certify

import (
	"errors"
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// trained returns a small adversarially trained-free model (Gaussian init,
// shrink 1 so attention is not uniform) and a drawn test set.
func smallSet(t testing.TB) (*vit.Model, *data.Set, data.Signals) {
	dc := data.Config{D: 16, M: 3, N: 4, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.2, Project: true}
	_, te, err := data.Draw(dc, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: 16, Dh: 8, Dv: 8}, vit.Init{Law: vit.Gaussian, Shrink: 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Make it classify by the signal token: w_O so that u ≈ e_0 − e_1.
	for i := range m.Wv {
		m.Wv[i] = 0
	}
	m.Wv[0*8+0], m.Wv[1*8+1] = 1, 1
	for i := range m.Wo {
		m.Wo[i] = 0
	}
	m.Wo[0], m.Wo[1] = 1, -1
	return m, te, data.SignalsOf(dc)
}

// TestRadiusBracket: on every test point the certified radius is at most
// the FMN attack radius (the bracket is ordered: a certificate beyond a
// witnessed adversarial point would be unsound), and both are finite and
// positive for this separable model.
func TestRadiusBracket(t *testing.T) {
	m, te, _ := smallSet(t)
	for _, set := range attack.Sets() {
		f, err := attack.NewFMN(attack.FMNConfig{Set: set, Steps: 100}, m.Arch, te.M, te.N)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(te.X))
		f.Perturb(m, te.X, te.Y, te.N, xadv)
		c, _ := New(m, te.M)
		for i := 0; i < te.N; i++ {
			ra := f.Radii()[i]
			rc := c.Radius(te.Sample(i), te.Y[i], set, 10, 20)
			if !check.LE(rc, ra) || !(rc > 0) {
				t.Fatalf("%s point %d: certified radius %v, attack radius %v", set, i, rc, ra)
			}
		}
	}
}

// TestEvaluateErrors: bad arguments return a *valid.Error naming the field.
func TestEvaluateErrors(t *testing.T) {
	m, te, _ := smallSet(t)
	c, _ := New(m, te.M)
	bad := *te
	bad.M = 2
	for _, tc := range []struct {
		s     *data.Set
		set   attack.Set
		tau   float64
		field string
	}{
		{nil, attack.Frobenius, 1, "Set.N"},
		{&bad, attack.Frobenius, 1, "Set.M"},
		{te, "l3", 1, "Set"},
		{te, attack.Frobenius, -1, "Tau"},
		{te, attack.Frobenius, math.Inf(1), "Tau"},
	} {
		_, err := c.Evaluate(tc.s, tc.set, tc.tau)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("Evaluate error %v, want a *valid.Error on %s", err, tc.field)
		}
	}
	if _, err := New(m, 0); err == nil {
		t.Error("New with M = 0 accepted")
	}
}

// TestBracketOrdered: on a data set the certified error bound is never
// below the attacks' error (lb ≤ ub), at several budgets and sets, and the
// bracket closes at τ = 0 (both are the clean error when every correctly
// classified point has a clear margin).
func TestBracketOrdered(t *testing.T) {
	m, te, sig := smallSet(t)
	c, _ := New(m, te.M)
	for _, set := range attack.Sets() {
		for _, tau := range []float64{0, 0.5, 1, 2, 4} {
			rob, err := attack.RobustEval(m, te, sig, set, tau, 1)
			if err != nil {
				t.Fatal(err)
			}
			cr, err := c.Evaluate(te, set, tau)
			if err != nil {
				t.Fatal(err)
			}
			if !check.LE(rob.Error, cr.ErrUB) {
				t.Fatalf("%s τ=%v: lb %v > ub %v", set, tau, rob.Error, cr.ErrUB)
			}
			for i := range cr.Bounds {
				if !check.LE(cr.Bounds[i], rob.Margins[i]) {
					t.Fatalf("%s τ=%v point %d: certificate %v above the attack margin %v", set, tau, i, cr.Bounds[i], rob.Margins[i])
				}
			}
			if tau == 0 {
				check.Near(t, "bracket width at τ = 0", cr.ErrUB-rob.Error, 0, 0, 0)
			}
		}
	}
}
