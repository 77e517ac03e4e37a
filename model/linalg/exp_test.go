package linalg

import (
	"math"
	"math/big"
	"testing"
)

// bigExp returns e^x rounded to float64, computed in 256-bit arithmetic as
// (Σ_{n<60} (x/2¹²)ⁿ/n!)^(2¹²): the reference for Exp's error in ulps.
// (math.Exp is not one: on amd64 it returns +Inf for x in (709.44, 709.78].)
func bigExp(x float64) float64 {
	const prec, s = 256, 12
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	y.SetMantExp(y, -s)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := int64(1); n < 60; n++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		sum.Add(sum, term)
	}
	for range s {
		sum.Mul(sum, sum)
	}
	f, _ := sum.Float64()
	return f
}

// ulps returns the distance between a and b in units in the last place
// (the number of float64 values between them), for finite a, b ≥ 0.
func ulps(a, b float64) float64 {
	d := int64(math.Float64bits(a)) - int64(math.Float64bits(b))
	return math.Abs(float64(d))
}

// maxExpULP bounds Exp's error in ulps, against the correctly rounded
// e^x (bigExp) and against math.Exp (itself within 1 ulp where finite).
const maxExpULP = 2

// TestExpAccuracy sweeps [−745.2, 709.43] densely (about 2.2 million
// points, every binade of the result) and checks Exp against math.Exp in
// ulps; and 20000 points over [−745.2, 709.78] (the top included, where
// math.Exp overflows early) against the 256-bit reference bigExp.
func TestExpAccuracy(t *testing.T) {
	step, nBig := 1.0/1499, 20000
	if testing.Short() {
		step, nBig = 1.0/97, 2000
	}
	var xs []float64
	for x := -745.2; x <= 709.43; x += step {
		xs = append(xs, x)
	}
	for x := -1e-3; x <= 1e-3; x += 1e-7 { // near 0: r = x, k = 0
		xs = append(xs, x)
	}
	worst, at := 0.0, 0.0
	for _, x := range xs {
		if u := ulps(Exp(x), math.Exp(x)); !(u <= worst) {
			worst, at = u, x
		}
	}
	t.Logf("Exp vs math.Exp: %d points, max %g ulp at x = %.17g", len(xs), worst, at)
	if !(worst <= maxExpULP) {
		t.Errorf("Exp vs math.Exp: %g ulp at x = %.17g, want ≤ %d", worst, at, maxExpULP)
	}
	worst, at = 0, 0
	for i := range nBig {
		x := -745.2 + (709.78+745.2)*float64(i)/float64(nBig-1)
		if i%5 == 0 { // and the top of the range, where math.Exp fails
			x = 709.4 + 0.38*float64(i)/float64(nBig)
		}
		if u := ulps(Exp(x), bigExp(x)); !(u <= worst) {
			worst, at = u, x
		}
	}
	t.Logf("Exp vs 256-bit reference: %d points, max %g ulp at x = %.17g", nBig, worst, at)
	if !(worst <= maxExpULP) {
		t.Errorf("Exp vs reference: %g ulp at x = %.17g, want ≤ %d", worst, at, maxExpULP)
	}
}

// TestExpSpecial: NaN (payload kept), ±Inf, ±0, the overflow and underflow
// thresholds, subnormal results, and the clamp bounds, on Exp and on every
// vector path (at positions inside the vector loop and in the tail).
func TestExpSpecial(t *testing.T) {
	nan := math.Float64frombits(0x7ff8000000000123)
	cases := []struct{ x, want float64 }{
		{nan, nan},
		{math.Inf(1), math.Inf(1)},
		{math.Inf(-1), 0},
		{0, 1},
		{math.Copysign(0, -1), 1},
		{1, math.E},
		{709.78, bigExp(709.78)}, // math.Exp gives +Inf here
		{709.7827, bigExp(709.7827)},
		{709.79, math.Inf(1)},
		{710, math.Inf(1)},
		{1e300, math.Inf(1)},
		{-745.2, 0},
		{-746, 0},
		{-1e300, 0},
		{-740, math.Exp(-740)},     // subnormal
		{-744.4, math.Exp(-744.4)}, // few-bit subnormal
		{-708.4, math.Exp(-708.4)}, // just below the normal range
		{1e-300, 1},
		{-1e-300, 1},
	}
	check := func(name string, got, want, x float64) {
		t.Helper()
		switch {
		case math.IsNaN(want):
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%s(NaN %x) = %x, want the same NaN", name, math.Float64bits(x), math.Float64bits(got))
			}
		case math.IsInf(want, 0) || want == 0 || want < 0x1p-1022:
			if !(got == want || ulps(got, want) <= 1) {
				t.Errorf("%s(%.17g) = %.17g, want %.17g", name, x, got, want)
			}
		case !(ulps(got, want) <= maxExpULP):
			t.Errorf("%s(%.17g) = %.17g, want %.17g", name, x, got, want)
		}
	}
	xs := make([]float64, 0, 3*len(cases))
	for _, c := range cases {
		check("Exp", Exp(c.x), c.want, c.x)
		xs = append(xs, c.x)
	}
	active := vec
	defer func() { vec = active }()
	for _, v := range vecs {
		vec = v
		for off := range 3 { // shift the cases across lane and tail positions
			in := append(make([]float64, off), xs...)
			out := ExpTo(make([]float64, len(in)), in)
			for i, c := range cases {
				check(v.name+" ExpTo", out[off+i], c.want, c.x)
				if math.Float64bits(out[off+i]) != math.Float64bits(Exp(c.x)) {
					t.Errorf("%s ExpTo(%.17g) = %x, Exp %x", v.name, c.x, math.Float64bits(out[off+i]), math.Float64bits(Exp(c.x)))
				}
			}
		}
	}
}

// TestExpControl: the ulp measure catches an exp with a truncated
// polynomial (degree 9) and an early overflow; the NaN check tells payloads
// apart.
func TestExpControl(t *testing.T) {
	deg9 := func(x float64) float64 {
		kf := math.RoundToEven(x * expLog2e)
		r := math.FMA(kf, expMLn2Lo, math.FMA(kf, expMLn2Hi, x))
		p := expC[9]
		for j := 8; j >= 0; j-- {
			p = math.FMA(p, r, expC[j])
		}
		return math.Ldexp(p, int(kf))
	}
	worst := 0.0
	for x := -700.0; x <= 700; x += 0.01 {
		worst = max(worst, ulps(deg9(x), math.Exp(x)))
	}
	if worst <= maxExpULP {
		t.Errorf("degree-9 exp: %g ulp, passes the bound %d", worst, maxExpULP)
	}
	// The NaN check compares payload bits: a canonical NaN in place of
	// the input's must fail it.
	nan := math.Float64frombits(0x7ff8000000000123)
	if math.Float64bits(math.NaN()) == math.Float64bits(nan) {
		t.Error("canonical NaN has the test payload: the payload check cannot fail")
	}
	// math.Exp overflows early on amd64 at 709.78; the 2-ulp check
	// against the 256-bit reference flags it, on CPUs where it does.
	if x := 709.78; math.IsInf(math.Exp(x), 1) && !math.IsInf(bigExp(x), 1) && ulps(math.Exp(x), bigExp(x)) <= maxExpULP {
		t.Errorf("math.Exp(%g) = +Inf passes the ulp check against %g", x, bigExp(x))
	}
}
