package attack

import (
	"math"
	"math/rand/v2"

	"vitadv/model/linalg"
	"vitadv/model/valid"
)

// Set names a perturbation set B(τ) of one M×D sample (docs/THEORY.md §3.2).
type Set string

const (
	// Frobenius is one ℓ₂ ball on the whole patch matrix, ‖Δ‖_F ≤ τ: an ℓ₂
	// ball on the image, since the patches are a reshape of it. The
	// default (docs/THEORY.md §3.2, option A).
	Frobenius Set = "frobenius"
	// SignalToken perturbs only the signal token (row 0), ‖δ_0‖₂ ≤ τ
	// (docs/THEORY.md §3.2, option B).
	SignalToken Set = "signal-token"
	// PerToken puts one ℓ₂ ball on every token, ‖δ_l‖₂ ≤ τ for all l
	// (docs/THEORY.md §3.2, option C).
	PerToken Set = "per-token"
	// Linf is the ℓ∞ cube, |Δ_lk| ≤ τ for every entry.
	Linf Set = "linf"
)

// Sets lists the perturbation sets, default first.
func Sets() []Set { return []Set{Frobenius, SignalToken, PerToken, Linf} }

// orDefault maps the zero Set to Frobenius.
func (s Set) orDefault() Set {
	if s == "" {
		return Frobenius
	}
	return s
}

// Validate returns a *valid.Error unless s is one of Sets() or empty (which
// means Frobenius).
func (s Set) Validate() error {
	switch s.orDefault() {
	case Frobenius, SignalToken, PerToken, Linf:
		return nil
	}
	return &valid.Error{Field: "Set", Value: string(s), Rule: `must be "frobenius", "signal-token", "per-token" or "linf"`}
}

// BallDim returns the dimension n of one ball of the set for tokens of
// dimension D: M·D for Frobenius, D for SignalToken and PerToken (each
// token's ball), M·D for Linf. Uniform sampling draws the ℓ₂ radius as
// τ·U^{1/n} (docs/THEORY.md §3.2).
func (s Set) BallDim(M, D int) int {
	switch s.orDefault() {
	case SignalToken, PerToken:
		return D
	}
	return M * D
}

// Norm returns the gauge of the set at delta (one M×D sample), the
// smallest τ with delta ∈ B(τ):
//
//	Frobenius    ‖Δ‖_F
//	SignalToken  ‖δ_0‖₂, or +Inf if any other row is nonzero
//	PerToken     max_l ‖δ_l‖₂
//	Linf         max_{l,k} |Δ_lk|
//
// It panics if len(delta) is not a positive multiple of M.
func (s Set) Norm(delta []float64, M int) float64 {
	D := tokenDim(delta, M)
	switch s.orDefault() {
	case Frobenius:
		return norm2(delta)
	case SignalToken:
		for _, v := range delta[D:] {
			if v != 0 {
				return math.Inf(1)
			}
		}
		return norm2(delta[:D])
	case PerToken:
		mx := 0.0
		for l := 0; l < M; l++ {
			mx = math.Max(mx, norm2(delta[l*D:(l+1)*D]))
		}
		return mx
	case Linf:
		mx := 0.0
		for _, v := range delta {
			mx = math.Max(mx, math.Abs(v))
		}
		return mx
	}
	panic("attack: unknown Set " + string(s))
}

// Project replaces delta (one M×D sample) by its Euclidean projection onto
// B(τ), in place:
//
//	Frobenius    Δ ← Δ·min(1, τ/‖Δ‖_F)
//	SignalToken  δ_l ← 0 for l ≥ 1,  δ_0 ← δ_0·min(1, τ/‖δ_0‖)
//	PerToken     δ_l ← δ_l·min(1, τ/‖δ_l‖) for every l
//	Linf         Δ_lk ← clamp(Δ_lk, −τ, τ)
//
// The ℓ₂ cases may leave a norm above τ by a few ulps of τ (one rounded
// multiplication per entry and a rounded square root). It panics if
// len(delta) is not a positive multiple of M.
func (s Set) Project(delta []float64, M int, tau float64) {
	D := tokenDim(delta, M)
	switch s.orDefault() {
	case Frobenius:
		shrink(delta, tau)
	case SignalToken:
		clear(delta[D:])
		shrink(delta[:D], tau)
	case PerToken:
		for l := 0; l < M; l++ {
			shrink(delta[l*D:(l+1)*D], tau)
		}
	case Linf:
		for i, v := range delta {
			delta[i] = math.Max(-tau, math.Min(tau, v))
		}
	default:
		panic("attack: unknown Set " + string(s))
	}
}

// RandomTo writes a point drawn uniformly from B(τ) into dst (one M×D
// sample) and returns dst. An ℓ₂ ball of dimension n (BallDim) is sampled as
//
//	Δ = τ·U^{1/n}·g/‖g‖,   g ~ N(0, I_n),  U ~ U(0, 1),
//
// so that P(‖Δ‖ ≤ r) = (r/τ)ⁿ, the volume fraction; drawing the radius
// uniformly instead would crowd the centre (docs/THEORY.md §3.2; the bug of
// adversarial-attacks-pytorch issue 161). PerToken draws each token's ball
// independently (uniform on the product); SignalToken draws row 0 and
// zeroes the rest; Linf draws every entry from U(−τ, τ). It panics if
// len(dst) is not a positive multiple of M.
func (s Set) RandomTo(dst []float64, M int, tau float64, r *rand.Rand) []float64 {
	D := tokenDim(dst, M)
	switch s.orDefault() {
	case Frobenius:
		randomBall(dst, tau, r)
	case SignalToken:
		clear(dst[D:])
		randomBall(dst[:D], tau, r)
	case PerToken:
		for l := 0; l < M; l++ {
			randomBall(dst[l*D:(l+1)*D], tau, r)
		}
	case Linf:
		for i := range dst {
			dst[i] = tau * (float64(2*float64(r.Float64())) - 1)
		}
	default:
		panic("attack: unknown Set " + string(s))
	}
	return dst
}

// ascentTo writes the unit steepest-ascent direction of the set's norm for
// the gradient g (one M×D sample) into dst and returns dst:
//
//	Frobenius    g/‖g‖_F
//	SignalToken  g_0/‖g_0‖ in row 0, zero elsewhere
//	PerToken     g_l/‖g_l‖ in every row l
//	Linf         sign(g)
//
// A zero gradient (or zero row) gives a zero direction. dst may alias g.
func (s Set) ascentTo(dst, g []float64, M int) []float64 {
	D := tokenDim(g, M)
	switch s.orDefault() {
	case Frobenius:
		unitTo(dst, g)
	case SignalToken:
		unitTo(dst[:D], g[:D])
		clear(dst[D:len(g)])
	case PerToken:
		for l := 0; l < M; l++ {
			unitTo(dst[l*D:(l+1)*D], g[l*D:(l+1)*D])
		}
	case Linf:
		signTo(dst, g)
	default:
		panic("attack: unknown Set " + string(s))
	}
	return dst
}

// tokenDim returns len(v)/M, panicking unless it is a positive integer.
func tokenDim(v []float64, M int) int {
	if M < 1 || len(v) == 0 || len(v)%M != 0 {
		panic("attack: length is not a positive multiple of M")
	}
	return len(v) / M
}

// norm2 returns ‖v‖₂. The plain sum of squares is used unless it under- or
// overflows (gradients of far-saturated samples can be ~1e-300), in which
// case v is rescaled by its largest magnitude first.
func norm2(v []float64) float64 {
	ss := 0.0
	for _, x := range v {
		ss += float64(x * x)
	}
	if ss > 0x1p-900 && ss < 0x1p900 {
		return math.Sqrt(ss)
	}
	mx := 0.0
	for _, x := range v {
		mx = math.Max(mx, math.Abs(x))
	}
	switch {
	case math.IsNaN(ss):
		return math.NaN()
	case mx == 0 || math.IsInf(mx, 0):
		return mx
	}
	ss = 0
	for _, x := range v {
		x /= mx
		ss += float64(x * x)
	}
	return mx * math.Sqrt(ss)
}

// shrink scales v onto the ℓ₂ ball of radius tau if it lies outside.
func shrink(v []float64, tau float64) {
	n := norm2(v)
	if n <= tau {
		return
	}
	c := tau / n
	for i := range v {
		v[i] *= c
	}
}

// unitTo writes g/‖g‖₂ into dst (zero if g = 0 or ‖g‖ is not finite).
func unitTo(dst, g []float64) {
	n := norm2(g)
	if n == 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		clear(dst[:len(g)])
		return
	}
	divTo(dst[:len(g)], g, n)
}

// divTo sets dst[i] = src[i]/d for i < len(dst) (the AVX kernel where the
// CPU has it: the same correctly rounded quotients, four at a time).
func divTo(dst, src []float64, d float64) {
	src = src[:len(dst)]
	i := 0
	if divAVX && len(dst) >= 4 {
		i = len(dst) &^ 3
		divAVXasm(&dst[0], &src[0], i, d)
	}
	divGo(dst[i:], src[i:], d)
}

// divGo is the Go loop of divTo (the reference of the kernel).
func divGo(dst, src []float64, d float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = v / d
	}
}

// randomBall fills v with a uniform draw from the ℓ₂ ball of radius tau in
// ℝ^len(v).
func randomBall(v []float64, tau float64, r *rand.Rand) {
	var n float64
	for n == 0 { // an all-zero Gaussian draw has probability 0; redraw
		for i := range v {
			v[i] = r.NormFloat64()
		}
		n = norm2(v)
	}
	c := tau * linalg.Pow(r.Float64(), 1/float64(len(v))) / n
	for i := range v {
		v[i] *= c
	}
}

// signTo writes dst[i] = sign(g[i]) ∈ {−1, 0, 1} for every i of g (the
// ℓ∞ ascent direction; dst may be g).
func signTo(dst, g []float64) {
	for i, v := range g {
		switch {
		case v > 0:
			dst[i] = 1
		case v < 0:
			dst[i] = -1
		default:
			dst[i] = 0
		}
	}
}
