package attack

import (
	"math"

	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// feasSlack is the relative slack with which an exact attack's cost is
// compared with τ: a cost and a budget both computed as ‖μ‖/√2 may differ
// by a couple of ulps (one rounded square, one rounded square root each),
// and such a budget must count as sufficient (docs/THEORY.md §3.4 states the
// threshold as τ ≥ ‖μ‖/√2, inclusive).
const feasSlack = 4 * 0x1p-52

// MidpointCost returns the cost ‖μ₊ − μ₋‖/2 = ‖μ‖/√2 of the midpoint attack
// on a clean sample in every ℓ₂ set, for orthogonal equal-norm signals of
// norm mu (docs/THEORY.md §3.4 [DER]).
func MidpointCost(mu float64) float64 { return mu / math.Sqrt2 }

// EraseCost returns the cost ‖μ‖ of the erase attack on a clean sample in
// every ℓ₂ set (docs/THEORY.md §3.4 [DER]).
func EraseCost(mu float64) float64 { return mu }

// MidpointTo writes the midpoint attack on one sample x (M×D) into dst
// (same length; dst may be x) and returns its cost in the set's norm and
// whether it fits the budget (docs/THEORY.md §3.4 [DER]):
//
//	x_0 ← (μ₊ + μ₋)/2,   cost = Set.Norm(Δ), Δ = e_0((μ₊+μ₋)/2 − x_0)ᵀ,
//
// which on a clean sample is ‖μ‖/√2 for the ℓ₂ sets (‖μ‖/2 for Linf). The
// new signal token does not depend on the label, so a +1 and a −1 sample
// with the same noise tokens become bit-identical.
//
// Budget: if cost ≤ τ (up to a few ulps, feasSlack) the exact attack is
// written and ok is true. Otherwise — the budget is below the threshold —
// the perturbation is scaled onto the boundary, x_0 ← x_0 + (τ/cost)·Δ_0,
// so dst is always inside B(τ), and ok is false: the classes are then not
// merged and the robust-error floor of §3.4 does not apply.
//
// It panics if len(x) is not a positive multiple of M, len(dst) ≠ len(x),
// or the signals do not have length D.
func MidpointTo(dst, x []float64, M int, sig data.Signals, set Set, tau float64) (cost float64, ok bool) {
	D := tokenDim(x, M)
	if len(sig.Plus) != D || len(sig.Minus) != D {
		panic("attack: MidpointTo: signals do not have the token dimension")
	}
	return tokenZeroTo(dst, x, D, sig.Plus, sig.Minus, set, tau)
}

// EraseTo writes the erase attack x_0 ← 0 on one sample x (M×D) into dst
// (same length; dst may be x) and returns its cost Set.Norm(−e_0 x_0ᵀ) —
// ‖μ‖ on a clean sample — and whether it fits the budget (docs/THEORY.md §3.4
// [DER]). An over-budget attack is scaled onto the boundary as in
// MidpointTo. It panics if len(x) is not a positive multiple of M or
// len(dst) ≠ len(x).
func EraseTo(dst, x []float64, M int, set Set, tau float64) (cost float64, ok bool) {
	return tokenZeroTo(dst, x, tokenDim(x, M), nil, nil, set, tau)
}

// tokenZeroTo moves row 0 of x to the target (a+b)/2 (or 0 when a is nil),
// within budget tau, writing the result into dst.
func tokenZeroTo(dst, x []float64, D int, a, b []float64, set Set, tau float64) (cost float64, ok bool) {
	if len(dst) != len(x) {
		panic("attack: dst and x lengths differ")
	}
	target := func(k int) float64 {
		if a == nil {
			return 0
		}
		return (a[k] + b[k]) / 2
	}
	switch set.orDefault() {
	case Frobenius, SignalToken, PerToken:
		ss := 0.0
		for k := 0; k < D; k++ {
			d := target(k) - x[k]
			ss += float64(d * d)
		}
		cost = math.Sqrt(ss)
	case Linf:
		for k := 0; k < D; k++ {
			cost = math.Max(cost, math.Abs(target(k)-x[k]))
		}
	default:
		panic("attack: unknown Set " + string(set))
	}
	copy(dst[D:], x[D:])
	if cost <= tau*(1+feasSlack) {
		for k := 0; k < D; k++ {
			dst[k] = target(k)
		}
		return cost, true
	}
	s := tau / cost
	for k := 0; k < D; k++ {
		dst[k] = x[k] + float64(s*(target(k)-x[k]))
	}
	return cost, false
}

// ExactResult reports the last Perturb call of an exact attack.
type ExactResult struct {
	N        int     // samples attacked
	Feasible int     // samples whose exact attack fit τ; the others were scaled onto the boundary
	MaxCost  float64 // largest cost, in the set's norm
}

// Midpoint is the midpoint attack (MidpointTo) as an Attacker. It ignores
// the model and the labels.
type Midpoint struct {
	sig data.Signals
	set Set
	tau float64
	M   int
	res ExactResult
}

// NewMidpoint returns the midpoint attack for samples of M tokens, signals
// sig (data.SignalsOf), set and budget tau. Bad arguments return a
// *valid.Error naming Signals, M, Set or Tau.
func NewMidpoint(sig data.Signals, M int, set Set, tau float64) (*Midpoint, error) {
	if err := valid.First(set.Validate(), valid.NonNeg("Tau", tau), valid.IntMin("M", M, 1)); err != nil {
		return nil, err
	}
	if len(sig.Plus) == 0 || len(sig.Plus) != len(sig.Minus) {
		return nil, &valid.Error{Field: "Signals", Value: len(sig.Plus), Rule: "Plus and Minus must be non-empty and of equal length"}
	}
	return &Midpoint{sig: sig, set: set.orDefault(), tau: tau, M: M}, nil
}

// Perturb writes the midpoint attack on each of the n samples of x into
// xadv (xadv may be x). It panics on short slices or if m.D differs from
// the signals' length.
func (a *Midpoint) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	if m.D != len(a.sig.Plus) {
		panic("attack: Midpoint: model dimension differs from the signals'")
	}
	a.res = perturbExact(x, n, xadv, a.M, m.D, func(dst, xi []float64) (float64, bool) {
		return MidpointTo(dst, xi, a.M, a.sig, a.set, a.tau)
	})
}

// Result returns the outcome of the last Perturb call.
func (a *Midpoint) Result() ExactResult { return a.res }

// Erase is the erase attack (EraseTo) as an Attacker. It ignores the model
// and the labels.
type Erase struct {
	set Set
	tau float64
	M   int
	res ExactResult
}

// NewErase returns the erase attack for samples of M tokens, set and budget
// tau. Bad arguments return a *valid.Error naming M, Set or Tau.
func NewErase(M int, set Set, tau float64) (*Erase, error) {
	if err := valid.First(set.Validate(), valid.NonNeg("Tau", tau), valid.IntMin("M", M, 1)); err != nil {
		return nil, err
	}
	return &Erase{set: set.orDefault(), tau: tau, M: M}, nil
}

// Perturb writes the erase attack on each of the n samples of x into xadv
// (xadv may be x). It panics on short slices.
func (a *Erase) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	a.res = perturbExact(x, n, xadv, a.M, m.D, func(dst, xi []float64) (float64, bool) {
		return EraseTo(dst, xi, a.M, a.set, a.tau)
	})
}

// Result returns the outcome of the last Perturb call.
func (a *Erase) Result() ExactResult { return a.res }

func perturbExact(x []float64, n int, xadv []float64, M, D int, f func(dst, xi []float64) (float64, bool)) ExactResult {
	S := M * D
	if n < 1 || len(x) < n*S || len(xadv) < n*S {
		panic("attack: exact attack: n < 1 or x, xadv too short")
	}
	res := ExactResult{N: n}
	for i := 0; i < n; i++ {
		cost, ok := f(xadv[i*S:(i+1)*S], x[i*S:(i+1)*S])
		res.MaxCost = math.Max(res.MaxCost, cost)
		if ok {
			res.Feasible++
		}
	}
	return res
}
