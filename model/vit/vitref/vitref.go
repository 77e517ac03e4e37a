// Package vitref evaluates the simplified ViT of package vit, its parameter
// gradients and its input gradient in multi-precision arithmetic
// (math/big.Float), as the reference against which the float64 kernel's
// numerics are measured.
//
// It shares no formula with the kernel: the forward pass is the definition
// of docs/THEORY.md §2.1 written with plain loops (W_Q W_Kᵀ is never needed),
// and every derivative is forward-mode automatic differentiation of that
// pass — one tangent sweep per parameter or input coordinate, with the chain
// rule applied mechanically (the softmax through the quotient rule on the
// unnormalized exponentials). The closed forms of docs/THEORY.md §2.4 are not
// used, so a cancellation in them cannot be reproduced here.
//
// Inputs (weights, tokens, the score multiplier s = m.Scale()) are taken as
// the exact values of their float64 representations; every operation is then
// rounded to Prec bits, and the results are rounded once to float64. With
// Prec = 1536, the relative error of each result before that last rounding is
// far below 2⁻⁵³ for score spreads up to 700 (the quotient rule cancels about
// spread·log₂e ≈ 1010 bits when a softmax row is one-hot to within e^{−700}).
//
// It is slow (about a millisecond per tangent sweep at d = 4, M = 4) and meant
// for tests on small instances.
package vitref

import (
	"math"
	"math/big"

	"vitadv/model/vit"
)

// Prec is the working precision in bits.
const Prec = 1536

// Result is f(X; θ) and its derivatives, each rounded to float64, in the
// layouts of package vit (WQK is D × 2Dh with [W_Q | W_K] per row).
type Result struct {
	F           float64
	WQK, Wv, Wo []float64 // ∂f/∂θ
	X           []float64 // ∂f/∂X, M × D row-major
	Scores      []float64 // z_lj = s·q_lᵀk_j, M × M (rounded; for reporting)
}

// Spread returns the largest gap max_j z_lj − min_j z_lj over the rows of the
// scores: how far from uniform (towards one-hot) the attention can be.
func (r Result) Spread(M int) float64 {
	sp := 0.0
	for l := 0; l < M; l++ {
		row := r.Scores[l*M : (l+1)*M]
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, z := range row {
			lo, hi = math.Min(lo, z), math.Max(hi, z)
		}
		sp = math.Max(sp, hi-lo)
	}
	return sp
}

func nf() *big.Float { return new(big.Float).SetPrec(Prec) }

func bf(x float64) *big.Float { return nf().SetFloat64(x) }

func add(a, b *big.Float) *big.Float { return nf().Add(a, b) }
func sub(a, b *big.Float) *big.Float { return nf().Sub(a, b) }
func mul(a, b *big.Float) *big.Float { return nf().Mul(a, b) }
func quo(a, b *big.Float) *big.Float { return nf().Quo(a, b) }

func f64(a *big.Float) float64 { v, _ := a.Float64(); return v }

// exp returns e^x for finite x ≤ 0 with |x| < 2^20, to about Prec bits:
// e^x = (e^{x/2^k})^{2^k}, the inner exponential by its Taylor series.
func exp(x *big.Float) *big.Float {
	const guard = 64
	wp := uint(Prec + guard)
	r := new(big.Float).SetPrec(wp).Set(x)
	k := 0
	if x.Sign() != 0 {
		if e := x.MantExp(nil) + 24; e > 0 { // |x/2^k| < 2^-24
			k = e
			r.SetMantExp(r, -k)
		}
	}
	sum := new(big.Float).SetPrec(wp).SetInt64(1)
	term := new(big.Float).SetPrec(wp).SetInt64(1)
	for n := int64(1); ; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(wp).SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < sum.MantExp(nil)-int(wp) {
			break
		}
		sum.Add(sum, term)
	}
	for ; k > 0; k-- {
		sum.Mul(sum, sum)
	}
	return nf().Set(sum)
}

// model holds the weights and one sample as big floats.
type model struct {
	D, Dh, Dv, M int
	s            *big.Float
	wq, wk, wv   []*big.Float // D×Dh, D×Dh, D×Dv
	wo, x        []*big.Float // Dv, M×D
}

// values holds the forward pass.
type values struct {
	u, v   []*big.Float // D, M
	q, k   []*big.Float // M×Dh
	z, e   []*big.Float // M×M: scores, e^{z − max_j z_lj}
	sum    []*big.Float // M: Σ_j e_lj
	S      []*big.Float // M×M
	f      *big.Float
	invM   *big.Float
	scores []float64
}

func bigs(x []float64) []*big.Float {
	out := make([]*big.Float, len(x))
	for i, v := range x {
		out[i] = bf(v)
	}
	return out
}

func zeros(n int) []*big.Float {
	out := make([]*big.Float, n)
	for i := range out {
		out[i] = nf()
	}
	return out
}

// forward evaluates docs/THEORY.md §2.1 for one sample.
func (p *model) forward() *values {
	D, Dh, Dv, M := p.D, p.Dh, p.Dv, p.M
	r := &values{u: zeros(D), v: zeros(M), q: zeros(M * Dh), k: zeros(M * Dh),
		z: zeros(M * M), e: make([]*big.Float, M*M), sum: zeros(M), S: make([]*big.Float, M*M),
		invM: quo(bf(1), bf(float64(M))), scores: make([]float64, M*M)}
	for i := 0; i < D; i++ {
		for j := 0; j < Dv; j++ {
			r.u[i] = add(r.u[i], mul(p.wv[i*Dv+j], p.wo[j]))
		}
	}
	for l := 0; l < M; l++ {
		for h := 0; h < Dh; h++ {
			for i := 0; i < D; i++ {
				r.q[l*Dh+h] = add(r.q[l*Dh+h], mul(p.x[l*D+i], p.wq[i*Dh+h]))
				r.k[l*Dh+h] = add(r.k[l*Dh+h], mul(p.x[l*D+i], p.wk[i*Dh+h]))
			}
		}
		for i := 0; i < D; i++ {
			r.v[l] = add(r.v[l], mul(p.x[l*D+i], r.u[i]))
		}
	}
	r.f = nf()
	for l := 0; l < M; l++ {
		var mx *big.Float
		for j := 0; j < M; j++ {
			z := nf()
			for h := 0; h < Dh; h++ {
				z = add(z, mul(r.q[l*Dh+h], r.k[j*Dh+h]))
			}
			z = mul(p.s, z)
			r.z[l*M+j] = z
			r.scores[l*M+j] = f64(z)
			if mx == nil || z.Cmp(mx) > 0 {
				mx = z
			}
		}
		for j := 0; j < M; j++ {
			r.e[l*M+j] = exp(sub(r.z[l*M+j], mx))
			r.sum[l] = add(r.sum[l], r.e[l*M+j])
		}
		for j := 0; j < M; j++ {
			r.S[l*M+j] = quo(r.e[l*M+j], r.sum[l])
			r.f = add(r.f, mul(mul(r.S[l*M+j], r.v[j]), r.invM))
		}
	}
	return r
}

// tangent returns df for the tangent (dwq, dwk, dwv, dwo, dx) at the values
// r: the forward pass differentiated line by line (the max subtracted before
// the exponential is a constant that the quotient S = e/Σe cancels).
func (p *model) tangent(r *values, dwq, dwk, dwv, dwo, dx []*big.Float) *big.Float {
	D, Dh, Dv, M := p.D, p.Dh, p.Dv, p.M
	du, dv := zeros(D), zeros(M)
	dq, dk := zeros(M*Dh), zeros(M*Dh)
	for i := 0; i < D; i++ {
		for j := 0; j < Dv; j++ {
			du[i] = add(du[i], add(mul(dwv[i*Dv+j], p.wo[j]), mul(p.wv[i*Dv+j], dwo[j])))
		}
	}
	for l := 0; l < M; l++ {
		for h := 0; h < Dh; h++ {
			for i := 0; i < D; i++ {
				dq[l*Dh+h] = add(dq[l*Dh+h], add(mul(dx[l*D+i], p.wq[i*Dh+h]), mul(p.x[l*D+i], dwq[i*Dh+h])))
				dk[l*Dh+h] = add(dk[l*Dh+h], add(mul(dx[l*D+i], p.wk[i*Dh+h]), mul(p.x[l*D+i], dwk[i*Dh+h])))
			}
		}
		for i := 0; i < D; i++ {
			dv[l] = add(dv[l], add(mul(dx[l*D+i], r.u[i]), mul(p.x[l*D+i], du[i])))
		}
	}
	df := nf()
	for l := 0; l < M; l++ {
		de := make([]*big.Float, M)
		dsum := nf()
		for j := 0; j < M; j++ {
			dz := nf()
			for h := 0; h < Dh; h++ {
				dz = add(dz, add(mul(dq[l*Dh+h], r.k[j*Dh+h]), mul(r.q[l*Dh+h], dk[j*Dh+h])))
			}
			dz = mul(p.s, dz)
			de[j] = mul(r.e[l*M+j], dz)
			dsum = add(dsum, de[j])
		}
		sum2 := mul(r.sum[l], r.sum[l])
		for j := 0; j < M; j++ {
			dS := quo(sub(mul(de[j], r.sum[l]), mul(r.e[l*M+j], dsum)), sum2)
			df = add(df, mul(add(mul(dS, r.v[j]), mul(r.S[l*M+j], dv[j])), r.invM))
		}
	}
	return df
}

// Eval returns f(X; θ), ∂f/∂θ and ∂f/∂X of model m at the single sample x
// (M×D row-major, len(x) ≥ M·D), computed at Prec bits and rounded to
// float64. WQK and Wv receive every entry; Wo too, whether or not m.TrainWo
// (vit.Backward leaves it zero when w_O is frozen). It panics if M < 1 or x
// is too short.
func Eval(m *vit.Model, x []float64, M int) Result {
	if M < 1 || len(x) < M*m.D {
		panic("vitref: M < 1 or x shorter than M·D")
	}
	wq, wk := m.SplitQK()
	p := &model{D: m.D, Dh: m.Dh, Dv: m.Dv, M: M, s: bf(m.Scale()),
		wq: bigs(wq), wk: bigs(wk), wv: bigs(m.Wv), wo: bigs(m.Wo), x: bigs(x[:M*m.D])}
	r := p.forward()
	res := Result{F: f64(r.f), WQK: make([]float64, len(m.WQK)), Wv: make([]float64, len(m.Wv)),
		Wo: make([]float64, len(m.Wo)), X: make([]float64, M*m.D), Scores: r.scores}
	zq, zk, zv, zo, zx := zeros(len(wq)), zeros(len(wk)), zeros(len(m.Wv)), zeros(len(m.Wo)), zeros(M*m.D)
	one, zero := bf(1), nf()
	sweep := func(slot []*big.Float, i int) float64 {
		slot[i] = one
		d := f64(p.tangent(r, zq, zk, zv, zo, zx))
		slot[i] = zero
		return d
	}
	dh := m.Dh
	for i := 0; i < m.D; i++ {
		for h := 0; h < dh; h++ {
			res.WQK[i*2*dh+h] = sweep(zq, i*dh+h)
			res.WQK[i*2*dh+dh+h] = sweep(zk, i*dh+h)
		}
	}
	for i := range res.Wv {
		res.Wv[i] = sweep(zv, i)
	}
	for i := range res.Wo {
		res.Wo[i] = sweep(zo, i)
	}
	for i := range res.X {
		res.X[i] = sweep(zx, i)
	}
	return res
}
