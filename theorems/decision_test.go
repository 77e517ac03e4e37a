package theorems

import (
	"math"
	"testing"
)

func TestDecide(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name      string
		got, want Decision
	}{
		{"at most: ub below", DecideAtMost(0, 0.05, 0.1), Certified},
		{"at most: ub at max", DecideAtMost(0, 0.1, 0.1), Certified},
		{"at most: lb above", DecideAtMost(0.2, 0.3, 0.1), Refuted},
		{"at most: straddles", DecideAtMost(0.05, 0.3, 0.1), Undecided},
		{"at most: lb at max straddles", DecideAtMost(0.1, 0.3, 0.1), Undecided},
		{"at most: NaN ub", DecideAtMost(0, nan, 0.1), Undecided},
		{"at most: NaN lb", DecideAtMost(nan, 0.05, 0.1), Undecided},
		{"at most: inverted bracket", DecideAtMost(0.3, 0.05, 0.1), Undecided},
		{"at least: lb above", DecideAtLeast(0.6, 0.9, 0.5), Certified},
		{"at least: lb at min", DecideAtLeast(0.5, 0.9, 0.5), Certified},
		{"at least: ub below", DecideAtLeast(0.1, 0.4, 0.5), Refuted},
		{"at least: straddles", DecideAtLeast(0.4, 0.6, 0.5), Undecided},
		{"at least: NaN", DecideAtLeast(nan, nan, 0.5), Undecided},
		{"at least: inverted", DecideAtLeast(0.9, 0.1, 0.5), Undecided},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}

// TestDecideClosedEnds: the closed ends of the two decisions. A bracket
// whose upper end sits exactly on the floor of "x ≥ min" still allows
// x = min (the claim may hold): undecided, not refuted; a lower end on
// the floor certifies. The refutation needs ub < min strictly.
// It kills mutants thm-decide-atmost-tie-refuted, m2-decide-atmost-strict and m2-decide-atleast-refute-eq of mutate/catalogue.txt.
func TestDecideClosedEnds(t *testing.T) {
	for _, c := range []struct {
		name string
		got  Decision
		want Decision
	}{
		{"at least: ub at min", DecideAtLeast(0.3, 0.5, 0.5), Undecided},
		{"at least: point bracket at min", DecideAtLeast(0.5, 0.5, 0.5), Certified},
		{"at least: ub one ulp below min", DecideAtLeast(0.3, math.Nextafter(0.5, 0), 0.5), Refuted},
		{"at most: lb at max", DecideAtMost(0.5, 0.7, 0.5), Undecided},
		{"at most: lb one ulp above max", DecideAtMost(math.Nextafter(0.5, 1), 0.7, 0.5), Refuted},
		{"at most: point bracket at max", DecideAtMost(0.5, 0.5, 0.5), Certified},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
