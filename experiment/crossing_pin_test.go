package experiment

import (
	"math"
	"testing"

	"vitadv/internal/check"
)

// TestCrossingsTiePin pins the rule of crossings (fit.go): the boundary of
// a row is the smallest grid index k whose benign fraction is ≥ 1/2 at k
// and at every larger c — a tie (exactly half the replicates benign, which
// happens with an even number of replicates) counts as benign. Row N = 8:
// c = 1, 2, 4, 8 with fractions 0, 1/2, 1/2, 1, so k = 1 and the
// interpolation (1/2 − 0)/(1/2 − 0) = 1 lands on c = 2. Row N = 16 never
// reaches 1/2 at its top point: NaN.
func TestCrossingsTiePin(t *testing.T) {
	b := func(k, n int) []bool {
		v := make([]bool, n)
		for i := range k {
			v[i] = true
		}
		return v
	}
	pts := []GridPoint{
		{N: 8, C: 1, Benign: b(0, 2)}, {N: 8, C: 2, Benign: b(1, 2)},
		{N: 8, C: 4, Benign: b(2, 4)}, {N: 8, C: 8, Benign: b(2, 2)},
		{N: 16, C: 1, Benign: b(0, 2)}, {N: 16, C: 2, Benign: b(2, 2)}, {N: 16, C: 4, Benign: b(0, 2)},
	}
	ns, cs := crossings(pts)
	if len(ns) != 2 || ns[0] != 8 || ns[1] != 16 {
		t.Fatalf("rows %v, want [8 16]", ns)
	}
	check.Near(t, "c*(N=8)", cs[0], 2, 1e-14, 0)
	if !math.IsNaN(cs[1]) {
		t.Errorf("c*(N=16) = %g, want NaN (top point not benign)", cs[1])
	}
}
