package certify

// Two joint bounds of the Frobenius ball ‖Δ‖_F ≤ τ (jointAll; the larger
// of them and the other bounds is kept). The interval bound lets every
// token move by the whole τ at once, and each token spend its budget
// twice — once on its value v_t = x_t·u, once on every score it enters.
// These bounds give back part of what that forgets, each entry of a
// score box still computed on its own (the exact threshold minimum of
// softMean then runs over the tighter boxes):
//
//   - pairBranch: the radius branch-and-bound of branch, where a score
//     entry (l, j ≠ l), which depends on δ_l and δ_j only, is bounded with
//     the budget the two tokens share (pairWidths, Cauchy–Schwarz), with
//     pairNodes times the node budget;
//   - frobSplit: each token split along u and across it (as split.go does
//     in the product sets), with the value share ‖(α_t)_t‖₂ of the whole
//     ball branched on, so that values and scores draw on one budget
//     (frobSplitBox).
//
// A linear relaxation through the exponentials of the softmax (tangent
// lines for the tokens above the row's threshold, chords below, McCormick
// terms for the values, back-substituted to the input with the ℓ₂ dual
// norm of all tokens jointly) was built and measured first: on the tiny
// models of BenchmarkCertifiedRadius it gave margins near −1.2 where the
// interval bound gave +0.8 at 0.3× the attack radius — the scores move by
// several units over the ball, where tangents and chords of exp are far
// from it — and it was removed. A cover of the ball by the order of the
// token norms (the i-th largest is at most τ/√i; M!/(M−p)! boxes) raised
// margins inside the radius but did not move the radius, and the
// evaluations it cost serve pairBranch better (pairNodes).

// pairWidths returns the score widths of the Frobenius ball's pair bound
// for the box n of per-token radii (nodeBound: s.r holds the capped radii
// r_l, sum ≤ Σ_k lo_k², t2 ≥ τ²). Entry (l, j ≠ l) of the scores depends
// on δ_l and δ_j only, and the two share what the other tokens leave of
// the budget, ‖δ_l‖² + ‖δ_j‖² ≤ ρ_lj² = τ² − Σ_{k≠l,j} lo_k², so
//
//	r_l‖a_j‖ + r_j‖b_l‖ ≤ min(r_l‖a_j‖ + r_j‖b_l‖, ρ_lj √(‖a_j‖² + ‖b_l‖²))   (Cauchy–Schwarz),
//	‖δ_l‖‖δ_j‖ ≤ min(r_l r_j, ρ_lj²/2),
//
// where the interval bound takes the first of each (every token at its
// own cap at once). The diagonal entries keep the interval widths.
func (c *Certifier) pairWidths(tau, t2, sum float64, n node) *override {
	j, p, s := c.jt, &c.pt, &c.scr
	M := c.M
	if j.pair == nil {
		j.pair = &override{qk: make([]float64, M*M), z: make([]float64, M*M), sec: -1, sq: make([]float64, M*M)}
	}
	o := j.pair
	r := s.r
	for l := 0; l < M; l++ {
		for k := 0; k < M; k++ {
			i := l*M + k
			ck := c.topQuery(l, k) // p.c2[k], or row l's own shift in topBranch (topshift.go)
			qk := addUp(mulUp(r[l], ck), mulUp(r[k], p.h2[l]))
			z := addUp(mulUp(r[l], p.g2[k]), mulUp(r[k], p.h2[l]))
			sq := mulUp(r[l], r[k])
			if k != l {
				rest := max(0, subDn(subDn(sum, mulUp(n.lo[l], n.lo[l])), mulUp(n.lo[k], n.lo[k])))
				if j.lowPair { // negative control only: the other tokens' upper ends, not their lower ends
					rest = 0
					for t, h := range n.hi {
						if t != l && t != k {
							rest += float64(h * h)
						}
					}
				}
				rho2 := max(0, subUp(t2, rest))
				rho := sqrtUp(rho2)
				hh := mulUp(p.h2[l], p.h2[l])
				qk = min(qk, mulUp(rho, sqrtUp(addUp(mulUp(ck, ck), hh))))
				z = min(z, mulUp(rho, sqrtUp(addUp(mulUp(p.g2[k], p.g2[k]), hh))))
				sq = min(sq, mulUp(0.5, rho2))
			}

			o.qk[i], o.z[i], o.sq[i] = qk, z, sq
		}
	}
	return o
}

// pairNodes is the node budget of pairBranch in units of the certifier's
// budget (SetNodes). The radius branch-and-bound is what moves the
// certified radius of the Frobenius ball most per evaluation: on
// BenchmarkCertifiedRadius (node budget 16) the pair widths at 3× the
// budget gave median ratios 0.648, 0.421, 0.453, 0.324 (tiny clean, tiny
// at0.1, ci clean, ci at0.1) where the pair widths at 1× together with
// frobSplit and a cover by the order of the token norms (each at 1×) gave
// 0.592, 0.386, 0.419, 0.325 — the order cover was dropped for it.
const pairNodes = 3

// pairBranch is branch (best-first branch-and-bound over the per-token
// radii of the Frobenius ball) with the pair widths of pairWidths at
// every box and pairNodes times the certifier's node budget.
func (c *Certifier) pairBranch(y, tau float64) float64 {
	c.jt.pairOn = true
	defer func() { c.jt.pairOn = false }()
	return c.branchBudget(y, tau, pairNodes*c.nodes)
}

// frobSplitBox returns the interval bound over the part of the Frobenius
// ball whose value-direction component has ‖(α_t)_t‖₂ ∈ [plo, phi]
// (δ_t = α_t u/‖u‖ + β_t, β_t ⊥ u, as in split.go): every value moves by
// at most phi‖u‖ per token and by phi‖u‖ jointly (the coupled value
// term), every ‖β_t‖ ≤ pe = √(τ² − plo²), and a score entry (l, j)
// moves by at most
//
//	min( phi(|a_j·û| + |b_l·û|) + pe(‖P⊥a_j‖ + ‖P⊥b_l‖),
//	     phi√(|a_j·û|² + |b_l·û|²) + pe√(‖P⊥a_j‖² + ‖P⊥b_l‖²),   (j ≠ l: the two tokens share both budgets)
//	     τ√(‖a_j‖² + ‖b_l‖²) )
//
// (first order), with the second-order term at min(τ², ·)/2 off the
// diagonal. splitPrepare must have run.
func (c *Certifier) frobSplitBox(y, tau, plo, phi float64) float64 {
	j := c.jt
	sp := j.sp
	M := c.M
	if j.pair == nil {
		j.pair = &override{qk: make([]float64, M*M), z: make([]float64, M*M), sec: -1, sq: make([]float64, M*M)}
	}
	o := j.pair
	p := &c.pt
	t2 := mulUp(tau, tau)
	pe := sqrtUp(subUp(t2, mulDn(plo, plo)))
	if j.noPerp { // negative control only
		pe = 0
	}
	phi = min(phi, tau)
	pe = min(pe, tau)
	hyp := func(a, b float64) float64 { return sqrtUp(addUp(mulUp(a, a), mulUp(b, b))) }
	for l := 0; l < M; l++ {
		for k := 0; k < M; k++ {
			i := l*M + k
			key := min(addUp(mulUp(phi, sp.ph[l]), mulUp(pe, sp.qh[l])), mulUp(tau, sp.nh[l]))
			qry := min(addUp(mulUp(phi, sp.pg[k]), mulUp(pe, sp.qg[k])), mulUp(tau, sp.ng[k]))
			qk := addUp(qry, key)
			z := addUp(mulUp(tau, p.g2[k]), mulUp(tau, p.h2[l]))
			sq := t2
			if k != l {
				qk = min(qk, addUp(mulUp(phi, hyp(sp.pg[k], sp.ph[l])), mulUp(pe, hyp(sp.qg[k], sp.qh[l]))), mulUp(tau, hyp(sp.ng[k], sp.nh[l])))
				z = min(z, mulUp(tau, hyp(p.g2[k], p.h2[l])))
				sq = mulUp(0.5, t2)
			}
			o.qk[i], o.z[i], o.sq[i] = qk, z, sq
		}
	}
	s := &c.scr
	for t := 0; t < M; t++ {
		s.r[t], s.r2[t] = phi, tau
	}
	c.ovr = o
	b := c.bound(y, s.r, s.r2, false, phi)
	c.ovr = nil
	return b
}

// frobSplit returns a bound of the whole Frobenius ball from frobSplitBox:
// best-first branch-and-bound over the value share ‖(α_t)‖₂ ∈ [0, τ] —
// pop the piece of lowest bound, halve it — until every piece is positive
// or c.nodes evaluations are spent; the pieces always cover [0, τ], so
// the lowest bound is a bound of the ball.
func (c *Certifier) frobSplit(y, tau float64) float64 {
	c.firstOrder()
	if !c.jt.keys {
		c.jointKeys()
	}
	if !c.jt.sp.ok {
		c.splitPrepare()
	}
	ps := append(c.jt.pieces[:0], valPiece{0, tau, c.frobSplitBox(y, tau, 0, tau)})
	defer func() { c.jt.pieces = ps[:0] }()
	for evals := 1; ; {
		k := 0 // the lowest bound (the first on ties)
		for i := range ps {
			if ps[i].b < ps[k].b {
				k = i
			}
		}
		top := ps[k]
		if !(top.b <= 0) || evals+2 > c.nodes {
			return top.b
		}
		mid := top.lo + float64((top.hi-top.lo)/2)
		if !(mid > top.lo && mid < top.hi) {
			return top.b
		}
		a := valPiece{top.lo, mid, max(c.frobSplitBox(y, tau, top.lo, mid), top.b)}
		b := valPiece{mid, top.hi, max(c.frobSplitBox(y, tau, mid, top.hi), top.b)}
		evals += 2
		ps[k] = a
		ps = append(ps, b)
	}
}

// valPiece is one piece [lo, hi] of frobSplit's value share with its
// bound b.
type valPiece struct{ lo, hi, b float64 }
