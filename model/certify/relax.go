package certify

import (
	"math"

	"vitadv/model/attack"
)

// DefaultJoint says whether New turns the joint bounds on (SetJoint). Off:
// the experiments choose per run instead (cell.Protocol.Joint, flag
// -cert-joint, recorded in each results file's sidecar and its column
// cert_joint): the committed ci files are certified with the joint bounds,
// the paper and MNIST files with the interval bound alone, and the other
// callers of New (theorems, the tests) keep the interval bound.
const DefaultJoint = false

// SetJoint turns the joint bounds on or off. With them on, Margin (and so
// Evaluate and Radius) returns the larger of the interval bound of the
// package comment and the joint bounds (jointAll: the first-order bound
// with its curvature remainder, the split bound of the per-token and
// signal-token sets, the ℓ∞ bound with its own second-order term), all
// sound, so the result is never smaller than with them off; with them off
// it is the interval bound bit for bit. They cost more per point
// (BenchmarkCertifyJoint against BenchmarkCertify).
//
// The results files ask for them through their protocol
// (cell.Protocol.Joint); DefaultJoint is New's default for every other
// caller.
func (c *Certifier) SetJoint(on bool) {
	if !on {
		if c.jt != nil {
			c.normA = c.jt.normA0
		}
		c.jt = nil
		return
	}
	if c.jt == nil {
		c.jt = newJoint(c.M, c.D)
		c.jt.normA0 = c.normA
		c.normA = min(c.normA, c.specA()) // spectral.go: every bound of the certifier uses it
	}
}

// joint holds the per-sample quantities of the joint bound (independent of
// τ) and its scratch.
type joint struct {
	ok      bool        // the per-sample quantities below belong to the prepared sample and label y
	y       float64     // their label
	m0      float64     // ≤ y·f(X), the exact margin at the clean point
	s0      []float64   // M×M: computed softmax S̃ at X
	es      []float64   // M×M: ≥ |S − S̃| (S the exact softmax of the exact scores)
	qabs    []float64   // M×M: ≥ |S_lj (v_j − v̄_l)|
	g2      []float64   // M: ≥ ‖g̃_i‖₂ of the computed gradient's token rows
	g1      []float64   // M: ≥ ‖g̃_i‖₁
	e2      []float64   // M: ≥ ‖g_i − g̃_i‖₂, the gradient's error
	gF      float64     // ≥ ‖g̃‖_F
	eF      float64     // ≥ ‖g − g̃‖_F
	hv      []float64   // M×D: W_K q̂_l
	eh      []float64   // M: ≥ ‖W_K q_l − ĥ_l‖₂
	q       []float64   // M×M: Q̃_lj = S̃_lj (ṽ_j − v̄̃_l)
	eq      []float64   // M×M: ≥ |Q_lj − Q̃_lj|
	grad    []float64   // M×D: g̃
	t1      []float64   // D
	t2      []float64   // D
	zero    []float64   // M zeros (radii of the clean point)
	normA0  float64     // the certifier's ‖A‖₂ bound before SetJoint (restored by SetJoint(false))
	wsq     []float64   // M: W_lj² of one row
	used    []bool      // M: varBound scratch
	vlo     float64     // ≤ min_j v_j (exact values at X)
	vhi     float64     // ≥ max_j v_j
	vabs    []float64   // M: ≥ |v_j|
	keys    bool        // hv, eh belong to the prepared sample
	sp      *splitState // the split bound's per-sample state (split.go)
	noRem   bool        // test hook: drop the remainder (negative control)
	noPerp  bool        // test hook: the split bound forgets ‖β_t‖ (negative control)
	lowL1   bool        // test hook: the ℓ∞ second-order term a hundred times too small (negative control)
	l1A     float64     // ≥ Σ_ik |(W_Q W_Kᵀ)_ik| (linf.go), valid when l1AOK
	l1AOK   bool
	flip    bool           // test hook: add the linear term instead of subtracting it (negative control)
	pair    *override      // the pair widths of the Frobenius ball (relational.go), made on first use
	pairOn  bool           // nodeBound uses them (set by pairBranch only)
	lowPair bool           // test hook: the pair widths subtract the other tokens' upper radii from τ² (negative control)
	pieces  []valPiece     // frobSplit's pieces
	rs      *rowShareState // the row-share bound's scratch (rowshare.go), made on first use
}

func newJoint(M, D int) *joint {
	j := &joint{}
	for _, b := range []*[]float64{&j.s0, &j.es, &j.qabs, &j.q, &j.eq} {
		*b = make([]float64, M*M)
	}
	for _, b := range []*[]float64{&j.g2, &j.g1, &j.e2, &j.eh, &j.zero, &j.wsq, &j.vabs} {
		*b = make([]float64, M)
	}
	j.hv, j.grad = make([]float64, M*D), make([]float64, M*D)
	j.used = make([]bool, M)
	j.t1, j.t2 = make([]float64, D), make([]float64, D)
	j.sp = newSplit(M, D)
	return j
}

// reset marks the per-sample state stale (prepare calls it).
func (j *joint) reset() {
	j.ok, j.keys, j.sp.ok = false, false, false
	if j.rs != nil {
		j.rs.refOK = false
	}
}

// jointPrepare fills the τ-independent quantities of the joint bound for
// the prepared sample and label y: a lower bound m0 of the exact clean
// margin (the interval bound at radius 0), an enclosure S̃ ± es of the
// exact softmax, and the exact gradient g = ∇_X y f(X) as a computed g̃
// with a bound of ‖g − g̃‖ per token. firstOrder must have run.
//
// The gradient (docs/THEORY.md §2.4, vit.Backward) of f = (1/M) Σ_l Σ_j
// S_lj v_j with respect to token i is
//
//	g_i = a_i u + (s/M) [ Σ_j Q_ij (W_Q k_j − c) + Σ_l Q_li W_K q_l ],
//	Q_lj = S_lj (v_j − v̄_l),  v̄_l = Σ_j S_lj v_j,  a_i = (1/M) Σ_l S_li,
//
// where any fixed c may be subtracted from W_Q k_j since Σ_j Q_ij = 0
// (firstOrder's centred vectors are used). Every factor is a computed
// float with an error bound (S from the radius-0 interval bound, v from
// prepare, W_Q k̂_j from firstOrder, W_K q̂_l here), and the error of g̃
// is bounded by first-order propagation of those bounds plus the
// rounding of each sum (γ_n·Σ|terms|), all rounded up.
func (c *Certifier) jointPrepare(y float64) {
	j, p, s := c.jt, &c.pt, &c.scr
	M, D := c.M, c.D
	j.ok, j.y = true, y
	j.m0 = c.bound(y, j.zero, j.zero, false, 0)
	for i := range j.s0 {
		lo, hi := s.slo[i], s.shi[i]
		mid := lo + float64((hi-lo)/2)
		j.s0[i] = mid
		j.es[i] = max(subUp(hi, mid), subUp(mid, lo))
	}
	// Exact values v_j ∈ ṽ_j ± ev_j.
	j.vlo, j.vhi = math.Inf(1), math.Inf(-1)
	for k := 0; k < M; k++ {
		j.vlo = min(j.vlo, subDn(p.v[k], p.ev[k]))
		j.vhi = max(j.vhi, addUp(p.v[k], p.ev[k]))
		j.vabs[k] = addUp(math.Abs(p.v[k]), p.ev[k])
	}
	gm := gamma(M + 2)
	for l := 0; l < M; l++ {
		o := l * M
		vb, vba, evb := 0.0, 0.0, 0.0
		for k := 0; k < M; k++ {
			vb += float64(j.s0[o+k] * p.v[k])
			vba = addUp(vba, math.Abs(j.s0[o+k]*p.v[k]))
			evb = addUp(evb, addUp(mulUp(j.es[o+k], j.vabs[k]), mulUp(j.s0[o+k], p.ev[k])))
		}
		// |v̄_l − fl(v̄_l)| ≤ Σ_k (es|v| + S̃ ev) + γ_M Σ|S̃ ṽ| (products and sum).
		evb = addUp(evb, mulUp(gm, slack(vba, M)))
		for k := 0; k < M; k++ {
			d := p.v[k] - vb
			ed := addUp(addUp(p.ev[k], evb), mulUp(2*eps, math.Abs(d)))
			qv := j.s0[o+k] * d
			j.q[o+k] = qv
			// |S(v−v̄) − S̃ d̃| ≤ es(|d̃| + ed) + S̃·ed + rounding of the product.
			e := addUp(addUp(mulUp(j.es[o+k], addUp(math.Abs(d), ed)), mulUp(j.s0[o+k], ed)), mulUp(2*eps, math.Abs(qv)))
			j.eq[o+k] = e
			j.qabs[o+k] = addUp(math.Abs(qv), e)
		}
	}
	if !j.keys {
		c.jointKeys()
	}
	// Gradient rows g̃_i and their errors.
	sm := c.s / float64(M)
	smUp := up(sm)
	invM := 1 / float64(M)
	gmM := gamma(M + 1)
	var sumG2, sumE2 float64
	for i := 0; i < M; i++ {
		clear(j.t1)
		clear(j.t2)
		// t1 = Σ_k Q̃_ik ĝc_k, t2 = Σ_l Q̃_li ĥ_l; errors E1, E2 (norms).
		var e1, e2, a1, a2 float64
		for k := 0; k < M; k++ {
			qv, eqv := j.q[i*M+k], j.eq[i*M+k]
			gk := s.gv[k*D : (k+1)*D]
			for r, v := range gk {
				j.t1[r] += float64(qv * v)
			}
			ng := normUp(gk)
			egk := addUp(s.gerr[k], mulUp(2*eps, ng))
			e1 = addUp(e1, addUp(mulUp(eqv, addUp(ng, egk)), mulUp(math.Abs(qv), egk)))
			a1 = addUp(a1, mulUp(math.Abs(qv), ng))
			ql, eql := j.q[k*M+i], j.eq[k*M+i]
			hl := j.hv[k*D : (k+1)*D]
			for r, v := range hl {
				j.t2[r] += float64(ql * v)
			}
			nh := normUp(hl)
			e2 = addUp(e2, addUp(mulUp(eql, addUp(nh, j.eh[k])), mulUp(math.Abs(ql), j.eh[k])))
			a2 = addUp(a2, mulUp(math.Abs(ql), nh))
		}
		e1 = addUp(e1, mulUp(gmM, a1))
		e2 = addUp(e2, mulUp(gmM, a2))
		// ã_i and its error.
		ai, eai := 0.0, 0.0
		for l := 0; l < M; l++ {
			ai += j.s0[l*M+i]
			eai = addUp(eai, j.es[l*M+i])
		}
		ai *= invM
		eai = addUp(mulUp(eai, up(invM)), mulUp(gmM, mulUp(2, math.Abs(ai))))
		g := j.grad[i*D : (i+1)*D]
		for r := range g {
			g[r] = float64(ai*c.u[r]) + float64(sm*float64(j.t1[r]+j.t2[r]))
		}
		// ‖g − g̃‖ ≤ ea‖u‖ + (s/M)(E1 + E2) + rounding of the last line
		// (σ = fl(s/M) within ε of s/M, the sum t1 + t2, the two products
		// and the final sum: ≤ 8ε times the norms of the terms).
		n1, n2 := normUp(j.t1), normUp(j.t2)
		ng := normUp(g)
		round := mulUp(8*eps, addUp(addUp(mulUp(math.Abs(ai), c.nu2), mulUp(smUp, addUp(n1, n2))), ng))
		e := addUp(addUp(mulUp(eai, c.nu2), mulUp(mulUp(smUp, addUp(e1, e2)), 1+4*eps)), round)
		j.e2[i] = e
		j.g2[i] = ng
		j.g1[i] = norm1Up(g)
		sumG2 = addUp(sumG2, mulUp(ng, ng))
		sumE2 = addUp(sumE2, mulUp(e, e))
	}
	j.gF, j.eF = sqrtUp(sumG2), sqrtUp(sumE2)
}

// jointKeys computes the key-side score coefficient vectors ĥ_l = W_K q̂_l
// (M×D) and bounds of their errors ‖W_K q_l − ĥ_l‖₂ (as firstOrder bounds
// W_Q k̂_j: the product's rounding γ_{d_h}‖W_K‖_F‖q̂‖ plus ‖W_K‖_F times the
// error of q̂).
func (c *Certifier) jointKeys() {
	j, s := c.jt, &c.scr
	M, D, dh := c.M, c.D, c.m.Dh
	j.keys = true
	gh := gamma(dh)
	for l := 0; l < M; l++ {
		q, eqa := s.q[l*dh:(l+1)*dh], s.eqa[l*dh:(l+1)*dh]
		h := j.hv[l*D : (l+1)*D]
		for r := 0; r < D; r++ {
			wr := c.wk[r*dh : (r+1)*dh]
			a := 0.0
			for i, b := range q {
				a += float64(wr[i] * b)
			}
			h[r] = a
		}
		ee := 0.0
		for _, e := range eqa {
			ee += float64(e * e)
		}
		j.eh[l] = addUp(mulUp(gh, mulUp(c.fk, normUp(q))), mulUp(c.fk, sqrtUp(slack(ee, dh))))
	}
}

// jointBound returns a lower bound of the float margin y·f̃(X+Δ) over
// Δ ∈ B(τ) for the prepared sample (firstOrder run, τ > 0): a first-order
// term with the exact gradient and a sound bound on the remainder,
//
//	y f̃(X+Δ) ≥ m0 − ‖g‖_{B(τ)*} − (1/M) Σ_l R_l − E_fwd,
//
// with m0 ≤ y f(X) (the interval bound at radius 0), ‖g‖_{B(τ)*} =
// max_{Δ∈B(τ)} ⟨g, Δ⟩ the support function of the set (τ‖g‖_F,
// τ Σ_i ‖g_i‖₂, τ‖g_0‖₂, τ Σ_i ‖g_i‖₁ for Frobenius, per-token,
// signal-token, ℓ∞), and E_fwd the model's rounding (the terms rowErr and
// eAgg of bound, at the ball's radii). The remainder of row l comes from
// splitting row l's output Σ_j S'_j v'_j (S' the softmax of the computed
// perturbed scores ẑ', v'_j = v_j + δ_j·u) into
//
//		ψ(ẑ') = Σ_j softmax(ẑ')_j v_j   and   Σ_j S'_j ν_j,  ν_j = δ_j·u:
//
//	  - ψ(z0 + w) = ψ(z0) + Σ_j S_j(v_j − v̄)w_j + ½ wᵀ∇²ψ(ζ) w for some ζ on
//	    the segment, with wᵀ∇²ψ w = E_S[(w − w̄)²(v − v̄)] (S the softmax at
//	    ζ), so |·| ≤ Var_S(w)·(max v − min v). w = ẑ' − z0 is, after a
//	    shift common to the row (softmax ignores it), within W_lj of 0, W_lj
//	    the half-width of the interval bound's score box plus the error of its
//	    centre; ζ lies in that box, so S does too, and Var_S(w) ≤
//	    max_{S ∈ box} Σ_j S_j W_lj² (the greedy fill of the box over the
//	    simplex, largest W first). The linear part of Σ_j S_j(v_j − v̄) w_j
//	    goes into g; its bilinear part s·δ_l A δ_jᵀ is bounded by
//	    s‖A‖₂ r_l Σ_j |Q_lj| r_j, its rounding part (Forward's score error
//	    th_lj) by Σ_j |Q_lj| th_lj.
//	  - Σ_j S'_j ν_j = Σ_j S_j ν_j + Σ_j (S'_j − S_j) ν_j: the first is
//	    linear (the a_i u part of g), the second is at most
//	    Σ_j |S'_j − S_j| r_j‖u‖_* (S' in the box, S in S̃ ± es), and also at
//	    most √(Var-bound)·‖u‖_*·max_j r_j (its derivative along the segment
//	    is a covariance Cov_S(w, ν)); the smaller is used.
//
// bound must have run at the same radii just before (it leaves the score
// and softmax boxes in the scratch); r, r2 are the radii in the set norm
// and in ℓ₂, linf says the set is ℓ∞.
func (c *Certifier) jointBound(set attack.Set, tau float64, r, r2 []float64, linf bool) float64 {
	j, p, s := c.jt, &c.pt, &c.scr
	M := c.M
	nu, g, h := c.nu2, p.g2, p.h2
	if linf {
		nu, g, h = c.nu1, p.g1, p.h1
	}
	// Linear term: the support function of the set at g̃, plus its error.
	var lin float64
	switch set {
	case attack.Frobenius:
		lin = mulUp(tau, addUp(j.gF, j.eF))
		pt := 0.0
		for i := 0; i < M; i++ {
			pt = addUp(pt, mulUp(r[i], addUp(j.g2[i], j.e2[i])))
		}
		lin = min(lin, pt)
	case attack.Linf:
		sd := sqrtUp(float64(c.D))
		for i := 0; i < M; i++ {
			lin = addUp(lin, mulUp(r[i], addUp(j.g1[i], mulUp(sd, j.e2[i]))))
		}
	default: // per-token, signal-token (r_i = 0 off the signal token)
		for i := 0; i < M; i++ {
			lin = addUp(lin, mulUp(r[i], addUp(j.g2[i], j.e2[i])))
		}
	}
	// Remainder, row by row.
	dh := c.m.Dh
	gmod := gamma(c.D + dh + 2)
	na := c.normA
	spread := subUp(j.vhi, j.vlo)
	rmax := 0.0
	for _, v := range r {
		rmax = max(rmax, v)
	}
	rem := 0.0
	for l := 0; l < M; l++ {
		o := l * M
		zmax := 0.0
		for k := 0; k < M; k++ {
			zc := c.s * p.zc[o+k]
			ezc := mulUp(eps, math.Abs(zc))
			wz := mulUp(c.s, addUp(addUp(addUp(mulUp(r[l], g[k]), mulUp(r[k], h[l])), mulUp(mulUp(r2[l], r2[k]), na)), p.ez[o+k]))
			zmax = max(zmax, addUp(addUp(math.Abs(zc), wz), ezc))
		}
		bil, thr, dsum := 0.0, 0.0, 0.0
		for k := 0; k < M; k++ {
			zc := c.s * p.zc[o+k]
			ctr := addUp(mulUp(c.s, p.ez[o+k]), mulUp(eps, math.Abs(zc)))
			hw := up(subUp(s.zhi[o+k], s.zlo[o+k]) / 2)
			w := addUp(hw, ctr)
			j.wsq[k] = mulUp(w, w)
			th := addUp(mulUp(c.s, mulUp(gmod, mulUp(s.qn[l], s.kn[k]))), mulUp(3*eps, zmax))
			qa := j.qabs[o+k]
			bil = addUp(bil, mulUp(qa, r2[k]))
			thr = addUp(thr, mulUp(qa, th))
			lo0, hi0 := subDn(j.s0[o+k], j.es[o+k]), addUp(j.s0[o+k], j.es[o+k])
			ds := max(subUp(s.shi[o+k], lo0), subUp(hi0, s.slo[o+k]), 0)
			dsum = addUp(dsum, mulUp(ds, r[k]))
		}
		vb := c.varBound(s.slo[o:o+M], s.shi[o:o+M], j.wsq)
		rl := mulUp(0.5, mulUp(vb, spread))
		rl = addUp(rl, mulUp(mulUp(c.s, na), mulUp(r2[l], bil)))
		rl = addUp(rl, thr)
		rl = addUp(rl, min(mulUp(dsum, nu), mulUp(mulUp(sqrtUp(vb), nu), rmax)))
		rem = addUp(rem, rl)
	}
	rem = up(rem / float64(M))
	if j.noRem { // negative control only
		rem = 0
	}
	rowErr, eAgg := c.fwdErr(r, r2, nu)
	b := subDn(j.m0, addUp(addUp(lin, rem), addUp(rowErr, eAgg)))
	if j.flip { // negative control only
		b = subDn(addUp(j.m0, lin), addUp(rem, addUp(rowErr, eAgg)))
	}
	return b
}

// varBound returns an upper bound of max{Σ_k S_k w_k : lo ≤ S ≤ hi,
// Σ_k S_k = 1} for w ≥ 0: the lower ends first, then the remaining mass on
// the largest w (greedy, rounded up: more mass and more weight only raise
// the value; at most max_k w_k).
func (c *Certifier) varBound(lo, hi, w []float64) float64 {
	val, mass, wmax := 0.0, 0.0, 0.0
	for k := range lo {
		val = addUp(val, mulUp(max(0, lo[k]), w[k]))
		mass = addDn(mass, max(0, lo[k]))
		wmax = max(wmax, w[k])
	}
	rem := max(0, subUp(1, mass))
	used := c.jt.used[:len(w)] // M is small: a selection scan
	clear(used)
	for rem > 0 {
		best := -1
		for k := range w {
			if !used[k] && (best < 0 || w[k] > w[best]) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		t := min(rem, max(0, subUp(hi[best], lo[best])))
		val = addUp(val, mulUp(t, w[best]))
		rem = subUp(rem, t)
		if t == 0 && w[best] == 0 {
			break
		}
	}
	return min(val, wmax)
}

// fwdErr returns the two rounding terms of vit.Model.Forward that bound
// subtracts at radii r, r2 (see its comment and the package comment):
// rowErr = η_S·max_j|v'_j| and eAgg, the aggregation and value-product
// error. The formulas are bound's, term for term.
func (c *Certifier) fwdErr(r, r2 []float64, nu float64) (rowErr, eAgg float64) {
	M, p := c.M, &c.pt
	vmax, xmax := 0.0, 0.0
	for j := 0; j < M; j++ {
		vmax = max(vmax, addUp(addUp(math.Abs(p.v[j]), p.ev[j]), mulUp(r[j], nu)))
		xmax = max(xmax, addUp(p.xn[j], r2[j]))
	}
	etaS := float64(3 * (expError + float64(float64(M+4)*eps)))
	eAgg = mulUp(1+etaS, mulUp(1.01, addUp(mulUp(float64(2*gamma(M+2))+eps, vmax), mulUp(gamma(c.D), mulUp(xmax, c.nu2)))))
	eAgg = addUp(eAgg, mulUp(float64(M)*0x1p-1060, vmax))
	return mulUp(etaS, vmax), eAgg
}

// joint returns the joint bound of the prepared sample at tau > 0 in set
// (jointBound after the interval bound at the root radii), computing the
// per-sample quantities on first use.
func (c *Certifier) joint(y float64, set attack.Set, tau float64) float64 {
	s := &c.scr
	c.firstOrder()
	if !c.jt.ok || c.jt.y != y {
		c.jointPrepare(y)
	}
	linf := c.radii(set, tau, s.r, s.r2)
	frob := 0.0
	if set == attack.Frobenius {
		frob = tau
	}
	c.bound(y, s.r, s.r2, linf, frob)
	b := c.jointBound(set, tau, s.r, s.r2, linf)
	if math.IsNaN(b) {
		return math.Inf(-1) // bounds nothing (an overflowed term)
	}
	return b
}

// jointAll returns the larger of the joint bounds of the prepared sample at
// tau > 0: the first-order bound (joint) and, in the product ℓ₂ sets, the
// split bound (split), in the ℓ∞ cube the bound with its own second-order
// term (linfBound), in the Frobenius ball the pair-width branch-and-bound
// and the value-share split (relational.go). (The
// value-share split alone moves the median ratio of
// BenchmarkCertifiedRadius at ci scale only, with the pair widths inside
// its score boxes: at tiny scale it left no mark, as a first version of it
// without them did.)
func (c *Certifier) jointAll(y float64, set attack.Set, tau float64) float64 {
	b := c.joint(y, set, tau)
	sb := math.Inf(-1)
	switch set {
	case attack.PerToken, attack.SignalToken:
		sb = c.split(y, set, tau)
	case attack.Linf:
		sb = c.linfBound(y, tau)
	case attack.Frobenius:
		sb = c.pairBranch(y, tau)
		if fb := c.frobSplit(y, tau); fb > sb {
			sb = fb
		}
		if !c.topOff {
			if tb := c.topBranch(y, tau); tb > sb { // topshift.go
				sb = tb
			}
		}
		if rb := c.rowShare(y, tau); rb > sb {
			sb = rb
		}
	}
	if sb > b { // NaN never wins
		b = sb
	}
	return b
}
