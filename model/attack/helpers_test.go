package attack

import (
	"math"
	"math/rand/v2"

	"pgregory.net/rapid"

	"vitadv/model/vit"
)

// Tolerances, each with its reason.
const (
	// eps is the unit roundoff of float64.
	eps = 0x1p-53
	// tolPGD: PGD-20 against the closed-form linear margin, relative
	// (docs/THEORY.md §8 P10). On the uniform-attention model the ascent
	// direction is constant, so PGD lands on the optimum after ⌈K/2.5⌉
	// steps and the true gap is rounding only; 1e-3 is the spec's bound.
	tolPGD = 1e-3
	// tolTight: the closed-form Δ* against the closed-form margin; the
	// same sums in a different order (M·D terms, a few ulps each).
	tolTight = 1e-12
	// ballUlps: how many ulps of (τ + ‖X‖_F) a returned xadv − x may exceed
	// the budget by: the projection rounds each entry once and the norm
	// once (≤ 2 ulps of τ), and x + Δ − x loses up to half an ulp of |x_k|
	// + |Δ_k| per entry.
	ballUlps = 8
	// sigmas: half-width of a binomial acceptance band in standard
	// deviations; with a few dozen such checks per run, a false alarm has
	// probability < 1e-4.
	sigmas = 4.5
)

// instance is a small random model and batch.
type instance struct {
	m    *vit.Model
	x, y []float64
	n, M int
}

// drawInstance draws D ≤ 8, M ≤ 5, d_h, d_v ≤ 4, n ≤ 3, weights at scale
// 2⁻³..2 and inputs at 2⁻²..2 (log grids), labels ±1. uniform zeroes W_Q
// and W_K (exactly uniform attention).
func drawInstance(t *rapid.T, uniform bool) instance {
	a := vit.Arch{
		D:           rapid.IntRange(1, 8).Draw(t, "D"),
		Dh:          rapid.IntRange(1, 4).Draw(t, "Dh"),
		Dv:          rapid.IntRange(1, 4).Draw(t, "Dv"),
		ScaleScores: rapid.Bool().Draw(t, "scale"),
	}
	M := rapid.IntRange(1, 5).Draw(t, "M")
	n := rapid.IntRange(1, 3).Draw(t, "n")
	ws := math.Ldexp(1, rapid.IntRange(-3, 1).Draw(t, "log2wscale"))
	xs := math.Ldexp(1, rapid.IntRange(-2, 1).Draw(t, "log2xscale"))
	seed := rapid.Uint64().Draw(t, "seed")
	return newInstance(a, M, n, ws, xs, seed, uniform)
}

func newInstance(a vit.Arch, M, n int, wscale, xscale float64, seed uint64, uniform bool) instance {
	r := rand.New(rand.NewPCG(seed, 2))
	m, err := vit.New(a)
	if err != nil {
		panic(err)
	}
	for _, w := range [][]float64{m.WQK, m.Wv, m.Wo} {
		for i := range w {
			w[i] = wscale * r.NormFloat64()
		}
	}
	if uniform {
		clear(m.WQK)
	}
	x := make([]float64, n*M*a.D)
	for i := range x {
		x[i] = xscale * r.NormFloat64()
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(2*r.IntN(2) - 1)
	}
	return instance{m: m, x: x, y: y, n: n, M: M}
}

// sample returns sample i of a flat batch of samples of size S.
func sample(x []float64, i, S int) []float64 { return x[i*S : (i+1)*S] }

// diff returns a − b.
func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// margins returns y_i f(X_i) for the n samples of x.
func margins(m *vit.Model, x, y []float64, n, M int) []float64 {
	ws := vit.NewWorkspace(m.Arch, M, n)
	f := m.Forward(ws, x, n)
	out := make([]float64, n)
	for i := range out {
		out[i] = y[i] * f[i]
	}
	return out
}

// drawTau draws τ = k/8 · 2^j on a grid (k = 0..16, j = −2..1), zero included.
func drawTau(t *rapid.T, label string) float64 {
	k := rapid.IntRange(0, 16).Draw(t, label+"8ths")
	j := rapid.IntRange(-2, 1).Draw(t, label+"log2")
	return math.Ldexp(float64(k)/8, j)
}

// linearCases are uniform-attention instances (W_Q = W_K = 0) for the
// closed forms of docs/THEORY.md §3.3 and the P10 oracle; M = 1 is included
// because there the three ℓ₂ sets coincide.
func linearCases() []instance {
	var out []instance
	for k, sh := range []struct{ D, M, n int }{{8, 5, 3}, {4, 3, 2}, {6, 1, 2}, {8, 4, 3}} {
		a := vit.Arch{D: sh.D, Dh: 3, Dv: 4}
		out = append(out, newInstance(a, sh.M, sh.n, 0.5, 1, uint64(100+k), true))
	}
	return out
}
