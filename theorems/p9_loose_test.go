package theorems

import "testing"

// TestCheckP9LooseCertificate: a decrease is excluded only by the upper
// end of the earlier bracket against the lower end of the later one. With
// monotone lower bounds under a loose certificate — [0.1, 0.5] at τ, then
// [0.1, 0.12] at τ′ — the error may still fall by up to 0.4 > MonoTol, and
// no decrease is witnessed (0.1 − 0.12 ≤ MonoTol), so P9 stays
// inconclusive, never reproduced. A rule that excluded decreases from the
// lower bounds alone (lb(τ) − lb(τ′) ≤ MonoTol) passes every other P9 test
// and fails this one. Control: the same lower bounds with a tight
// certificate ([0.1, 0.11], then [0.1, 0.12]) are reproduced.
func TestCheckP9LooseCertificate(t *testing.T) {
	k := Defaults()
	taus := []float64{0.1, 0.2}
	lb := []float64{0.1, 0.1}
	wantStatus(t, "[0.1, 0.5] then [0.1, 0.12]", CheckP9(taus, lb, []float64{0.5, 0.12}, k), Inconclusive)
	wantStatus(t, "[0.1, 0.11] then [0.1, 0.12]", CheckP9(taus, lb, []float64{0.11, 0.12}, k), Reproduced)
	// Three budgets: a loose bracket in the middle is enough to leave the
	// sweep undecided, whatever the tight ends say.
	taus3 := []float64{0, 0.1, 0.2}
	wantStatus(t, "tight, loose, tight", CheckP9(taus3, []float64{0, 0.1, 0.1}, []float64{0.01, 0.5, 0.12}, k), Inconclusive)
	v, err := MonotoneInTauBracket(taus, lb, []float64{0.5, 0.12}, k)
	if err != nil {
		t.Fatal(err)
	}
	if v.Holds() || v.Refuted() {
		t.Errorf("MonotoneInTauBracket([0.1, 0.5], [0.1, 0.12]): holds %v, refuted %v; want neither (undecided)", v.Holds(), v.Refuted())
	}
}
