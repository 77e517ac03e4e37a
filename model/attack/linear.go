package attack

import (
	"math"

	"vitadv/model/vit"
)

// LinearOutput returns the output of the uniform-attention ("linear
// collapse") model at one sample x (M×D, M = len(x)/m.D):
//
//	f_lin(X) = (1/M)·1ᵀ X u = (1/M) Σ_l x_lᵀ u,   u = W_V w_O.
//
// It equals m's output exactly when W_Q W_Kᵀ = 0 (every attention weight is
// then 1/M), and ignores W_Q, W_K otherwise (docs/THEORY.md §3.3). It panics if
// len(x) is not a positive multiple of m.D.
func LinearOutput(m *vit.Model, x []float64) float64 {
	D := m.D
	M := numTokens(x, D)
	u := m.ValueVector(make([]float64, D))
	s := 0.0
	for l := 0; l < M; l++ {
		row := x[l*D : (l+1)*D]
		for k, v := range row {
			s += float64(v * u[k])
		}
	}
	return s / float64(M)
}

// LinearWorstMargin returns the closed-form minimum over Δ ∈ B(τ) of the
// margin of the uniform-attention model at one sample x (M×D) with label
// y = ±1 (docs/THEORY.md §3.3 [DER]):
//
//	Frobenius    y f_lin(X) − τ‖u‖₂/√M
//	PerToken     y f_lin(X) − τ‖u‖₂
//	SignalToken  y f_lin(X) − τ‖u‖₂/M
//	Linf         y f_lin(X) − τ‖u‖₁
//
// The change of the margin is −(y/M) Σ_l δ_lᵀu, a linear functional of Δ,
// so its minimum is τ times the dual norm of the functional: ‖1uᵀ/M‖_F =
// ‖u‖/√M; Σ_l ‖u‖/M = ‖u‖; ‖u‖/M on row 0 alone; Σ_{l,k} |u_k|/M = ‖u‖₁.
// The minimizer is LinearWorstDeltaTo. It panics if len(x) is not a
// positive multiple of m.D or the set is unknown.
func LinearWorstMargin(m *vit.Model, x []float64, y float64, set Set, tau float64) float64 {
	u := m.ValueVector(make([]float64, m.D))
	M := float64(numTokens(x, m.D))
	base := float64(y * LinearOutput(m, x))
	switch set.orDefault() {
	case Frobenius:
		return base - float64(tau*norm2(u)/math.Sqrt(M))
	case PerToken:
		return base - float64(tau*norm2(u))
	case SignalToken:
		return base - float64(tau*norm2(u)/M)
	case Linf:
		s := 0.0
		for _, v := range u {
			s += math.Abs(v)
		}
		return base - float64(tau*s)
	}
	panic("attack: unknown Set " + string(set))
}

// LinearWorstDeltaTo writes the minimizer Δ* of LinearWorstMargin (one M×D
// perturbation, M = len(dst)/m.D) into dst and returns dst, with û = u/‖u‖₂:
//
//	Frobenius    δ*_l = −y τ û/√M  for every l     (‖Δ*‖_F = τ)
//	PerToken     δ*_l = −y τ û     for every l
//	SignalToken  δ*_0 = −y τ û,  δ*_l = 0 for l ≥ 1
//	Linf         Δ*_lk = −y τ sign(u_k)
//
// If u = 0 the margin does not depend on Δ and dst is set to zero. It
// panics if len(dst) is not a positive multiple of m.D or the set is
// unknown.
func LinearWorstDeltaTo(dst []float64, m *vit.Model, y float64, set Set, tau float64) []float64 {
	D := m.D
	M := numTokens(dst, D)
	u := m.ValueVector(make([]float64, D))
	nu := norm2(u)
	clear(dst)
	if nu == 0 {
		return dst
	}
	c := -y * tau / nu
	switch set.orDefault() {
	case Frobenius:
		c /= math.Sqrt(float64(M))
		fallthrough
	case PerToken:
		for l := 0; l < M; l++ {
			for k, v := range u {
				dst[l*D+k] = c * v
			}
		}
	case SignalToken:
		for k, v := range u {
			dst[k] = c * v
		}
	case Linf:
		for i := range dst {
			switch u := u[i%D]; {
			case u > 0:
				dst[i] = -y * tau
			case u < 0:
				dst[i] = y * tau
			}
		}
	default:
		panic("attack: unknown Set " + string(set))
	}
	return dst
}

// numTokens returns len(x)/D, panicking unless it is a positive integer.
func numTokens(x []float64, D int) int {
	if D < 1 || len(x) == 0 || len(x)%D != 0 {
		panic("attack: length is not a positive multiple of D")
	}
	return len(x) / D
}
