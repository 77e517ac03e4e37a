package linalg

import "math"

// Exp returns e^x, computed by the one exponential algorithm of this
// package, which every path (pure Go, AVX2, AVX-512) evaluates with the
// same operations in the same order, so that its bits do not depend on
// the CPU. (math.Exp does: on amd64 it uses FMA only when the CPU has it.)
//
// Method: clamp x to [expLo, expHi] (NaN is returned as is), then
//
//	k = roundToEven(x·log₂e),  r = fma(k, −ln2lo, fma(k, −ln2hi, x)),
//	p = fma(…fma(fma(c₁₃, r, c₁₂), r, c₁₁)…, r, c₀),  c_n = 1/n!  (Horner),
//	e^x = (p·2^k₁)·2^k₂,  k₁ = ⌊k/2⌋, k₂ = k − k₁,
//
// with fdlibm's two-part ln 2 (k·ln2hi is exact for |k| < 2¹¹), |r| ≤
// ln2/2 + ε, and the degree-13 Taylor polynomial (truncation ≤
// (ln2/2)¹⁴/14! ≈ 4e-18 relative). p·2^k₁ is exact; the product with 2^k₂
// rounds once, so overflow gives +Inf (x ≥ 709.79), gradual underflow gives
// correctly scaled subnormals and x ≤ −745.2 gives 0. exp(±Inf) = +Inf, 0.
// Measured error (exp_test.go): at most 1 ulp against math.Exp over a dense
// sweep of [−745, 709.78]; the test asserts ≤ 2 ulp.
func Exp(x float64) float64 {
	if x != x {
		return x
	}
	x = min(max(x, expLo), expHi)
	kf := math.RoundToEven(float64(x * expLog2e))
	r := math.FMA(kf, expMLn2Hi, x)
	r = math.FMA(kf, expMLn2Lo, r)
	p := expC[13]
	for j := 12; j >= 0; j-- {
		p = math.FMA(p, r, expC[j])
	}
	k1 := math.Floor(float64(kf * 0.5))
	k2 := kf - k1
	s1 := math.Float64frombits(uint64(int64(k1)+1023) << 52)
	s2 := math.Float64frombits(uint64(int64(k2)+1023) << 52)
	return float64(p*s1) * s2
}

const (
	expLo     = -746.0
	expHi     = 710.0
	expLog2e  = 1.44269504088896338700e+00
	expMLn2Hi = -6.93147180369123816490e-01
	expMLn2Lo = -1.90821492927058770002e-10
	// expShift + m, for an integer |m| < 2³¹, has m + 1023 in the low bits of
	// its mantissa (the assembly builds 2^k that way).
	expShift = 0x1.8p52 + 1023
)

// expC holds c_n = 1/n! rounded to float64.
var expC = [14]float64{
	1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
	1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
	1.0 / 479001600, 1.0 / 6227020800,
}

// expTab holds the constants of Exp, each broadcast to 8 lanes for the
// assembly: 0 log2e, 1 −ln2hi, 2 −ln2lo, 3 expLo, 4 expHi, 5 0.5,
// 6 expShift, 7+n c_n.
var expTab [7 + 14][8]float64

func init() {
	c := [7]float64{expLog2e, expMLn2Hi, expMLn2Lo, expLo, expHi, 0.5, expShift}
	for i := range expTab {
		v := 0.0
		if i < 7 {
			v = c[i]
		} else {
			v = expC[i-7]
		}
		for l := range expTab[i] {
			expTab[i][l] = v
		}
	}
}

func expGo(dst, x []float64) {
	for i, v := range x {
		dst[i] = Exp(v)
	}
}
