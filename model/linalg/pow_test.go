package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPow: Pow agrees with math.Pow to 4 ulp on random positive x and
// fractional y (the Exp path: the two exponentials differ by up to 2 ulp,
// and the product with x^yi, rounded at every squaring, by up to 2 more;
// measured 4), and bit for bit on the special cases and
// integer exponents (math.Pow's own code). Negative control: an x**y
// computed as Exp(y·ln x) is more than 4 ulp off for large |y·ln x|.
func TestPow(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	worst := 0.0
	for range 200000 {
		x := math.Exp(40 * (r.Float64() - 0.5))
		y := 30 * (r.Float64() - 0.5)
		got, want := Pow(x, y), math.Pow(x, y)
		if want == 0 || math.IsInf(want, 0) {
			if got != want {
				t.Fatalf("Pow(%g, %g) = %g, want %g", x, y, got, want)
			}
			continue
		}
		worst = max(worst, ulps(got, want))
	}
	t.Logf("Pow vs math.Pow: max %g ulp", worst)
	if !(worst <= 4) {
		t.Errorf("Pow: %g ulp from math.Pow, want ≤ 4", worst)
	}
	inf, nan := math.Inf(1), math.NaN()
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 2, 0.5, -2, 3, 1e300, 1e-300, inf, -inf, nan, 2.5, -0.5, 1 << 62, 0x1p64}
	for _, x := range vals {
		for _, y := range vals {
			got, want := Pow(x, y), math.Pow(x, y)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("Pow(%g, %g) = %g, want %g", x, y, got, want)
			}
		}
	}
	naive := 0.0
	for range 1000 {
		x, y := 1+r.Float64(), 500+100*r.Float64()
		naive = max(naive, ulps(Exp(y*math.Log(x)), math.Pow(x, y)))
	}
	if naive <= 4 {
		t.Errorf("control: Exp(y·ln x) within %g ulp of math.Pow, the bound cannot fail", naive)
	}
}
