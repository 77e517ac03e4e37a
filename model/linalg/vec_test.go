package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotAxpy compares Dot, Scal and Axpy with plain loops for lengths around the
// vector widths (tails of 0..15 elements).
func TestDotAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for n := 0; n <= 70; n++ {
		x, y := make([]float64, n), make([]float64, n+3)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for i := range y {
			y[i] = r.NormFloat64()
		}
		want, scale := 0.0, 0.0
		for i := range x {
			want += x[i] * y[i]
			scale += math.Abs(x[i] * y[i])
		}
		if got := Dot(x, y); math.Abs(got-want) > tolOracle*scale {
			t.Errorf("Dot(n=%d) = %.17g, want %.17g", n, got, want)
		}
		sc := append([]float64(nil), x...)
		Scal(sc, 1.5)
		for i := range sc {
			if sc[i] != 1.5*x[i] {
				t.Fatalf("Scal(n=%d)[%d] = %.17g, want %.17g", n, i, sc[i], 1.5*x[i])
			}
		}
		dst := append([]float64(nil), y[:n]...)
		Axpy(dst, -0.75, x)
		for i := range dst {
			if w := y[i] + -0.75*x[i]; dst[i] != w { // one product, one sum: exact match
				t.Fatalf("Axpy(n=%d)[%d] = %.17g, want %.17g", n, i, dst[i], w)
			}
		}
	}
	defer func() {
		if r := recover(); r != errShortVec {
			t.Errorf("Dot with short y: panic %v, want %q", r, errShortVec)
		}
	}()
	Dot(make([]float64, 3), make([]float64, 2))
}
