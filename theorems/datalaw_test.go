package theorems

import "testing"

// TestWithDataLaw: a run on other data is outside the hypotheses even when
// every other condition holds, and the same scope on the model's own data
// stays inside (the control: the added condition is not always violated).
func TestWithDataLaw(t *testing.T) {
	var sc Scope
	sc.add(Condition{Name: "η ≤ limit", Value: 1e-5, Limit: 1e-4, AtMost: true})
	if !sc.Inside() {
		t.Fatalf("base scope not inside: %v", sc)
	}
	if own := WithDataLaw(sc, true, "THEORY §1.1"); !own.Inside() {
		t.Errorf("synthetic data: %v, want inside", own)
	}
	other := WithDataLaw(sc, false, "MNIST 0 vs 1")
	if other.Inside() || len(other.Violated) != 1 {
		t.Errorf("MNIST: %v, want outside on the data law alone", other)
	}
	if !sc.Inside() || len(sc.Conditions) != 1 {
		t.Errorf("WithDataLaw changed its argument: %v", sc)
	}
}
