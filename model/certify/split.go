package certify

import (
	"math"

	"vitadv/model/attack"
)

// The split bound (per-token and signal-token sets). The
// interval bound lets every token's perturbation δ_t move its value
// v_t = x_t·u by ‖δ_t‖‖u‖ and, at the same time, every score it enters by
// ‖δ_t‖ times the norm of the score's coefficient vector: it spends the
// budget twice. Split each token's perturbation along u,
//
//	δ_t = α_t u/‖u‖ + β_t,   β_t ⊥ u,   α_t² + ‖β_t‖² = ‖δ_t‖²,
//
// so that the value moves by |α_t|‖u‖ only, and a score term δ_t·w obeys
//
//	|δ_t·w| ≤ |α_t|·|w·u|/‖u‖ + ‖β_t‖·‖P⊥w‖,   ‖P⊥w‖ = min_c ‖w − c·u‖.
//
// A box of |α_t| ∈ [lo_t, hi_t] then caps ‖β_t‖ ≤ √(r_t² − lo_t²), and the
// interval bound runs with the value radii hi_t and these score widths
// (override); a cover of the set by such boxes, refined where the bound
// is lowest (best-first branch-and-bound, as branch does for the radii),
// gives the bound of the set as the minimum over its leaves. It serves
// the product ℓ₂ sets (per-token, signal-token).

// override holds score widths that replace bound's first-order terms
// r_l‖W_Q k_j − c‖ + r_j‖W_K q_l‖ (qk) and their uncentred counterpart
// used for the rounding of Forward (z), each M×M and before the scale s.
type override struct {
	qk, z []float64
	// sec, if ≥ 0, bounds the second-order score term as
	// |δ_l A δ_jᵀ| ≤ r_l r_j·sec in the set norm (linf.go), where it is
	// smaller than bound's r2_l r2_j‖A‖₂.
	sec float64
	// sq, if not nil, bounds r2_l·r2_j per score entry (M×M; the
	// Frobenius ball's pair bound, relational.go), where it is smaller.
	sq []float64
}

// splitState is the per-sample part of the split bound.
type splitState struct {
	ok             bool
	pg, qg, ng     []float64 // M: ≥ |gc_j·u|/‖u‖, ‖P⊥gc_j‖, ‖gc_j‖ (gc_j = W_Q k_j − c, the centred query-side vectors)
	pg0, qg0, ng0  []float64 // M: the same for the uncentred W_Q k_j (c = 0)
	g0             []float64 // D: W_Q k̂_j of one j
	ph, qh, nh     []float64 // M: the same for W_K q_l
	ov             override
	lo, hi, pa, pe []float64 // M: a box and its radii
	rv, rr, r      []float64 // M: value radii and ℓ₂ token radii of a box; the set's token radii
	t              []float64 // D: scratch
}

func newSplit(M, D int) *splitState {
	s := &splitState{}
	for _, b := range []*[]float64{&s.pg0, &s.qg0, &s.ng0, &s.pg, &s.qg, &s.ng, &s.ph, &s.qh, &s.nh, &s.lo, &s.hi, &s.pa, &s.pe, &s.rv, &s.rr, &s.r} {
		*b = make([]float64, M)
	}
	s.ov.qk, s.ov.z, s.ov.sec = make([]float64, M*M), make([]float64, M*M), -1
	s.t, s.g0 = make([]float64, D), make([]float64, D)
	return s
}

// decompose returns upper bounds of |w·u|/‖u‖, ‖P⊥w‖ and ‖w‖ for the exact
// vector w, given its computed ŵ with ‖w − ŵ‖₂ ≤ e. nuLo ≤ ‖u‖ ≤ c.nu2 and
// uu = fl(Σu²) > 0. P⊥w is bounded by ‖w − c·u‖ for the computed
// c = fl(ŵ·u/uu): any c is an upper bound, so its rounding only costs the
// rounding of the vector ŵ − c·u (two operations per entry: ≤ 2ε of
// |c u_r| + |t_r| each).
func (c *Certifier) decompose(w []float64, e, nuLo, uu float64, t []float64) (par, perp, norm float64) {
	dot, dabs := 0.0, 0.0
	for r, v := range w {
		dot += float64(v * c.u[r])
		dabs += math.Abs(v * c.u[r])
	}
	wu := addUp(addUp(math.Abs(dot), mulUp(gamma(c.D), slack(dabs, c.D))), mulUp(e, c.nu2))
	par = up(wu / nuLo)
	cc := dot / uu
	for r, v := range w {
		t[r] = v - float64(cc*c.u[r])
	}
	nt := normUp(t)
	perp = addUp(addUp(nt, mulUp(4*eps, addUp(mulUp(math.Abs(cc), c.nu2), nt))), e)
	norm = addUp(normUp(w), e)
	return par, perp, norm
}

// splitPrepare fills the per-sample decomposition of the score
// coefficient vectors (firstOrder and the key vectors of jointKeys must
// have run).
func (c *Certifier) splitPrepare() {
	j, s := c.jt, &c.scr
	sp := j.sp
	sp.ok = true
	M, D, dh := c.M, c.D, c.m.Dh
	ss := 0.0
	for _, v := range c.u {
		ss += float64(v * v)
	}
	nuLo := dn(math.Sqrt(max(0, dn(ss*(1-gamma(D+1))))))
	for k := 0; k < M; k++ {
		gk := s.gv[k*D : (k+1)*D]
		egk := addUp(s.gerr[k], mulUp(2*eps, normUp(gk)))
		// The uncentred W_Q k̂_k again (firstOrder centred its copy in
		// place), with firstOrder's error bound.
		kk := s.k[k*dh : (k+1)*dh]
		for r := 0; r < D; r++ {
			wr := c.wq[r*dh : (r+1)*dh]
			a := 0.0
			for i, b := range kk {
				a += float64(wr[i] * b)
			}
			sp.g0[r] = a
		}
		if nuLo > 0 && ss > 0 {
			sp.pg0[k], sp.qg0[k], sp.ng0[k] = c.decompose(sp.g0, s.gerr[k], nuLo, ss, sp.t)
			sp.pg[k], sp.qg[k], sp.ng[k] = c.decompose(gk, egk, nuLo, ss, sp.t)
			sp.ph[k], sp.qh[k], sp.nh[k] = c.decompose(j.hv[k*D:(k+1)*D], j.eh[k], nuLo, ss, sp.t)
		} else { // u = 0: no value path, keep the plain norms
			sp.ng[k] = addUp(normUp(gk), egk)
			sp.ng0[k] = addUp(normUp(sp.g0), s.gerr[k])
			sp.pg0[k], sp.qg0[k] = sp.ng0[k], sp.ng0[k]
			sp.nh[k] = addUp(normUp(j.hv[k*D:(k+1)*D]), j.eh[k])
			sp.pg[k], sp.qg[k] = sp.ng[k], sp.ng[k]
			sp.ph[k], sp.qh[k] = sp.nh[k], sp.nh[k]
		}
	}
}

// splitBox returns the interval bound over the perturbations whose
// components obey |α_t| ≤ pa_t, ‖β_t‖ ≤ pe_t, ‖δ_t‖ ≤ rr_t, with value
// radii rv_t (= pa_t).
func (c *Certifier) splitBox(y float64) float64 {
	sp, p := c.jt.sp, &c.pt
	M := c.M
	// Row l may use its own shift c_l (softmax ignores a shift common to
	// the row): c = 0 or the mean, whichever gives the smaller widths on
	// the whole row.
	for l := 0; l < M; l++ {
		q0, qc := sp.ov.qk[l*M:(l+1)*M], sp.ov.z[l*M:(l+1)*M] // scratch: both candidates
		s0, sc := 0.0, 0.0
		for k := 0; k < M; k++ {
			key := addUp(mulUp(sp.pa[k], sp.ph[l]), mulUp(sp.pe[k], sp.qh[l]))
			key = min(key, mulUp(sp.rr[k], sp.nh[l]))
			a := min(addUp(mulUp(sp.pa[l], sp.pg0[k]), mulUp(sp.pe[l], sp.qg0[k])), mulUp(sp.rr[l], sp.ng0[k]))
			b := min(addUp(mulUp(sp.pa[l], sp.pg[k]), mulUp(sp.pe[l], sp.qg[k])), mulUp(sp.rr[l], sp.ng[k]))
			q0[k], qc[k] = addUp(a, key), addUp(b, key)
			s0, sc = s0+a, sc+b
		}
		if sc < s0 {
			copy(q0, qc)
		}
		for k := 0; k < M; k++ {
			sp.ov.z[l*M+k] = addUp(mulUp(sp.rr[l], p.g2[k]), mulUp(sp.rr[k], p.h2[l]))
		}
	}
	c.ovr = &sp.ov
	b := c.bound(y, sp.rv, sp.rr, false, 0)
	c.ovr = nil
	return b
}

// splitRadii sets the radii of the box (lo, hi) of a product set: token
// radius r_t, |α_t| ∈ [lo_t, hi_t].
func (c *Certifier) splitRadii(r []float64) {
	sp := c.jt.sp
	for t := range sp.pa {
		lo, hi, rt := sp.lo[t], sp.hi[t], r[t]
		sp.pa[t] = hi
		sp.rv[t] = hi
		sp.pe[t] = sqrtUp(subUp(mulUp(rt, rt), mulDn(lo, lo)))
		if c.jt.noPerp { // negative control only
			sp.pe[t] = 0
		}
		sp.rr[t] = rt
	}
}

// split returns the split bound of the prepared sample in a product ℓ₂
// set (per-token, signal-token) at tau > 0, with at most c.nodes box
// evaluations: best-first branch-and-bound over the boxes of |α_t|, each
// split at the middle of its widest interval, as branch splits radii.
func (c *Certifier) split(y float64, set attack.Set, tau float64) float64 {
	s := &c.scr
	c.firstOrder()
	if !c.jt.keys {
		c.jointKeys()
	}
	sp := c.jt.sp
	if !sp.ok {
		c.splitPrepare()
	}
	c.radii(set, tau, s.r, s.r2)
	r := sp.r
	copy(r, s.r) // token radii of the set
	eval := func(n node) float64 {
		copy(sp.lo, n.lo)
		copy(sp.hi, n.hi)
		c.splitRadii(r)
		return c.splitBox(y)
	}
	s.arena = s.arena[:0]
	root := c.newNode()
	clear(root.lo)
	copy(root.hi, r)
	root.b = eval(root)
	h := append(s.heap[:0], root)
	defer func() { s.heap = h[:0] }()
	evals := 1
	for {
		top := h[0]
		if !(top.b <= 0) || evals+2 > c.nodes {
			return top.b
		}
		h.pop()
		best, bw := -1, 0.0
		for t := range top.lo {
			if w := top.hi[t] - top.lo[t]; w > bw {
				best, bw = t, w
			}
		}
		if best < 0 {
			return top.b
		}
		mid := midAngle(top.lo[best], top.hi[best], r[best])
		if !(mid > top.lo[best] && mid < top.hi[best]) {
			mid = top.lo[best] + float64(bw/2)
		}
		a, b := c.bisect(top, best, mid)
		for _, ch := range [2]node{a, b} {
			ch.b = max(eval(ch), top.b) // a sub-box's bound is at least its parent's
			evals++
			h.push(ch)
		}
	}
}

// midAngle returns the split point of |α| ∈ [lo, hi] on a token of radius
// r at the middle angle: with α = r cos θ, r cos((θ_lo + θ_hi)/2) =
// r √((1 + cos θ_lo cos θ_hi − sin θ_lo sin θ_hi)/2), so that both children
// shrink (one in |α|, the other in ‖β‖ = r sin θ), which measured better
// than the middle of [lo, hi] (BenchmarkCertifiedRadius, per-token). Any
// split point is sound; this one is computed with correctly rounded
// operations only (no math.Cos, whose bits may differ between CPUs), every
// product rounded before it meets an addition, so it is the same on every
// kernel path.
func midAngle(lo, hi, r float64) float64 {
	if !(r > 0) {
		return lo + float64((hi-lo)/2)
	}
	ca, cb := min(1, lo/r), min(1, hi/r)
	sa, sb := math.Sqrt(max(0, 1-float64(ca*ca))), math.Sqrt(max(0, 1-float64(cb*cb)))
	cab := float64(ca*cb) - float64(sa*sb)
	return r * math.Sqrt(max(0, (1+cab)/2))
}
