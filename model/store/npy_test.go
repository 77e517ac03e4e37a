package store

import (
	"math"
	"testing"
)

// TestCountReportsOverflow pins count's contract: it reports whether
// count·elemSize bytes fit in an int, not just whether the count does. A
// hostile header with shape (2⁶¹,) has a representable count but 2⁶⁴ bytes
// of float64 data; (2⁵⁹,) needs 2⁶² bytes and fits.
// It kills mutant store-npy-count-overflow of mutate/catalogue.txt.
func TestCountReportsOverflow(t *testing.T) {
	for _, c := range []struct {
		shape []int
		size  int
		ok    bool
	}{
		{[]int{1 << 59}, 8, true},
		{[]int{1 << 61}, 8, false},
		{[]int{1 << 61}, 1, true},
		{[]int{1 << 30, 1 << 30}, 8, false}, // 2⁶⁰ elements, 2⁶³ bytes
		{[]int{1 << 30, 1 << 29}, 8, true},  // 2⁶² bytes
		{[]int{0, math.MaxInt}, 8, true},    // empty
		{[]int{3, -1}, 8, false},
	} {
		n, ok := count(c.shape, c.size)
		if ok != c.ok {
			t.Errorf("count(%v, %d) = %d, %v; want ok = %v", c.shape, c.size, n, ok, c.ok)
		}
	}
}
