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

// TestFrobA: frobA bounds ‖W_Q W_Kᵀ‖_F (formed explicitly, d×d) from above
// and exceeds it, in the square, by at most its own rounding allowance
// 4(D + d_h² + 4)ε·‖W_Q‖_F²‖W_K‖_F² (the error terms scale with the
// absolute products, so a cancelling product may be bounded by ~ε, not
// 0) plus the floor of a few times tiny = 2⁻⁵⁰⁰ under the square root.
func TestFrobA(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		D, dh := rapid.IntRange(1, 12).Draw(t, "D"), rapid.IntRange(1, 6).Draw(t, "dh")
		sc := math.Ldexp(1, rapid.IntRange(-20, 20).Draw(t, "log2scale"))
		wq := make([]float64, D*dh)
		wk := make([]float64, D*dh)
		for i := range wq {
			wq[i] = sc * rapid.Float64Range(-1, 1).Draw(t, "q")
			wk[i] = rapid.Float64Range(-1, 1).Draw(t, "k")
		}
		ss := 0.0
		for a := 0; a < D; a++ {
			for b := 0; b < D; b++ {
				v := 0.0
				for i := 0; i < dh; i++ {
					v += wq[a*dh+i] * wk[b*dh+i]
				}
				ss += v * v
			}
		}
		want := math.Sqrt(ss)
		got := frobA(wq, wk, D, dh)
		nq, nk := 0.0, 0.0
		for i := range wq {
			nq += wq[i] * wq[i]
			nk += wk[i] * wk[i]
		}
		allow := 4*float64(D+dh*dh+4)*eps*nq*nk + 8*tiny
		if !(got >= want*(1-1e-12)) || !(got*got <= (want*want+allow)*(1+1e-12)+tiny) {
			t.Fatalf("frobA = %v, ‖W_Q W_Kᵀ‖_F = %v", got, want)
		}
	})
}
