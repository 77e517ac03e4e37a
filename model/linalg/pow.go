package linalg

import "math"

// Pow returns x**y as math.Pow does, but with its one exponential, e^(yf·ln
// x) for the fractional part |yf| ≤ 1/2 of y, computed by Exp instead of
// math.Exp, so that its bits do not depend on the CPU (math.Exp on amd64
// fuses only where the CPU has FMA; math.Log, math.Frexp, math.Ldexp and
// the rest of the algorithm do not depend on it). The special cases, and
// integer y (repeated squaring, no exponential), are math.Pow's own.
// The algorithm is math.Pow's (Go's src/math/pow.go), step for step.
func Pow(x, y float64) float64 {
	if y == 0 || x == 1 || y == 1 || x != x || y != y || x <= 0 ||
		math.IsInf(x, 0) || math.IsInf(y, 0) || y == 0.5 || y == -0.5 {
		return math.Pow(x, y)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf == 0 || yi >= 1<<63 {
		return math.Pow(x, y)
	}
	if yf > 0.5 {
		yf--
		yi++
	}
	a1 := Exp(float64(yf * math.Log(x)))
	ae := 0
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe // Ldexp below under- or overflows, as in math.Pow
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1)
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}
