package certify

import (
	"math"

	"vitadv/model/linalg"
)

// eps is the unit roundoff of float64.
const eps = 0x1p-53

// expError is the relative error allowed for one exponential of the model's
// softmax: linalg.Exp / ExpTo (the one exponential of every kernel path,
// degree-13 Taylor polynomial after range reduction) was measured within
// 1 ulp of a 256-bit reference and is asserted within 2 ulp of math.Exp
// (model/linalg exp_test.go); 64ε covers it with a wide margin.
const expError = 64 * eps

// tiny is an absolute slack added to upper bounds of norms so that
// underflowed squares (|v| < 2⁻⁵³⁷) cannot make a bound too small.
const tiny = 0x1p-500

// gamma returns an upper bound of γ_n = nε/(1 − nε) (Higham §3.1): the
// relative error of a length-n sum or dot product in any order. The factor
// 1.01 absorbs 1/(1 − nε) for n < 10¹³.
func gamma(n int) float64 { return float64(1.01 * float64(n+1) * eps) } // float64(): never fused into a caller's addition

// up and dn step x one ulp towards +∞ and −∞: applied to a
// round-to-nearest result of a correctly rounded operation, they give an
// upper and a lower bound of the exact result.
// They agree with math.Nextafter(x, ±Inf) (NaN and the infinities in the
// outward direction are returned unchanged) and are cheaper.
func up(x float64) float64 {
	// Written to fit the inliner's budget: it runs a few hundred times per
	// bound evaluation.
	b := math.Float64bits(x)
	if x > 0 {
		if x <= math.MaxFloat64 {
			b++
		}
	} else if x < 0 {
		b-- // −Inf steps to −MaxFloat64
	} else if x == 0 {
		return 0x1p-1074
	}
	return math.Float64frombits(b) // NaN and +Inf unchanged
}

func dn(x float64) float64 {
	b := math.Float64bits(x)
	if x < 0 {
		if x >= -math.MaxFloat64 {
			b++
		}
	} else if x > 0 {
		b-- // +Inf steps to MaxFloat64
	} else if x == 0 {
		return -0x1p-1074
	}
	return math.Float64frombits(b) // NaN and −Inf unchanged
}

func addUp(a, b float64) float64 { return up(float64(a) + float64(b)) }
func addDn(a, b float64) float64 { return dn(float64(a) + float64(b)) }
func subUp(a, b float64) float64 { return up(float64(a) - float64(b)) }
func subDn(a, b float64) float64 { return dn(float64(a) - float64(b)) }
func mulUp(a, b float64) float64 { return up(a * b) }
func mulDn(a, b float64) float64 { return dn(a * b) }

// expUp and expDn bound e^x from above and below. They use linalg.Exp, not
// math.Exp: its bits do not depend on the CPU (math.Exp on amd64 uses FMA
// only where the CPU has it, and returns +Inf on (709.44, 709.78], which
// would make expDn unsound there), so a certificate is the same on every
// machine. linalg.Exp errs by ≤ 1 ulp (measured) and ≤ 2 ulp of math.Exp
// (asserted); three outward steps cover 2 ulp with one to spare.
func expUp(x float64) float64 { return expUpOf(linalg.Exp(x)) }
func expDn(x float64) float64 { return expDnOf(linalg.Exp(x)) }

// expUpOf and expDnOf are expUp and expDn given e = linalg.Exp(x) (computed
// in a batch by linalg.ExpTo, the same bits).
func expUpOf(e float64) float64 { return up(up(up(e))) }
func expDnOf(e float64) float64 { return max(0, dn(dn(dn(e)))) }

// sqrtUp bounds √x from above for x ≥ 0.
func sqrtUp(x float64) float64 { return up(math.Sqrt(max(0, x))) }

// normUp returns an upper bound of ‖v‖₂.
func normUp(v []float64) float64 {
	ss := 0.0
	for _, x := range v {
		ss += float64(x * x)
	}
	return addUp(sqrtUp(mulUp(ss, 1+gamma(len(v)+1))), tiny)
}

// norm1Up returns an upper bound of ‖v‖₁.
func norm1Up(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Abs(x)
	}
	return addUp(mulUp(s, 1+gamma(len(v)+1)), tiny)
}

// slack returns an upper bound of x·(1 + γ_n) + tiny for x ≥ 0: a computed
// non-negative sum of n terms enlarged to bound the exact one.
func slack(x float64, n int) float64 { return addUp(mulUp(x, 1+gamma(n+1)), tiny) }
