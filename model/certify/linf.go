package certify

import (
	"math"

	"vitadv/model/attack"
)

// The ℓ∞ cube's second-order score term. bound bounds |δ_l A δ_jᵀ|
// (A = W_Q W_Kᵀ) through ℓ₂, ‖δ_l‖₂‖δ_j‖₂‖A‖₂ ≤ d·τ²‖A‖₂; in the cube it is
// at most τ²·Σ_ik |A_ik| (each |δ_li δ_jk| ≤ τ²), which is smaller unless A
// is spread evenly over its d² entries (measured: 1.8–3.7× smaller on the
// trained tiny and ci models of BenchmarkCertifiedRadius).

// l1A returns an upper bound of Σ_ik |A_ik| for A = W_Q W_Kᵀ (d×d), computed
// once per certifier: each entry Â_ik = fl(Σ_h W_Q,ih W_K,kh) is within
// γ_{d_h} Σ_h |W_Q,ih||W_K,kh| of the exact one, and those error terms sum
// to γ_{d_h} Σ_h (Σ_i |W_Q,ih|)(Σ_k |W_K,kh|); the sum of the |Â_ik| is
// enlarged for its own rounding (slack).
func (c *Certifier) l1A() float64 {
	j := c.jt
	if j.l1AOK {
		return j.l1A
	}
	D, dh := c.D, c.m.Dh
	total := 0.0
	for i := 0; i < D; i++ {
		qi := c.wq[i*dh : (i+1)*dh]
		for k := 0; k < D; k++ {
			kk := c.wk[k*dh : (k+1)*dh]
			a := 0.0
			for h, v := range qi {
				a += float64(v * kk[h])
			}
			total += math.Abs(a)
		}
	}
	cq, ck := make([]float64, dh), make([]float64, dh)
	for i := 0; i < D; i++ {
		for h := 0; h < dh; h++ {
			cq[h] += c.wqa[i*dh+h]
			ck[h] += c.wka[i*dh+h]
		}
	}
	e := 0.0
	for h := range cq {
		e += float64(slack(cq[h], D) * slack(ck[h], D))
	}
	j.l1A = addUp(slack(total, D*D), mulUp(gamma(dh), slack(e, dh)))
	j.l1AOK = true
	return j.l1A
}

// linfBound returns the interval bound of the prepared sample in the ℓ∞
// cube of radius tau with the second-order score term τ²·Σ|A_ik| where it
// is smaller than bound's (the first-order widths are bound's own).
func (c *Certifier) linfBound(y, tau float64) float64 {
	s, p, j := &c.scr, &c.pt, c.jt
	M := c.M
	c.firstOrder()
	c.radii(attack.Linf, tau, s.r, s.r2)
	ov := &j.sp.ov
	for l := 0; l < M; l++ {
		for k := 0; k < M; k++ {
			ov.qk[l*M+k] = addUp(mulUp(s.r[l], p.c1[k]), mulUp(s.r[k], p.h1[l]))
			ov.z[l*M+k] = addUp(mulUp(s.r[l], p.g1[k]), mulUp(s.r[k], p.h1[l]))
		}
	}
	ov.sec = c.l1A()
	if j.lowL1 { // negative control only
		ov.sec *= 0.01
	}
	c.ovr = ov
	b := c.bound(y, s.r, s.r2, true, 0)
	c.ovr, ov.sec = nil, -1
	return b
}
