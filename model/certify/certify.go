package certify

import (
	"math"
	"slices"

	"vitadv/model/attack"
	"vitadv/model/linalg"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Certifier holds the model-level quantities of the bound (see the package
// comment) for one model and token count M. It is not safe for concurrent
// use (it owns scratch buffers); build one per goroutine.
type Certifier struct {
	m       *vit.Model
	M, D    int
	s       float64   // score scale (1 or fl(1/√d_h)), the one Forward uses
	u       []float64 // u = W_V w_O, the model's value vector
	nu2     float64   // ≥ ‖u‖₂
	nu1     float64   // ≥ ‖u‖₁
	fq, fk  float64   // ≥ ‖W_Q‖_F, ‖W_K‖_F
	normA   float64   // ≥ ‖W_Q W_Kᵀ‖₂
	wq, wk  []float64 // W_Q, W_K (D×Dh)
	wqa     []float64 // |W_Q|, |W_K| (D×Dh)
	wka     []float64
	nodes   int     // branch-and-bound budget per bound
	unsound float64 // test hook: > 0 inflates the bound (negative control)
	dropSec bool    // test hook: drop the second-order score term (negative control)
	// skip0 is a test hook: 0 as documented (prepare); 1 never skips
	// firstOrder at τ = 0 (reference); −1 always does and stands in +Inf
	// for the coefficients, what an overflowed one would be (negative
	// control).
	skip0 int

	pt  point
	scr scratch
	jt  *joint // the joint bound's state (relax.go); nil: off
	// ovr, when set, replaces the first-order score widths of bound
	// (split.go); nil everywhere else.
	ovr *override
	ts  *topShift // the top-shift bound's state (topshift.go); nil until first used
	// topOff is a test hook: jointAll leaves the top-shift bound out (the
	// "before" of BenchmarkCertifiedRadiusPaper).
	topOff bool
}

// point holds the per-sample quantities (independent of τ).
type point struct {
	zc, ez []float64 // M×M: computed q_l·k_j and a bound of its error
	g2, g1 []float64 // M: ≥ ‖W_Q k_j‖₂, ‖W_Q k_j‖₁
	c2, c1 []float64 // M: ≥ ‖W_Q k_j − c‖₂, ‖·‖₁ with c = mean_j W_Q k̂_j (row shift)
	h2, h1 []float64 // M: ≥ ‖W_K q_l‖₂, ‖W_K q_l‖₁
	nq, nk []float64 // M: ≥ ‖|x_l||W_Q|‖₂, ‖|x_j||W_K|‖₂
	v, ev  []float64 // M: computed x_j·u and a bound of its error
	xn     []float64 // M: ≥ ‖x_j‖₂
	// first: g, c, h hold the sample's first-order coefficients
	// (firstOrder ran); finite0: they are surely finite, so a bound at
	// τ = 0 does not need them.
	first, finite0 bool
}

type scratch struct {
	q, k, qa, ka, tmp  []float64
	gv, gerr           []float64 // M×D: W_Q k̂_j; M: its error bound
	eqa, eka           []float64 // M×Dh: error bounds of q̂, k̂ per entry
	zlo, zhi           []float64 // M×M
	slo, shi           []float64 // M×M
	adn, aup, bdn, bup []float64 // M×M: enclosures of e^{zlo − ref}, e^{zhi − ref} per row
	w, c               []float64 // M
	ord                []int
	r, r2              []float64 // M
	qn, kn             []float64 // M: the score-rounding factors of bound (per token)
	earg, eval         []float64 // 4·M×M: arguments and values of the enclosing exponentials
	heap               nodeHeap  // branch-and-bound boxes
	arena              []float64 // their radius intervals, 2M per box
	// costs of the coupled value term's weights (they depend on the
	// sample and the label, not on τ or the box): valid while costsOK and
	// the label is costsY; prepare clears costsOK.
	wmin2, costsY float64
	c2s           []float64 // M: its costs c_j
	ord2          []int     // M: its order
	costsOK       bool
}

// DefaultNodes is the branch-and-bound budget (bound evaluations) of one
// certificate unless SetNodes changes it.
const DefaultNodes = 64

// New returns a certifier for m on samples of M tokens. It returns a
// *valid.Error if M < 1 or m's architecture is invalid.
func New(m *vit.Model, M int) (*Certifier, error) {
	if err := valid.First(m.Arch.Validate(), valid.IntMin("M", M, 1)); err != nil {
		return nil, err
	}
	D, dh := m.D, m.Dh
	c := &Certifier{m: m, M: M, D: D, s: m.Scale(), nodes: DefaultNodes}
	c.u = m.ValueVector(make([]float64, D))
	c.nu2, c.nu1 = normUp(c.u), norm1Up(c.u)
	c.wq, c.wk = m.SplitQK()
	c.fq, c.fk = normUp(c.wq), normUp(c.wk)
	c.wqa, c.wka = make([]float64, len(c.wq)), make([]float64, len(c.wk))
	for i, v := range c.wq {
		c.wqa[i] = math.Abs(v)
	}
	for i, v := range c.wk {
		c.wka[i] = math.Abs(v)
	}
	c.normA = min(mulUp(c.fq, c.fk), frobA(c.wq, c.wk, D, dh))
	p := &c.pt
	for _, b := range []*[]float64{&p.zc, &p.ez} {
		*b = make([]float64, M*M)
	}
	for _, b := range []*[]float64{&p.g2, &p.g1, &p.c2, &p.c1, &p.h2, &p.h1, &p.nq, &p.nk, &p.v, &p.ev, &p.xn} {
		*b = make([]float64, M)
	}
	s := &c.scr
	s.q, s.k, s.qa, s.ka = make([]float64, M*dh), make([]float64, M*dh), make([]float64, M*dh), make([]float64, M*dh)
	s.tmp = make([]float64, D)
	s.gv, s.gerr = make([]float64, M*D), make([]float64, M)
	s.eqa, s.eka = make([]float64, M*dh), make([]float64, M*dh)
	for _, b := range []*[]float64{&s.zlo, &s.zhi, &s.slo, &s.shi, &s.adn, &s.aup, &s.bdn, &s.bup} {
		*b = make([]float64, M*M)
	}
	for _, b := range []*[]float64{&s.w, &s.c, &s.r, &s.r2, &s.qn, &s.kn, &s.c2s} {
		*b = make([]float64, M)
	}
	s.earg, s.eval = make([]float64, 4*M*M), make([]float64, 4*M*M)
	s.ord, s.ord2 = make([]int, M), make([]int, M)
	c.SetJoint(DefaultJoint)
	return c, nil
}

// SetNodes sets the branch-and-bound budget: the most bound evaluations
// one certificate may spend (1 disables splitting). n < 1 means 1.
func (c *Certifier) SetNodes(n int) { c.nodes = max(1, n) }

// frobA returns an upper bound of ‖W_Q W_Kᵀ‖_F, the square root of
// ⟨W_QᵀW_Q, W_KᵀW_K⟩ = Σ_ij (W_QᵀW_Q)_ij (W_KᵀW_K)_ij. The Gram matrices Ĝ
// are computed in float with entrywise error e_ij ≤ γ_D·‖col_i‖‖col_j‖
// (Cauchy–Schwarz on |W|ᵀ|W|); the signed sum Σ Ĝq Ĝk is enlarged by
// Σ (eq|Ĝk| + |Ĝq|ek + eq·ek) and by its own rounding γ·Σ|Ĝq Ĝk|.
func frobA(wq, wk []float64, D, dh int) float64 {
	gq, eq := gramBound(wq, D, dh)
	gk, ek := gramBound(wk, D, dh)
	ss, abs, er := 0.0, 0.0, 0.0
	for i := range gq {
		ss += float64(gq[i] * gk[i])
		abs += math.Abs(gq[i] * gk[i])
		er += float64(eq[i]*math.Abs(gk[i])) + float64(math.Abs(gq[i])*ek[i]) + float64(eq[i]*ek[i])
	}
	bound := addUp(addUp(ss, mulUp(gamma(dh*dh), slack(abs, dh*dh))), slack(er, 3*dh*dh))
	return addUp(sqrtUp(bound), tiny)
}

// prepare fills c.pt for sample x (M×D) with the τ-independent quantities
// a bound at τ = 0 needs; firstOrder adds the first-order coefficients when
// a bound at τ ≠ 0 needs them.
//
// Every sum below runs in the order of the straightforward loops (over the
// rows r of the weights, then over i): several independent sums are
// interleaved for speed, but no sum is reassociated, so the bits are those
// of the one-sum-at-a-time loops (TestCertifierGolden).
func (c *Certifier) prepare(x []float64) {
	M, D, dh := c.M, c.D, c.m.Dh
	p, s := &c.pt, &c.scr
	s.costsOK = false
	p.first = false
	if c.jt != nil {
		c.jt.reset()
	}
	if c.ts != nil {
		c.ts.ok = false
	}
	gd, gh := gamma(D), gamma(dh)
	// q_l = x_l W_Q, k_l = x_l W_K and |x_l||W_Q|, |x_l||W_K|.
	for l := 0; l < M; l++ {
		xl := x[l*D : (l+1)*D]
		q, k := s.q[l*dh:(l+1)*dh], s.k[l*dh:(l+1)*dh]
		qa, ka := s.qa[l*dh:(l+1)*dh], s.ka[l*dh:(l+1)*dh]
		clear(q)
		clear(k)
		clear(qa)
		clear(ka)
		for r, xv := range xl {
			wq, wk := c.wq[r*dh:(r+1)*dh], c.wk[r*dh:(r+1)*dh]
			wqa, wka := c.wqa[r*dh:(r+1)*dh], c.wka[r*dh:(r+1)*dh]
			accum4(q, k, qa, ka, wq, wk, wqa, wka, xv, math.Abs(xv))
		}
		// qa, ka now bound |q − q̂| after scaling by γ_D; keep the raw
		// abs-products for nq, nk.
		p.nq[l] = slack(normUp(qa), 2*D)
		p.nk[l] = slack(normUp(ka), 2*D)
		// v_l = x_l·u and its error γ_D Σ|x u|.
		v, va := 0.0, 0.0
		for r, xv := range xl {
			v += float64(xv * c.u[r])
			va += math.Abs(xv * c.u[r])
		}
		p.v[l], p.ev[l] = v, mulUp(gd, slack(va, D))
		p.xn[l] = normUp(xl)
	}
	// Errors of q̂, k̂: e = γ_D·(|x||W|) (enlarged for the rounding of the
	// abs sums themselves), one per entry.
	for i, a := range s.qa {
		s.eqa[i] = mulUp(gd, slack(a, D))
	}
	for i, a := range s.ka {
		s.eka[i] = mulUp(gd, slack(a, D))
	}
	// Scores ẑ_lj = q̂_l·k̂_j and their error bound, two j at a time.
	score := func(l, j int, z, za, e float64) {
		p.zc[l*M+j] = z
		p.ez[l*M+j] = addUp(slack(e, 3*dh), mulUp(gh, slack(za, dh)))
	}
	for l := 0; l < M; l++ {
		q, ei := s.q[l*dh:(l+1)*dh], s.eqa[l*dh:(l+1)*dh]
		j := 0
		for ; j+2 <= M; j += 2 {
			k0, f0 := s.k[j*dh:(j+1)*dh], s.eka[j*dh:(j+1)*dh]
			k1, f1 := s.k[(j+1)*dh:(j+2)*dh], s.eka[(j+1)*dh:(j+2)*dh]
			k0, f0, k1, f1, ei := k0[:len(q)], f0[:len(q)], k1[:len(q)], f1[:len(q)], ei[:len(q)]
			z0, za0, e0 := 0.0, 0.0, 0.0
			z1, za1, e1 := 0.0, 0.0, 0.0
			for i, qi := range q {
				aq, e := math.Abs(qi), ei[i]
				z0 += float64(qi * k0[i])
				za0 += math.Abs(qi * k0[i])
				e0 += float64(aq*f0[i]) + float64(math.Abs(k0[i])*e) + float64(e*f0[i])
				z1 += float64(qi * k1[i])
				za1 += math.Abs(qi * k1[i])
				e1 += float64(aq*f1[i]) + float64(math.Abs(k1[i])*e) + float64(e*f1[i])
			}
			score(l, j, z0, za0, e0)
			score(l, j+1, z1, za1, e1)
		}
		for ; j < M; j++ {
			k, f := s.k[j*dh:(j+1)*dh], s.eka[j*dh:(j+1)*dh]
			z, za, e := 0.0, 0.0, 0.0
			for i, qi := range q {
				z += float64(qi * k[i])
				za += math.Abs(qi * k[i])
				e += float64(math.Abs(qi)*f[i]) + float64(math.Abs(k[i])*ei[i]) + float64(ei[i]*f[i])
			}
			score(l, j, z, za, e)
		}
	}
	// At τ = 0 every radius is 0 and the first-order coefficients enter
	// the bound only as 0·g (up(0·g) = the smallest subnormal for every
	// finite g ≥ 0), so firstOrder may be skipped when they are surely
	// finite: each is at most a small multiple of (D + d_h)²·‖W_Q‖_F‖W_K‖_F
	// ·max_j‖x_j‖ (|q_li| ≤ ‖x_l‖‖W_Q‖_F, ‖W_K q_l‖ ≤ ‖W_K‖_F‖q_l‖, the
	// sums of squares of such terms), far from overflow below 10¹⁰⁰.
	xmax := 0.0
	for _, v := range p.xn {
		xmax = max(xmax, v)
	}
	g := mulUp(mulUp(mulUp(c.fq, c.fk), xmax), float64((D+dh)*(D+dh)))
	p.finite0 = g < 1e100
}

// firstOrder fills the first-order coefficients of c.pt (‖W_Q k_j‖,
// ‖W_K q_l‖ and the row-shifted ‖W_Q k_j − c‖, in ℓ₂ and ℓ₁) for the
// prepared sample, once per sample.
func (c *Certifier) firstOrder() {
	p, s := &c.pt, &c.scr
	if p.first {
		return
	}
	p.first = true
	M, D, dh := c.M, c.D, c.m.Dh
	gh := gamma(dh)
	// First-order coefficients: W_Q k_j (d) and W_K q_l (d), with their
	// rounding and the error of k̂, q̂ (‖W e‖ ≤ ‖W‖_F‖e‖). Four rows of W
	// at a time, each dot product summed in order.
	co := func(w, vec, verr []float64, fw float64, t []float64) (n2, n1, errv float64) {
		r := 0
		for ; r+4 <= D; r += 4 {
			w0, w1 := w[r*dh:(r+1)*dh], w[(r+1)*dh:(r+2)*dh]
			w2, w3 := w[(r+2)*dh:(r+3)*dh], w[(r+3)*dh:(r+4)*dh]
			w0, w1, w2, w3 = w0[:len(vec)], w1[:len(vec)], w2[:len(vec)], w3[:len(vec)]
			a0, a1, a2, a3 := 0.0, 0.0, 0.0, 0.0
			for i, b := range vec {
				a0 += float64(w0[i] * b)
				a1 += float64(w1[i] * b)
				a2 += float64(w2[i] * b)
				a3 += float64(w3[i] * b)
			}
			t[r], t[r+1], t[r+2], t[r+3] = a0, a1, a2, a3
		}
		for ; r < D; r++ {
			wr := w[r*dh : (r+1)*dh]
			a := 0.0
			for i, b := range vec {
				a += float64(wr[i] * b)
			}
			t[r] = a
		}
		ee := 0.0 // ‖e‖₂² of the vector's own error
		for _, e := range verr {
			ee += float64(e * e)
		}
		errv = addUp(mulUp(gh, mulUp(fw, normUp(vec))), mulUp(fw, sqrtUp(slack(ee, dh))))
		n2 = addUp(normUp(t), errv)
		n1 = addUp(norm1Up(t), mulUp(sqrtUp(float64(D)), errv))
		return n2, n1, errv
	}
	for j := 0; j < M; j++ {
		p.g2[j], p.g1[j], s.gerr[j] = co(c.wq, s.k[j*dh:(j+1)*dh], s.eka[j*dh:(j+1)*dh], c.fq, s.gv[j*D:(j+1)*D])
		p.h2[j], p.h1[j], _ = co(c.wk, s.q[j*dh:(j+1)*dh], s.eqa[j*dh:(j+1)*dh], c.fk, s.tmp)
	}
	// Row shift: softmax is invariant to adding δ_l·c to every score of row
	// l, so the query-side term δ_l·(W_Q k_j) may be replaced by
	// δ_l·(W_Q k_j − c) for any fixed c; c = the mean of the computed
	// W_Q k̂_j (a float vector, exact as chosen), and ‖W_Q k_j − c‖ ≤
	// ‖W_Q k̂_j − c‖ + the error bound of W_Q k̂_j.
	cm := s.tmp
	clear(cm)
	for j := 0; j < M; j++ {
		for r, v := range s.gv[j*D : (j+1)*D] {
			cm[r] += v
		}
	}
	for r := range cm {
		cm[r] /= float64(M)
	}
	sd := sqrtUp(float64(D))
	for j := 0; j < M; j++ {
		gj := s.gv[j*D : (j+1)*D]
		for r := range gj {
			gj[r] -= cm[r]
		}
		// the subtraction rounds: |fl(a−b) − (a−b)| ≤ ε|fl(a−b)|, so
		// ‖g − c‖ ≤ (1+ε)‖fl(g − c)‖; slack covers it.
		p.c2[j] = addUp(mulUp(normUp(gj), 1+2*eps), s.gerr[j])
		p.c1[j] = addUp(mulUp(norm1Up(gj), 1+2*eps), mulUp(sd, s.gerr[j]))
	}
	// Any fixed c is sound, c = 0 included: keep the shift only where it
	// shrinks the coefficients on the whole.
	if sum(p.c2) > sum(p.g2) {
		copy(p.c2, p.g2)
	}
	if sum(p.c1) > sum(p.g1) {
		copy(p.c1, p.g1)
	}
}

// accum4 adds one row of the weights to the four sums of prepare:
// q[i] += xv·wq[i], k[i] += xv·wk[i], qa[i] += ax·wqa[i], ka[i] += ax·wka[i]
// for i < len(q), each product and sum rounded separately. The AVX kernel
// (where the CPU has it) rounds exactly so, four entries at a time, and
// gives the bits of the Go loop (TestAccum4Paths).
func accum4(q, k, qa, ka, wq, wk, wqa, wka []float64, xv, ax float64) {
	n := len(q)
	k, qa, ka, wq, wk, wqa, wka = k[:n], qa[:n], ka[:n], wq[:n], wk[:n], wqa[:n], wka[:n]
	i := 0
	if accumAVX && n >= 4 {
		i = n &^ 3
		accum4AVX(&q[0], &k[0], &qa[0], &ka[0], &wq[0], &wk[0], &wqa[0], &wka[0], i, xv, ax)
	}
	accum4Go(q[i:], k[i:], qa[i:], ka[i:], wq[i:], wk[i:], wqa[i:], wka[i:], xv, ax)
}

// accum4Go is the Go loop of accum4 (the reference of the kernel).
func accum4Go(q, k, qa, ka, wq, wk, wqa, wka []float64, xv, ax float64) {
	k, qa, ka, wq, wk, wqa, wka = k[:len(q)], qa[:len(q)], ka[:len(q)], wq[:len(q)], wk[:len(q)], wqa[:len(q)], wka[:len(q)]
	for i := range q {
		q[i] += float64(xv * wq[i])
		k[i] += float64(xv * wk[i])
		qa[i] += float64(ax * wqa[i])
		ka[i] += float64(ax * wka[i])
	}
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

// radii fills r (in the set's token norm) and r2 (ℓ₂) for budget tau in a
// product set, and returns whether the set is Linf.
func (c *Certifier) radii(set attack.Set, tau float64, r, r2 []float64) (linf bool) {
	for l := range r {
		r[l] = tau
	}
	switch set {
	case attack.SignalToken:
		clear(r[1:])
	case attack.Linf:
		linf = true
	}
	sd := sqrtUp(float64(c.D))
	for l, v := range r {
		r2[l] = v
		if linf {
			r2[l] = mulUp(v, sd)
		}
	}
	return linf
}

// bound returns the lower bound of the float margin y·f̃(X+Δ) over the
// perturbations with per-token radii ‖δ_l‖ ≤ r[l] (set norm) and ℓ₂ radii
// r2[l]; if frob > 0 the perturbation also satisfies ‖Δ‖_F ≤ frob, which
// the second (coupled) value bound uses. c.pt must hold the sample.
func (c *Certifier) bound(y float64, r, r2 []float64, linf bool, frob float64) float64 {
	M := c.M
	p, s := &c.pt, &c.scr
	g, gc, h, nu := p.g2, p.c2, p.h2, c.nu2
	if linf {
		g, gc, h, nu = p.g1, p.c1, p.h1, c.nu1
	}
	dh := c.m.Dh
	gmod := gamma(c.D + dh + 2)
	na := c.normA
	if c.dropSec {
		na = 0
	}
	// Score intervals, widened by the model's own rounding.
	for j := 0; j < M; j++ {
		s.qn[j] = addUp(p.nq[j], mulUp(r2[j], c.fq))
		s.kn[j] = addUp(p.nk[j], mulUp(r2[j], c.fk))
	}
	for l := 0; l < M; l++ {
		zmax := 0.0 // ≥ |s·z'_lj| (unshifted), for the rounding of Forward's max subtraction
		for j := 0; j < M; j++ {
			rest := addUp(addUp(mulUp(r[j], h[l]), mulUp(mulUp(r2[l], r2[j]), na)), p.ez[l*M+j])
			w := mulUp(c.s, addUp(mulUp(r[l], gc[j]), rest))
			wz := mulUp(c.s, addUp(mulUp(r[l], g[j]), rest))
			if o := c.ovr; o != nil { // the split bound's score widths (split.go)
				sec := mulUp(mulUp(r2[l], r2[j]), na)
				if o.sec >= 0 && !c.dropSec {
					sec = min(sec, mulUp(mulUp(r[l], r[j]), o.sec))
				}
				if o.sq != nil && !c.dropSec { // the pair bound of the Frobenius ball (relational.go)
					sec = min(sec, mulUp(o.sq[l*M+j], na))
				}
				tail := addUp(sec, p.ez[l*M+j])
				w = mulUp(c.s, addUp(o.qk[l*M+j], tail))
				wz = mulUp(c.s, addUp(o.z[l*M+j], tail))
			}
			zc := c.s * p.zc[l*M+j]
			ezc := mulUp(eps, math.Abs(zc)) // rounding of s·ẑ
			w = addUp(w, ezc)
			s.zlo[l*M+j], s.zhi[l*M+j] = subDn(zc, w), addUp(zc, w)
			zmax = max(zmax, addUp(addUp(math.Abs(zc), wz), ezc))
		}
		for j := 0; j < M; j++ {
			th := mulUp(c.s, mulUp(gmod, mulUp(s.qn[l], s.kn[j])))
			th = addUp(th, mulUp(3*eps, zmax))
			s.zlo[l*M+j], s.zhi[l*M+j] = subDn(s.zlo[l*M+j], th), addUp(s.zhi[l*M+j], th)
		}
	}
	// Softmax box per row, from the enclosures A_j ∋ e^{zlo_j − ref},
	// B_j ∋ e^{zhi_j − ref} (ref = max_j zhi_j, so nothing overflows):
	//
	//	S_lj ≥ A_j/(A_j + Σ_{k≠j} B_k),   S_lj ≤ B_j/(B_j + Σ_{k≠j} A_k),
	//
	// x/(x+R) being increasing in x and decreasing in R; the enclosures
	// are kept for softMean.
	// The exponentials of all rows in one linalg.ExpTo call (the same bits
	// as linalg.Exp, vectorized): arguments in four M×M blocks, the
	// rounded-down and rounded-up ends of zlo − ref and of zhi − ref.
	MM := M * M
	for l := 0; l < M; l++ {
		o := l * M
		zlo, zhi := s.zlo[o:o+M], s.zhi[o:o+M]
		ref := math.Inf(-1)
		for _, v := range zhi {
			ref = max(ref, v)
		}
		for j := 0; j < M; j++ {
			s.earg[o+j], s.earg[MM+o+j] = subDn(zlo[j], ref), subUp(zlo[j], ref)
			s.earg[2*MM+o+j], s.earg[3*MM+o+j] = subDn(zhi[j], ref), subUp(zhi[j], ref)
		}
	}
	linalg.ExpTo(s.eval, s.earg)
	for i := 0; i < MM; i++ {
		s.adn[i], s.aup[i] = expDnOf(s.eval[i]), expUpOf(s.eval[MM+i])
		s.bdn[i], s.bup[i] = expDnOf(s.eval[2*MM+i]), expUpOf(s.eval[3*MM+i])
	}
	for l := 0; l < M; l++ {
		o := l * M
		sbu, sad := 0.0, 0.0
		for j := 0; j < M; j++ {
			sbu = addUp(sbu, s.bup[o+j])
			sad = addDn(sad, s.adn[o+j])
		}
		for j := 0; j < M; j++ {
			if a := s.adn[o+j]; a > 0 {
				s.slo[o+j] = dn(a / addUp(a, max(0, subUp(sbu, s.bup[o+j]))))
			} else {
				s.slo[o+j] = 0
			}
			b := s.bup[o+j]
			s.shi[o+j] = min(1, up(b/addDn(b, max(0, subDn(sad, s.adn[o+j])))))
		}
	}
	// Value bounds and the model's softmax / aggregation error.
	vmax, xmax := 0.0, 0.0
	for j := 0; j < M; j++ {
		vmax = max(vmax, addUp(addUp(math.Abs(p.v[j]), p.ev[j]), mulUp(r[j], nu)))
		xmax = max(xmax, addUp(p.xn[j], r2[j]))
	}
	etaS := float64(3 * (expError + float64(float64(M+4)*eps)))
	eAgg := mulUp(1+etaS, mulUp(1.01, addUp(mulUp(float64(2*gamma(M+2))+eps, vmax), mulUp(gamma(c.D), mulUp(xmax, c.nu2)))))
	eAgg = addUp(eAgg, mulUp(float64(M)*0x1p-1060, vmax))
	rowErr := mulUp(etaS, vmax)
	// (i) product relaxation: w_j = y v_j − e_v − r_j‖u‖_*.
	for j := 0; j < M; j++ {
		s.w[j] = subDn(subDn(y*p.v[j], p.ev[j]), mulUp(r[j], nu))
	}
	wmin := c.costs(s.w, s.c, s.ord)
	b := subDn(max(c.lpMean(wmin, s.c, s.ord), c.softMean(wmin, s.c, s.ord)), rowErr)
	if frob > 0 {
		// (ii) coupled value term: LP on y v_j alone, minus τ‖u‖‖a‖₂.
		// Its weights depend on the sample alone: costs once per sample.
		if !s.costsOK || s.costsY != y {
			for j := 0; j < M; j++ {
				s.w[j] = subDn(y*p.v[j], p.ev[j])
			}
			s.wmin2 = c.costs(s.w, s.c2s, s.ord2)
			s.costsOK, s.costsY = true, y
		}
		an := 0.0
		for l := 0; l < M; l++ {
			mx, sq := 0.0, 0.0
			for _, v := range s.shi[l*M : (l+1)*M] {
				mx = max(mx, v)
				sq = addUp(sq, mulUp(v, v))
			}
			an = addUp(an, sqrtUp(min(mx, sq)))
		}
		an = mulUp(1+etaS, up(an/float64(M)))
		b2 := subDn(subDn(max(c.lpMean(s.wmin2, s.c2s, s.ord2), c.softMean(s.wmin2, s.c2s, s.ord2)), rowErr), mulUp(mulUp(frob, c.nu2), an))
		b = max(b, b2)
	}
	b = subDn(b, eAgg)
	if c.unsound > 0 { // negative control only
		b += float64(c.unsound * math.Abs(b))
	}
	return b
}

// costs sets the costs c_j = w_j − w_min (rounded down, ≥ 0) and the order
// of the indices by increasing cost, shared by lpMean and softMean, and
// returns w_min. The order is the one sort.Slice gives (pattern-defeating
// quicksort, an insertion sort below 12 elements): slices.SortFunc runs the
// same algorithm without sort.Slice's reflection and allocation.
func (c *Certifier) costs(w, cost []float64, ord []int) float64 {
	wmin := math.Inf(1)
	for _, v := range w {
		wmin = min(wmin, v)
	}
	for j, v := range w {
		cost[j] = max(0, subDn(v, wmin))
		ord[j] = j
	}
	slices.SortFunc(ord, func(a, b int) int {
		switch {
		case cost[a] < cost[b]:
			return -1
		case cost[b] < cost[a]:
			return 1
		}
		return 0
	})
	return wmin
}

// lpMean returns a lower bound of (1/M) Σ_l min{Σ_j S_j w_j : slo_l ≤ S ≤ shi_l,
// Σ_j S_j = 1}, each row solved by the greedy fill with outward rounding:
// w_min + Σ_j slo_j c_j + (the remaining mass put on the cheapest c first),
// c_j = w_j − w_min ≥ 0 (rounded down), capacities rounded up, remaining
// mass rounded down (with c ≥ 0, less mass and more capacity only lower
// the value). wmin, cost and ord are what costs returned and set for w.
func (c *Certifier) lpMean(wmin float64, cost []float64, ord []int) float64 {
	M := c.M
	total := 0.0
	for l := 0; l < M; l++ {
		total = addDn(total, c.lpRow(l, wmin, cost, ord))
	}
	return dn(total / float64(M))
}

// lpRow is row l of lpMean: a lower bound of min{Σ_j S_j w_j : slo_l ≤ S ≤
// shi_l, Σ_j S_j = 1}.
func (c *Certifier) lpRow(l int, wmin float64, cost []float64, ord []int) float64 {
	M, s := c.M, &c.scr
	lo, hi := s.slo[l*M:(l+1)*M], s.shi[l*M:(l+1)*M]
	val, mass := 0.0, 0.0
	for j := range lo {
		val = addDn(val, mulDn(lo[j], cost[j]))
		mass = addUp(mass, lo[j])
	}
	rem := max(0, subDn(1, mass))
	for _, j := range ord {
		if rem <= 0 {
			break
		}
		t := min(rem, max(0, subUp(hi[j], lo[j])))
		val = addDn(val, mulDn(t, cost[j]))
		rem = subDn(rem, t)
	}
	return addDn(wmin, val)
}

// softMean returns a lower bound of (1/M) Σ_l min{ Σ_j softmax(z_l)_j w_j :
// zlo_l ≤ z_l ≤ zhi_l } — the exact minimum of the row's linear functional
// over the softmax image of its score box, not of a relaxation. Since
// ∂/∂z_j Σ_k S_k w_k = S_j (w_j − Σ_k S_k w_k), a minimizer puts z_j at its
// upper end when w_j is below the optimum value and at its lower end when
// above (ties do not change the value), so it is one of the M+1 threshold
// configurations "z = zhi on the k smallest w, zlo on the rest"; each is
// evaluated with outward rounding as w_min + Σ_j c_j e_j/Σ_k e_k with
// c_j = w_j − w_min ≥ 0 rounded down, e_j = e^{z_j − ref} rounded down in
// the numerator and up in the denominator (the enclosures bound computes). It never exceeds lpMean's
// greedy bound by more than rounding (it is at least as tight). wmin, cost
// and ord are what costs returned and set for w.
//
// The sums of configuration k run over the order ord, the first k terms
// from the zhi enclosures and the rest from the zlo ones; the first k
// partial sums are those of configuration k−1 extended by one term, so
// they are carried over instead of recomputed (the same operations in the
// same order: the same bits).
func (c *Certifier) softMean(wmin float64, cost []float64, ord []int) float64 {
	M := c.M
	total := 0.0
	for l := 0; l < M; l++ {
		total = addDn(total, c.softRow(l, wmin, cost, ord))
	}
	return dn(total / float64(M))
}

// softRow is row l of softMean: a lower bound of min{ Σ_j softmax(z_l)_j w_j :
// zlo_l ≤ z_l ≤ zhi_l }.
func (c *Certifier) softRow(l int, wmin float64, cost []float64, ord []int) float64 {
	M, s := c.M, &c.scr
	o := l * M
	best := math.Inf(1)
	pnum, pden := 0.0, 0.0 // sums of the first k terms (zhi ends)
	for k := 0; k <= M; k++ {
		if k > 0 {
			j := ord[k-1]
			pden = addUp(pden, s.bup[o+j])
			if cost[j] > 0 {
				pnum = addDn(pnum, mulDn(cost[j], s.bdn[o+j]))
			}
		}
		num, den := pnum, pden
		for _, j := range ord[k:] {
			den = addUp(den, s.aup[o+j])
			if cost[j] > 0 {
				num = addDn(num, mulDn(cost[j], s.adn[o+j]))
			}
		}
		if v := dn(num / den); v < best {
			best = v
		}
	}
	return addDn(wmin, best)
}
