package theorems

import (
	"math"
	"strings"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/data"
)

// TestRegimeBoundaryBandPin pins P7's band (THEORY §8 P7): at Strengthen
// = 1 the bounds on τ*·log d_h/‖μ‖ are exactly [C1, C1Hi]; Strengthen s
// narrows it about the geometric centre √(C1·C1Hi) (the product of the
// two ends stays C1·C1Hi and their ratio becomes (C1Hi/C1)^(1/s)).
func TestRegimeBoundaryBandPin(t *testing.T) {
	tau := []float64{0, 0.1, 0.2, 0.4}
	a1 := []float64{0.9, 0.8, 0.3, 0.25}
	for _, s := range []float64{1, 1.3} {
		k := Defaults()
		k.Strengthen = s
		v, _, err := RegimeBoundary(8, 4, tau, a1, k)
		if err != nil {
			t.Fatal(err)
		}
		lo, ok1 := v.Bound("C1 ≤")
		hi, ok2 := v.Bound("τ*·log d_h/‖μ‖ ≤ C1Hi")
		if !ok1 || !ok2 {
			t.Fatalf("bounds missing in %v", v)
		}
		// geq stores the floor as LHS; leq the ceiling as RHS.
		check.Near(t, "lower end · upper end", lo.LHS*hi.RHS, k.C1*k.C1Hi, 1e-14, 0)
		check.Near(t, "upper end / lower end", hi.RHS/lo.LHS, math.Pow(k.C1Hi/k.C1, 1/s), 1e-14, 0)
		if s == 1 {
			check.Near(t, "lower end", lo.LHS, k.C1, 1e-14, 0)
			check.Near(t, "upper end", hi.RHS, k.C1Hi, 1e-14, 0)
		}
	}
}

// TestNSNR2Pin pins N·SNR² in both conventions on a hand-computed instance:
// d = 16, ‖μ‖ = 4, σ₂ = 2, σ_w = 1/4, N = 10, so SNR₂ = 4/(2·4) = 1/2 and
// SNR_w = 4/(¼·4) = 4: N·SNR₂² = 2.5, N·SNR_w² = 160.
func TestNSNR2Pin(t *testing.T) {
	dc := data.Config{D: 16, M: 2, N: 10, NTest: 2, MuNorm: 4, Sigma2: 2, SigmaW: 0.25}
	k := Defaults()
	check.Near(t, "N·SNR₂²", k.NSNR2(dc), 2.5, 1e-15, 0)
	k.SNR = "weak"
	check.Near(t, "N·SNR_w²", k.NSNR2(dc), 160, 1e-15, 0)
}

// TestFitBoundarySlopePin pins the sign convention of LogitFit.Slope on a
// boundary whose slope is not −1/2 (TestFitBoundary's boundary has E = 0,
// where −1/2 ± E/(2B) coincide). Noiseless outcomes, benign ⇔
// c ≥ 2·(N/8)^{1/2}: log c* = log 2 + ½ log(N/8), and since SNR*² = c*/N,
// log SNR* = ½ log c* − ½ log N has slope ¼ − ½ = −¼ in log N.
func TestFitBoundarySlopePin(t *testing.T) {
	var outs []Outcome
	for _, n := range []int{4, 8, 16, 32, 64} {
		star := 2 * math.Sqrt(float64(n)/8)
		for j := -12; j <= 12; j++ {
			c := math.Pow(2, float64(j)/4+0.125)
			outs = append(outs, Outcome{N: n, C: c, Seed: 1, Benign: c >= star})
		}
	}
	f := FitBoundary(outs)
	check.Near(t, "Slope", f.Slope(), -0.25, 0, 0.05) // ridge bias, as TestFitBoundary
	check.Near(t, "log2 Boundary(32)/4", math.Log2(f.Boundary(32)/4), 0, 0, 0.25)
}

// TestMonotoneInTauStrengthenPin pins the direction of P9's Strengthen
// (THEORY §8 P9: err(τ_i) ≤ err(τ_{i+1}) + MonoTol/Strengthen): a decrease
// of 0.02 is within MonoTol = 0.03 at Strengthen 1 and outside 0.03/2 at
// Strengthen 2, where the bound's right side is exactly err + 0.015.
func TestMonotoneInTauStrengthenPin(t *testing.T) {
	taus, errs := []float64{0, 0.1}, []float64{0.1, 0.08}
	k := Defaults()
	v, err := MonotoneInTau(taus, errs, k)
	if err != nil || !v.Holds() {
		t.Fatalf("decrease 0.02 at MonoTol 0.03: %v (err %v), want holds", v, err)
	}
	k.Strengthen = 2
	v, err = MonotoneInTau(taus, errs, k)
	if err != nil {
		t.Fatal(err)
	}
	if v.Holds() {
		t.Errorf("decrease 0.02 at MonoTol/2 = 0.015 holds, want FAILS:\n%v", v)
	}
	check.Near(t, "right side", v.Bounds[0].RHS, 0.08+0.015, 1e-15, 0)
	// NaN fails.
	if v, _ := MonotoneInTau(taus, []float64{math.NaN(), 0.08}, Defaults()); v.Holds() {
		t.Error("a NaN error holds")
	}
}

// TestSmallBudgetHypothesisEdgePin pins Thm 4.2(i)'s budget hypothesis
// 0 < τ ≤ C1·‖μ‖/log d_h at its edge: 1% above the limit is a
// *HypothesisError carrying τ and the limit, before anything is trained.
func TestSmallBudgetHypothesisEdgePin(t *testing.T) {
	k := Defaults()
	sc := Tiny()
	lim := k.C1 / k.logDh(sc.Dh) // in units of ‖μ‖
	clean := &Run{Inst: sc.Cell(8, 8, 0, 1)}
	robust := &Run{Inst: sc.Cell(8, 8, 1.01*lim, 1)}
	mu := robust.Inst.Data.Mu()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("SmallBudget(τ = 1.01·limit) went past its hypothesis check: %v", r)
		}
	}()
	_, err := SmallBudget(NewLab(), clean, robust, k)
	h, ok := err.(*HypothesisError)
	if !ok {
		t.Fatalf("SmallBudget(τ = 1.01·limit) error %v, want *HypothesisError", err)
	}
	if !strings.Contains(h.Hypothesis, "C1") {
		t.Errorf("hypothesis %q, want the budget condition", h.Hypothesis)
	}
	check.Near(t, "Value", h.Value, robust.Inst.Tau, 0, 0)
	check.Near(t, "Limit", h.Limit, lim*mu, 1e-14, 0)
}
