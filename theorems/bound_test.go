package theorems

import (
	"math"
	"strings"
	"testing"
)

func TestVerdictHolds(t *testing.T) {
	if (Verdict{}).Holds() {
		t.Errorf("Verdict{}.Holds() = true, want false (nothing was checked)")
	}
	v := Verdict{Statement: "X", Tag: DER, Bounds: []Bound{leq("a", DER, 1, 1, 0), geq("b", DER, 1, 1.5, 0.4)}}
	if v.Holds() {
		t.Errorf("%v.Holds() = true, want false (b: 1.5 ≤ 1 + 0.4 fails)", v)
	}
	if got := len(v.Failed()); got != 1 {
		t.Errorf("Failed() has %d bounds, want 1", got)
	}
	if g := v.MinGap(); !(math.Abs(g-(-0.1)) <= 1e-15) {
		t.Errorf("MinGap() = %g, want -0.1", g)
	}
	if !strings.Contains(v.String(), "FAILS") {
		t.Errorf("String() = %q, want FAILS", v.String())
	}
	if (Bound{LHS: math.NaN(), RHS: 1}).Holds() {
		t.Errorf("a NaN bound holds, want not")
	}
}

func TestHypothesisErrorMessage(t *testing.T) {
	e := &HypothesisError{Lemma: "P8", Hypothesis: "τ ≥ ‖μ‖/√2", Value: 0.5, Limit: 0.7071}
	if s := e.Error(); !strings.Contains(s, "0.5") || !strings.Contains(s, "0.7071") || !strings.Contains(s, "P8") {
		t.Errorf("Error() = %q, want lemma, value and limit", s)
	}
}

// TestFitBoundary recovers the boundary of noiseless synthetic outcomes
// benign ⇔ c ≥ 2 (at every N): c* within one grid step (factor 2^(1/4))
// of 2, slope −1/2 within 0.05 (ridge bias).
func TestFitBoundary(t *testing.T) {
	var outs []Outcome
	for _, n := range []int{4, 8, 16} {
		for j := -8; j <= 8; j++ {
			c := math.Pow(2, float64(j)/2+0.25)
			outs = append(outs, Outcome{N: n, C: c, Seed: 1, Benign: c >= 2})
		}
	}
	f := FitBoundary(outs)
	if b := f.Boundary(8); math.Abs(math.Log2(b/2)) > 0.25 {
		t.Errorf("Boundary(8) = %g, want 2 within a factor 2^(1/4)", b)
	}
	if s := f.Slope(); math.Abs(s+0.5) > 0.05 {
		t.Errorf("Slope() = %g, want -0.5 ± 0.05", s)
	}
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

func TestQuantile(t *testing.T) {
	v := []float64{3, 1, 2, 4, 5}
	if q := Quantile(v, 0.5); q != 3 {
		t.Errorf("Quantile(0.5) = %g, want 3", q)
	}
	if q := Quantile(v, 0.25); q != 2 {
		t.Errorf("Quantile(0.25) = %g, want 2", q)
	}
}
