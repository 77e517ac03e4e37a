package theorems

import (
	"math"
	"strings"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/train"
)

// runWith returns a run whose probes are at the given steps with a₁ = a1[i].
func runWith(steps []int, a1 []float64) *Run {
	r := &Run{}
	for i, s := range steps {
		r.Records = append(r.Records, train.Record{Step: s, A1: a1[i]})
	}
	return r
}

// TestA1Gap: the gap is the largest difference over the common probe steps
// (every one of them, not only step 0), NaN propagates, and the count of
// common steps is reported.
func TestA1Gap(t *testing.T) {
	a := runWith([]int{0, 10, 20, 30, 40}, []float64{0.25, 0.3, 0.35, 0.4, 0.45})
	b := runWith([]int{0, 10, 20, 30, 35}, []float64{0.25, 0.31, 0.5, 0.39, 0.9})
	g, n := a1Gap(a, b)
	if n != 4 || !(math.Abs(g-0.15) <= 1e-15) {
		t.Errorf("a1Gap = %g over %d steps, want 0.15 (step 20) over 4 (steps 0, 10, 20, 30)", g, n)
	}
	// The largest difference at the last common step counts too.
	b.Records[3].A1 = 0.1
	if g, _ := a1Gap(a, b); !(math.Abs(g-0.3) <= 1e-15) {
		t.Errorf("a1Gap with a₁ differing by 0.3 at step 30 = %g, want 0.3", g)
	}
	b.Records[1].A1 = math.NaN()
	if g, _ := a1Gap(a, b); !math.IsNaN(g) {
		t.Errorf("a1Gap with a NaN a₁ = %g, want NaN", g)
	}
	// A clean run that stops before the first probe interval shares only
	// step 0: the gap is 0 by construction and must not decide.
	short := runWith([]int{0, 7}, []float64{0.25, 0.26})
	if g, n := a1Gap(short, a); n != 1 || g != 0 {
		t.Errorf("a1Gap(short run) = %g over %d steps, want 0 over 1", g, n)
	}
}

// TestSmallBudgetA1Undecided: SmallBudget's a₁ bound is undecided (neither
// holds nor fails) when the runs share fewer than MinSharedProbes probe
// steps, and decided otherwise.
func TestSmallBudgetA1Undecided(t *testing.T) {
	sc := Tiny()
	clean, robust := sc.Cell(8, 32, 0, 1), sc.Cell(8, 32, 0.1, 1)
	mk := func(inst Instance, steps []int, a1 []float64) *Run {
		r := runWith(steps, a1)
		r.Inst = inst
		r.Result = train.Result{Steps: steps[len(steps)-1], Loss: 0.005, Converged: true}
		return r
	}
	for _, c := range []struct {
		cleanSteps []int
		want       string // "undecided" or "decided"
	}{
		{[]int{0, 7}, "undecided"},
		{[]int{0, 10, 13}, "undecided"},
		{[]int{0, 10, 20, 23}, "decided"},
	} {
		cl := mk(clean, c.cleanSteps, make([]float64, len(c.cleanSteps)))
		rb := mk(robust, []int{0, 10, 20, 30, 40}, []float64{0, 0, 0, 0, 0.5})
		b := smallBudgetA1(cl, rb, Defaults())
		switch c.want {
		case "undecided":
			if b.Undecided == "" || b.Holds() || b.Fails() || !strings.Contains(b.String(), "undecided") {
				t.Errorf("a₁ bound with clean probes %v = %v, want undecided", c.cleanSteps, b)
			}
			v := Verdict{Bounds: []Bound{leq("x", DER, 0, 1, 0), b}}
			if v.Holds() || v.Refuted() || !v.Undecided() || !strings.Contains(v.String(), "UNDECIDED") {
				t.Errorf("verdict with an undecided bound = %v (holds %v refuted %v), want UNDECIDED", v, v.Holds(), v.Refuted())
			}
			v.Bounds = append(v.Bounds, leq("y", DER, 2, 1, 0))
			if !v.Refuted() || v.Undecided() || len(v.Failed()) != 1 {
				t.Errorf("verdict with an undecided and a failing bound = %v, want refuted", v)
			}
		case "decided":
			if b.Undecided != "" || !b.Holds() {
				t.Errorf("a₁ bound with clean probes %v = %v, want decided, holds (gap 0 at steps 0, 10, 20)", c.cleanSteps, b)
			}
		}
	}
}

// TestCrossingTauOffMidpoint pins the direction of CrossingTau's linear
// interpolation with a crossing that is not at the midpoint of its segment
// (TestCrossingTau's case crosses at the midpoint, where interpolating from
// either end gives the same answer). On y = (1, 0.5, 0.1) at τ = (0, 0.1,
// 0.2) the level 0.4 is crossed a quarter of the way from τ = 0.1 to 0.2:
// f = (0.5−0.4)/(0.5−0.1) = 1/4, τ* = 0.1 + 0.25·0.1 = 0.125.
func TestCrossingTauOffMidpoint(t *testing.T) {
	tau := []float64{0, 0.1, 0.2}
	check.Near(t, "CrossingTau(level 0.4)", CrossingTau(tau, []float64{1, 0.5, 0.1}, 0.4), 0.125, 1e-12, 0)
	// In the first segment, three quarters of the way: 0.075.
	check.Near(t, "CrossingTau(level 0.25)", CrossingTau(tau, []float64{1, 0, 0}, 0.25), 0.075, 1e-12, 0)
	// A level hit exactly at a grid point returns that point.
	check.Near(t, "CrossingTau(level 0.5)", CrossingTau(tau, []float64{1, 0.5, 0.1}, 0.5), 0.1, 1e-12, 0)
	// Already at or below the level at τ[0]: τ[0]; never: +Inf.
	check.Near(t, "CrossingTau(y0 ≤ level)", CrossingTau(tau, []float64{0.3, 0.2, 0.1}, 0.4), 0, 0, 0)
	if got := CrossingTau(tau, []float64{1, 0.9, 0.8}, 0.4); !math.IsInf(got, 1) {
		t.Errorf("CrossingTau(no crossing) = %g, want +Inf", got)
	}
}

// TestRegimeBoundaryBand pins P7's band (THEORY §8 P7): at Strengthen
// = 1 the bounds on τ*·log d_h/‖μ‖ are exactly [C1, C1Hi]; Strengthen s
// narrows it about the geometric centre √(C1·C1Hi) (the product of the
// two ends stays C1·C1Hi and their ratio becomes (C1Hi/C1)^(1/s)).
func TestRegimeBoundaryBand(t *testing.T) {
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

// TestMonotoneInTauStrengthen pins the direction of P9's Strengthen
// (THEORY §8 P9: err(τ_i) ≤ err(τ_{i+1}) + MonoTol/Strengthen): a decrease
// of 0.02 is within MonoTol = 0.03 at Strengthen 1 and outside 0.03/2 at
// Strengthen 2, where the bound's right side is exactly err + 0.015.
// It kills mutant thm-mono-strengthen-wrong-way of mutate/catalogue.txt.
func TestMonotoneInTauStrengthen(t *testing.T) {
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

// TestSmallBudgetHypothesisEdge pins Thm 4.2(i)'s budget hypothesis
// 0 < τ ≤ C1·‖μ‖/log d_h at its edge: 1% above the limit is a
// *HypothesisError carrying τ and the limit, before anything is trained.
// It kills mutant thm-smallbudget-hyp-2x of mutate/catalogue.txt.
func TestSmallBudgetHypothesisEdge(t *testing.T) {
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

func TestCrossingTau(t *testing.T) {
	tau := []float64{0, 0.1, 0.2}
	if got := CrossingTau(tau, []float64{1, 0.6, 0.2}, 0.4); !(math.Abs(got-0.15) <= 1e-12) {
		t.Errorf("CrossingTau = %g, want 0.15", got)
	}
	if got := CrossingTau(tau, []float64{1, 0.9, 0.8}, 0.4); !math.IsInf(got, 1) {
		t.Errorf("CrossingTau(no crossing) = %g, want +Inf", got)
	}
}
