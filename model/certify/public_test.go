package certify_test

import (
	"errors"
	"math"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// TestCertificateBelowAttacksFromOutside: from outside the package, on
// random non-uniform models and every perturbation set, the certified
// lower bound of the worst margin never exceeds a margin an attack (APGD,
// 30 steps, one restart) actually reaches inside the same ball, the bound
// at τ = 0 never exceeds the clean margin, and Evaluate's ErrUB is at least
// the attacks' robust error (the bracket is ordered). Negative control:
// the τ = 0 bound compared with the attacked margins at τ > 0 fails
// somewhere, so the comparison is not vacuous.
func TestCertificateBelowAttacksFromOutside(t *testing.T) {
	controlFails := 0
	for seed := uint64(1); seed <= 3; seed++ {
		cfg := data.Config{D: 12, M: 3, N: 2, NTest: 8, MuNorm: 3, Sigma2: 1, SigmaW: 0.3, Project: true}
		_, test, err := data.Draw(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		m, err := vit.NewInit(vit.Arch{D: cfg.D, Dh: 3, Dv: 3}, vit.Init{Law: vit.Gaussian, Shrink: 0.3}, seed)
		if err != nil {
			t.Fatal(err)
		}
		c, err := certify.New(m, cfg.M)
		if err != nil {
			t.Fatal(err)
		}
		ws := vit.NewWorkspace(m.Arch, cfg.M, test.N)
		clean := append([]float64(nil), m.Forward(ws, test.X, test.N)...)
		for _, set := range attack.Sets() {
			zero := make([]float64, test.N)
			for i := range test.N {
				zero[i] = c.Margin(test.Sample(i), test.Y[i], set, 0)
				if !(zero[i] <= test.Y[i]*clean[i]) {
					t.Errorf("seed %d, %s, point %d: bound at τ = 0 %.17g above the clean margin %.17g", seed, set, i, zero[i], test.Y[i]*clean[i])
				}
			}
			for _, tau := range []float64{0.3, 1, 3} {
				ap, err := attack.NewAPGD(attack.APGDConfig{Set: set, Tau: tau, Steps: 30, Restarts: 1, Seed: seed}, m.Arch, cfg.M, test.N)
				if err != nil {
					t.Fatal(err)
				}
				xadv := make([]float64, len(test.X))
				ap.Perturb(m, test.X, test.Y, test.N, xadv)
				for i, reached := range ap.Margins() {
					if b := c.Margin(test.Sample(i), test.Y[i], set, tau); !(b <= reached) {
						t.Errorf("seed %d, %s, τ %g, point %d: certified %.17g above the attacked margin %.17g", seed, set, tau, i, b, reached)
					}
					if !(zero[i] <= reached) {
						controlFails++
					}
				}
				res, err := c.Evaluate(test, set, tau)
				if err != nil {
					t.Fatal(err)
				}
				rob, err := attack.Evaluate(m, test, test.N, ap)
				if err != nil {
					t.Fatal(err)
				}
				if !(rob.Error <= res.ErrUB) {
					t.Errorf("seed %d, %s, τ %g: attacks' robust error %g above the certified bound %g", seed, set, tau, rob.Error, res.ErrUB)
				}
			}
		}
	}
	if controlFails == 0 {
		t.Error("negative control: the τ = 0 bound was below every attacked margin; the soundness comparison cannot fail")
	}
}

// TestCertifierRejectsBadInput: bad arguments are a *valid.Error naming
// the field; the certified radius is 0 for a misclassified point.
func TestCertifierRejectsBadInput(t *testing.T) {
	m, err := vit.New(vit.Arch{D: 4, Dh: 1, Dv: 1})
	if err != nil {
		t.Fatal(err)
	}
	m.Wv[0], m.Wo[0] = 1, 1
	var ve *valid.Error
	if _, err := certify.New(m, 0); !errors.As(err, &ve) {
		t.Errorf("New(M = 0): %v, want a *valid.Error", err)
	}
	c, err := certify.New(m, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := &data.Set{N: 2, M: 2, D: 4, X: make([]float64, 16), Y: []float64{1, -1}, Clean: []float64{1, -1}}
	for _, tau := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := c.Evaluate(s, attack.Frobenius, tau); !errors.As(err, &ve) || ve.Field != "Tau" {
			t.Errorf("Evaluate(τ = %v): %v, want a *valid.Error on Tau", tau, err)
		}
	}
	if _, err := c.Evaluate(s, attack.Set("l3"), 1); !errors.As(err, &ve) {
		t.Errorf("Evaluate(set l3): %v, want a *valid.Error", err)
	}
	x := []float64{-1, 0, 0, 0, -1, 0, 0, 0} // f = −1 < 0 with label +1
	if r := c.Radius(x, 1, attack.Frobenius, 1, 20); r != 0 {
		t.Errorf("radius of a misclassified point %g, want 0", r)
	}
}
