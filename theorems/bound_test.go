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
