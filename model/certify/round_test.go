package certify

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestUpDnMatchNextafter: up and dn agree with math.Nextafter towards ±∞
// on every float64 bit pattern class (zeros, subnormals, normals, the
// largest finite, infinities).
func TestUpDnMatchNextafter(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 0x1p-1074, -0x1p-1074, 1, -1, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1)}
	for _, x := range special {
		if u, w := up(x), math.Nextafter(x, math.Inf(1)); u != w && !(x == 0 && u == w) {
			t.Errorf("up(%v) = %v, want %v", x, u, w)
		}
		if d, w := dn(x), math.Nextafter(x, math.Inf(-1)); d != w {
			t.Errorf("dn(%v) = %v, want %v", x, d, w)
		}
	}
	if !math.IsNaN(up(math.NaN())) || !math.IsNaN(dn(math.NaN())) {
		t.Error("up/dn of NaN is not NaN")
	}
	rapid.Check(t, func(t *rapid.T) {
		x := math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
		if math.IsNaN(x) {
			return
		}
		if u, w := up(x), math.Nextafter(x, math.Inf(1)); u != w {
			t.Fatalf("up(%v) = %v, want %v", x, u, w)
		}
		if d, w := dn(x), math.Nextafter(x, math.Inf(-1)); d != w {
			t.Fatalf("dn(%v) = %v, want %v", x, d, w)
		}
	})
}
