package linalg

import "math"

// Dot returns Σ_i x[i]·y[i] over i < len(x), in one order fixed for every
// path: L = 16 partial sums, lane l accumulating the fused chain
//
//	s_l = fma(x[i], y[i], s_l)   for i ≡ l (mod 16), i < n₁₆ = len(x) − len(x) mod 16,
//
// combined pairwise as s_l += s_{l+8} (l < 8), s_l += s_{l+4} (l < 4),
// s_l += s_{l+2} (l < 2), t = s₀ + s₁, then the tail t = fma(x[i], y[i], t)
// for i = n₁₆, …, len(x)−1. (AVX-512 keeps the lanes in two zmm registers,
// AVX2 in four ymm registers; pure Go uses math.FMA, exact on every CPU.)
// It panics if len(y) < len(x).
func Dot(x, y []float64) float64 {
	if len(y) < len(x) {
		panic(errShortVec)
	}
	return vec.dot(x, y[:len(x)])
}

// Axpy computes dst[i] = fma(a, x[i], dst[i]) for i < len(dst) (one
// rounding per element, on every path). It panics if len(x) < len(dst).
func Axpy(dst []float64, a float64, x []float64) {
	if len(x) < len(dst) {
		panic(errShortVec)
	}
	vec.axpy(dst, a, x[:len(dst)])
}

// DotRows writes dst[j] = Dot(x, src[j·ld : j·ld+len(x)]) for every j, the
// product of the len(dst)×len(x) matrix src (row stride ld) with x, with
// each element summed exactly as Dot sums it. It panics if src is too
// short.
func DotRows(dst, x, src []float64, ld int) {
	if len(dst) > 0 && len(src) < (len(dst)-1)*ld+len(x) {
		panic(errShortVec)
	}
	for j := range dst {
		dst[j] = vec.dot(x, src[j*ld:j*ld+len(x)])
	}
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
	for j := 0; j*inc < len(c); j++ {
		vec.axpy(dst, c[j*inc], src[j*ld:j*ld+len(dst)])
	}
}

// ExpTo writes Exp(x[i]) into dst[i] for every i and returns dst (the same
// bits as Exp on every path; the assembly evaluates 8 or 4 lanes at once,
// the tail in Go). It panics if len(dst) < len(x).
func ExpTo(dst, x []float64) []float64 {
	if len(dst) < len(x) {
		panic(errShortVec)
	}
	vec.exp(dst[:len(x)], x)
	return dst
}

// Scal computes dst[i] *= a for every i.
func Scal(dst []float64, a float64) { vec.scal(dst, a) }

const errShortVec = "linalg: vector too short"

// vecKernels is one implementation of the vector operations.
type vecKernels struct {
	name string
	dot  func(x, y []float64) float64 // len(y) == len(x)
	axpy func(dst []float64, a float64, x []float64)
	scal func(dst []float64, a float64)
	exp  func(dst, x []float64)
}

// vecGo is the pure-Go reference of every path.
var vecGo = vecKernels{name: "go", dot: dotGo, axpy: axpyGo, scal: scalGo, exp: expGo}

// vec is the active implementation, set once by init functions; vecs lists
// every implementation that runs on this CPU (the tests check each).
var (
	vec  = vecGo
	vecs = []vecKernels{vecGo}
)

func dotGo(x, y []float64) float64 {
	var s [16]float64
	y = y[:len(x)]
	n := len(x) &^ 15
	for i := 0; i < n; i += 16 {
		a := (*[16]float64)(x[i:])
		b := (*[16]float64)(y[i:])
		for l := range s {
			s[l] = math.FMA(a[l], b[l], s[l])
		}
	}
	for l := range 8 {
		s[l] += s[l+8]
	}
	for l := range 4 {
		s[l] += s[l+4]
	}
	s[0] += s[2]
	s[1] += s[3]
	t := s[0] + s[1]
	for i := n; i < len(x); i++ {
		t = math.FMA(x[i], y[i], t)
	}
	return t
}

func axpyGo(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = math.FMA(a, x[i], dst[i])
	}
}

func scalGo(dst []float64, a float64) {
	for i := range dst {
		dst[i] *= a
	}
}
