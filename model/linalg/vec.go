package linalg

import "math"

// Dot returns Σ_i x[i]·y[i] over i < len(x). The pure-Go version keeps four
// partial sums (lanes i mod 4) added at the end as (s0+s1)+(s2+s3); the
// SIMD build keeps 8 or 4 lanes per vector. The order is fixed for a given
// build and length. It panics if len(y) < len(x).
func Dot(x, y []float64) float64 {
	if len(y) < len(x) {
		panic(errShortVec)
	}
	return dotImpl(x, y[:len(x)])
}

// Axpy computes dst[i] += a·x[i] for i < len(dst). It panics if
// len(x) < len(dst).
func Axpy(dst []float64, a float64, x []float64) {
	if len(x) < len(dst) {
		panic(errShortVec)
	}
	axpyImpl(dst, a, x[:len(dst)])
}

// ExpTo writes exp(x[i]) into dst[i] for every i and returns dst. The
// pure-Go version is math.Exp; the AVX-512 version (GOEXPERIMENT=simd)
// evaluates 8 lanes at once,
//
//	exp(x) = 2ᵏ·exp(r),  k = round(x/ln 2),  r = x − k·ln 2 (two-part ln 2, fused),
//
// with the degree-13 Taylor polynomial for exp(r), |r| ≤ ln2/2 (truncation
// ≤ (ln2/2)¹⁴/14! ≈ 4e-18, rounding a few ulp), and falls back to
// math.Exp for any group of 8 holding an x outside [−708, 709] or a NaN.
// It panics if len(dst) < len(x).
func ExpTo(dst, x []float64) []float64 {
	if len(dst) < len(x) {
		panic(errShortVec)
	}
	expImpl(dst[:len(x)], x)
	return dst
}

// Scal computes dst[i] *= a for every i.
func Scal(dst []float64, a float64) { scalImpl(dst, a) }

const errShortVec = "linalg: vector too short"

var (
	dotImpl  = dotGo
	axpyImpl = axpyGo
	scalImpl = scalGo
	expImpl  = expGo
)

func dotGo(x, y []float64) float64 {
	var s0, s1, s2, s3 float64
	n := len(x) &^ 3
	for i := 0; i < n; i += 4 {
		a := (*[4]float64)(x[i:])
		b := (*[4]float64)(y[i:])
		s0 += a[0] * b[0]
		s1 += a[1] * b[1]
		s2 += a[2] * b[2]
		s3 += a[3] * b[3]
	}
	for i := n; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGo(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += a * x[i]
	}
}

func scalGo(dst []float64, a float64) {
	for i := range dst {
		dst[i] *= a
	}
}

func expGo(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}
