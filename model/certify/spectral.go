package certify

import "math"

// specA returns an upper bound of the spectral norm ‖A‖₂ of
// A = W_Q W_Kᵀ, the factor of bound's second-order score term, tighter than
// bound's min(‖W_Q‖_F‖W_K‖_F, ‖A‖_F) (frobA) when A has more than one
// sizeable singular value. With C = G_Q G_K (G = WᵀW, d_h×d_h), whose
// eigenvalues are the σ_i(A)² ≥ 0 (C is similar to G_K^{1/2} G_Q G_K^{1/2}),
//
//	σ_max(A)⁴ ≤ Σ_i σ_i(A)⁴ = tr(C²) = Σ_ij C_ij C_ji,
//
// so ‖A‖₂ ≤ tr(C²)^{1/4}, within a factor (Σ_i (σ_i/σ_max)⁴)^{1/4} of the
// truth (‖A‖_F has the square instead of the fourth powers). The Gram
// matrices carry frobA's entrywise error bounds e (γ_d‖col_i‖‖col_j‖); the
// computed Ĉ is within E = e_Q|Ĝ_K| + |Ĝ_Q|e_K + e_Q e_K + γ_{d_h}|Ĝ_Q||Ĝ_K|
// of C entrywise, and the signed trace within Σ (E_ij|Ĉ_ji| + |Ĉ_ij|E_ji +
// E_ij E_ji) + γ·Σ|Ĉ_ij Ĉ_ji|, every sum enlarged for its own rounding.
// Cost: three d_h³ loops, once per certifier (SetJoint).
func (c *Certifier) specA() float64 {
	D, dh := c.D, c.m.Dh
	gq, eq := gramBound(c.wq, D, dh)
	gk, ek := gramBound(c.wk, D, dh)
	cm, em := make([]float64, dh*dh), make([]float64, dh*dh)
	for i := 0; i < dh; i++ {
		for j := 0; j < dh; j++ {
			s, a, e := 0.0, 0.0, 0.0
			for k := 0; k < dh; k++ {
				x, y := gq[i*dh+k], gk[k*dh+j]
				ex, ey := eq[i*dh+k], ek[k*dh+j]
				s += float64(x * y)
				a += math.Abs(x * y)
				e += float64(ex*math.Abs(y)) + float64(math.Abs(x)*ey) + float64(ex*ey)
			}
			cm[i*dh+j] = s
			em[i*dh+j] = addUp(slack(e, 3*dh), mulUp(gamma(dh), slack(a, dh)))
		}
	}
	t, a, e := 0.0, 0.0, 0.0
	for i := 0; i < dh; i++ {
		for j := 0; j < dh; j++ {
			x, y := cm[i*dh+j], cm[j*dh+i]
			ex, ey := em[i*dh+j], em[j*dh+i]
			t += float64(x * y)
			a += math.Abs(x * y)
			e += float64(ex*math.Abs(y)) + float64(math.Abs(x)*ey) + float64(ex*ey)
		}
	}
	n := dh * dh
	tr := addUp(addUp(t, mulUp(gamma(n), slack(a, n))), slack(e, 3*n))
	if !(tr >= 0) || math.IsInf(tr, 1) {
		return math.Inf(1)
	}
	return addUp(sqrtUp(sqrtUp(tr)), tiny)
}

// gramBound returns G = fl(WᵀW) (dh×dh) for W (D×dh, row-major) and an
// entrywise bound e_ij ≥ |G_ij − (WᵀW)_ij| = γ_D‖col_i‖‖col_j‖; frobA and
// specA both build on it.
func gramBound(w []float64, D, dh int) (g, e []float64) {
	g = make([]float64, dh*dh)
	e = make([]float64, dh*dh)
	for k := 0; k < D; k++ {
		row := w[k*dh : (k+1)*dh]
		for i, a := range row {
			gi := g[i*dh : (i+1)*dh]
			for j, b := range row {
				gi[j] += float64(a * b)
			}
		}
	}
	cn := make([]float64, dh)
	for i := range cn {
		cn[i] = sqrtUp(slack(g[i*dh+i], D))
	}
	gm := gamma(D)
	for i := 0; i < dh; i++ {
		for j := 0; j < dh; j++ {
			e[i*dh+j] = mulUp(gm, mulUp(cn[i], cn[j]))
		}
	}
	return g, e
}
