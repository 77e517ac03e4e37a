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
