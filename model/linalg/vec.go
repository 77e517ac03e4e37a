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

// DotRows writes dst[j] = Dot(x, src[j·ld : j·ld+len(x)]) for every j, the
// product of the len(dst)×len(x) matrix src (row stride ld) with x, with
// each element summed exactly as Dot sums it. It panics if src is too
// short.
func DotRows(dst, x, src []float64, ld int) {
	if len(dst) > 0 && len(src) < (len(dst)-1)*ld+len(x) {
		panic(errShortVec)
	}
	dotRowsImpl(dst, x, src, ld)
}

// AxpyRows computes, for j = 0, 1, …, len(c)−1 in that order,
//
//	dst += c[j·inc] · src[j·ld : j·ld+len(dst)],
//
// the same sums as len(c) calls of Axpy, in one call. It panics if src is
// too short.
func AxpyRows(dst, c []float64, inc int, src []float64, ld int) {
	n := (len(c) + inc - 1) / inc
	if n > 0 && len(src) < (n-1)*ld+len(dst) {
		panic(errShortVec)
	}
	axpyRowsImpl(dst, c, inc, src, ld)
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

	dotRowsImpl  = dotRowsGo
	axpyRowsImpl = axpyRowsGo
)

func dotRowsGo(dst, x, src []float64, ld int) {
	for j := range dst {
		dst[j] = dotImpl(x, src[j*ld:j*ld+len(x)])
	}
}

func axpyRowsGo(dst, c []float64, inc int, src []float64, ld int) {
	for j := 0; j*inc < len(c); j++ {
		axpyImpl(dst, c[j*inc], src[j*ld:j*ld+len(dst)])
	}
}

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
