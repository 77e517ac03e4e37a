package theorems

import (
	"math"
	"strings"
	"testing"

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
