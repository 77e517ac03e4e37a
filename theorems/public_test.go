package theorems_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/vit"
	"vitadv/theorems"
)

// TestLinearCollapseMarginFromOutside: through the exported API, P10 holds
// on random uniform-attention models (W_Q W_Kᵀ = 0, random W_V, w_O, X)
// in every perturbation set at several budgets, and each of its bounds
// prints both sides; a model with non-uniform attention is a
// *theorems.HypothesisError carrying the value and the limit, not a
// verdict. Negative control: Strengthen = 1.3 (a bound claiming 30% less
// loss of margin, which is false) fails on every instance, so the verdict
// can fail.
func TestLinearCollapseMarginFromOutside(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	k := theorems.Defaults()
	checked := 0
	for trial := range 20 {
		D, M := 2+trial%4, 2+trial%3
		m, err := vit.New(vit.Arch{D: D, Dh: 2, Dv: 3})
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Wv {
			m.Wv[i] = r.NormFloat64()
		}
		for i := range m.Wo {
			m.Wo[i] = r.NormFloat64()
		}
		x := make([]float64, M*D)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		y := float64(1 - 2*(trial%2))
		for _, set := range attack.Sets() {
			for _, tau := range []float64{0.1, 1, 4} {
				v, err := theorems.LinearCollapseMargin(m, x, y, nil, set, tau, k)
				if err != nil {
					t.Fatalf("trial %d, %s, τ %g: %v", trial, set, tau, err)
				}
				if !v.Holds() {
					t.Errorf("trial %d, %s, τ %g: P10 fails:\n%v", trial, set, tau, v)
				}
				strong := k
				strong.Strengthen = 1.3
				if w, err := theorems.LinearCollapseMargin(m, x, y, nil, set, tau, strong); err != nil || w.Holds() {
					t.Errorf("trial %d, %s, τ %g: the 30%% stronger (false) bound holds (err %v):\n%v", trial, set, tau, err, w)
				}
				checked++
			}
		}
	}
	if checked != 20*len(attack.Sets())*3 {
		t.Errorf("checked %d instances", checked)
	}

	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1
	m.JoinQK([]float64{1, 0}, []float64{0, 1})
	_, err := theorems.LinearCollapseMargin(m, []float64{1, 0, 0, 1}, 1, nil, attack.Frobenius, 0.5, k)
	var h *theorems.HypothesisError
	if !errors.As(err, &h) || !(h.Value > h.Limit) {
		t.Errorf("non-uniform attention: %v, want a *HypothesisError with Value > Limit", err)
	}
}

// TestMonotoneInTauFromOutside: P9 holds on a non-decreasing error curve
// and on one that dips by less than MonoTol, fails on a dip larger than
// MonoTol between non-adjacent points (the pairwise rule, not only
// consecutive steps), and refuses a grid that is not increasing with a
// *theorems.HypothesisError.
func TestMonotoneInTauFromOutside(t *testing.T) {
	k := theorems.Defaults()
	taus := []float64{0, 0.1, 0.2, 0.3}
	for _, c := range []struct {
		errs []float64
		want bool
	}{
		{[]float64{0.1, 0.1, 0.2, 0.5}, true},
		{[]float64{0.1, 0.08, 0.2, 0.5}, true},                  // dip 0.02 < MonoTol = 0.03
		{[]float64{0.2, 0.18, 0.16, 0.15}, false},               // 0.02 per step, 0.05 overall
		{[]float64{0.1, math.NaN(), 0.2, 0.5}, false},           // NaN fails
		{[]float64{0.3, 0.3 - k.MonoTol*1.01, 0.4, 0.5}, false}, // just beyond MonoTol
	} {
		v, err := theorems.MonotoneInTau(taus, c.errs, k)
		if err != nil {
			t.Fatalf("%v: %v", c.errs, err)
		}
		if v.Holds() != c.want {
			t.Errorf("errors %v: holds %v, want %v:\n%v", c.errs, v.Holds(), c.want, v)
		}
	}
	var h *theorems.HypothesisError
	if _, err := theorems.MonotoneInTau([]float64{0, 0.2, 0.1}, []float64{0.1, 0.2, 0.3}, k); !errors.As(err, &h) {
		t.Errorf("decreasing τ grid: %v, want a *HypothesisError", err)
	}
}
