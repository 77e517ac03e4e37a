package certify

import (
	"math"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/valid"
)

// Margin returns a certified lower bound of min_{Δ ∈ B(τ)} y·f̃(X+Δ) for one
// sample x (M×D) with label y = ±1 in set at budget tau ≥ 0 (f̃ the model as
// vit.Model.Forward computes it; see the package comment). For the
// Frobenius ball it runs branch-and-bound over the per-token radii with
// the certifier's node budget; the product sets (SignalToken, PerToken,
// Linf) use one bound. It panics if len(x) ≠ M·D.
func (c *Certifier) Margin(x []float64, y float64, set attack.Set, tau float64) float64 {
	if len(x) != c.M*c.D {
		panic("certify: Margin: len(x) != M·D")
	}
	c.prepare(x)
	return c.margin(y, set, tau)
}

// margin is Margin on the prepared sample: the interval bound, raised by
// the joint bounds when they are on (withJoint).
func (c *Certifier) margin(y float64, set attack.Set, tau float64) float64 {
	set = c.begin(set, tau)
	return c.withJoint(y, set, tau, c.intervalBound(y, set, tau))
}

// certified reports whether margin(y, set, tau) > 0 on the prepared
// sample. With the joint bounds on, margin is the largest of the interval
// bound and the joint bounds, so a positive interval bound settles the
// sign without them: Radius's bisection, which needs only the sign, skips
// the joint bounds (most of its cost) on every budget the interval bound
// already certifies, with the same result bit for bit (TestJointGolden's
// radii).
func (c *Certifier) certified(y float64, set attack.Set, tau float64) bool {
	set = c.begin(set, tau)
	b := c.intervalBound(y, set, tau)
	return b > 0 || c.withJoint(y, set, tau, b) > 0
}

// begin returns set ("" means the Frobenius ball) and makes the prepared
// sample's first-order coefficients ready for a bound at tau.
func (c *Certifier) begin(set attack.Set, tau float64) attack.Set {
	if set == "" {
		set = attack.Frobenius
	}
	if tau != 0 || (!c.pt.finite0 && c.skip0 >= 0) || c.skip0 > 0 {
		c.firstOrder()
	} else if !c.pt.first {
		// τ = 0 without them: any finite values give the same bound (the
		// negative control fills in what an overflowed one would be).
		fill := 0.0
		if c.skip0 < 0 {
			fill = math.Inf(1)
		}
		for _, v := range [][]float64{c.pt.g2, c.pt.g1, c.pt.c2, c.pt.c1, c.pt.h2, c.pt.h1} {
			for i := range v {
				v[i] = fill
			}
		}
	}
	return set
}

// withJoint returns the interval bound b raised by the joint bounds when
// they are on and tau > 0: the larger of b, the joint bounds and the
// interval bound with the certifier's own ‖A‖₂.
func (c *Certifier) withJoint(y float64, set attack.Set, tau, b float64) float64 {
	if c.jt == nil {
		return b
	}
	jb := math.Inf(-1)
	if tau > 0 {
		jb = c.jointAll(y, set, tau) // the joint bounds (relax.go, split.go)
	}
	if c.normA != c.jt.normA0 {
		// The joint bounds tighten ‖A‖₂ (spectral.go). In exact arithmetic a
		// smaller ‖A‖₂ only raises the interval bound, but the computed one
		// is not monotone in it bit for bit (the rounded softmax enclosure,
		// and branch-and-bound's order of splits under a node budget), so
		// the bound with the certifier's own ‖A‖₂ is kept beside it: with
		// the joint bounds on, a certificate is never below the one without.
		na := c.normA
		c.normA = c.jt.normA0
		b = max(b, c.intervalBound(y, set, tau))
		c.normA = na
	}
	return max(b, jb)
}

// intervalBound is the interval bound of the package comment on the
// prepared sample: one bound in the product sets, branch-and-bound over the
// per-token radii in the Frobenius ball.
func (c *Certifier) intervalBound(y float64, set attack.Set, tau float64) float64 {
	s := &c.scr
	linf := c.radii(set, tau, s.r, s.r2)
	if set != attack.Frobenius {
		return c.bound(y, s.r, s.r2, linf, 0)
	}
	return c.branch(y, tau)
}

// node is one box of per-token radii [lo_l, hi_l] of the Frobenius ball.
type node struct {
	lo, hi []float64
	b      float64
}

// nodeHeap is a min-heap of boxes by bound. push and pop are
// container/heap's Push and Pop step for step (the same sift order, so the
// same box is popped on ties), without the boxing of its interface.
type nodeHeap []node

func (h nodeHeap) less(i, j int) bool { return h[i].b < h[j].b }

func (h *nodeHeap) push(n node) {
	*h = append(*h, n)
	hh := *h
	j := len(hh) - 1
	for {
		i := (j - 1) / 2 // parent
		if i == j || !hh.less(j, i) {
			break
		}
		hh[i], hh[j] = hh[j], hh[i]
		j = i
	}
}

func (h *nodeHeap) pop() node {
	hh := *h
	n := len(hh) - 1
	hh[0], hh[n] = hh[n], hh[0]
	i := 0
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && hh.less(j2, j1) {
			j = j2
		}
		if !hh.less(j, i) {
			break
		}
		hh[i], hh[j] = hh[j], hh[i]
		i = j
	}
	top := hh[n]
	*h = hh[:n]
	return top
}

// newNode returns a box whose intervals live in the certifier's arena
// (reset by branch): no allocation once the arena has grown to the node
// budget.
func (c *Certifier) newNode() node {
	s, M := &c.scr, c.M
	if len(s.arena)+2*M > cap(s.arena) {
		s.arena = make([]float64, 0, max(2*cap(s.arena), 2*M*(c.nodes+1)))
	}
	k := len(s.arena)
	s.arena = s.arena[:k+2*M]
	return node{lo: s.arena[k : k+M : k+M], hi: s.arena[k+M : k+2*M : k+2*M]}
}

// bisect returns the two halves of box top split at mid along coordinate
// l: a = top with hi_l = mid, b = top with lo_l = mid (new arena nodes;
// their bounds are left to the caller).
func (c *Certifier) bisect(top node, l int, mid float64) (a, b node) {
	a, b = c.newNode(), c.newNode()
	copy(a.lo, top.lo)
	copy(a.hi, top.hi)
	copy(b.lo, top.lo)
	copy(b.hi, top.hi)
	a.hi[l], b.lo[l] = mid, mid
	return a, b
}

// nodeBound bounds the margin over {‖Δ‖_F ≤ tau, lo_l ≤ ‖δ_l‖ ≤ hi_l}: each
// token is capped at min(hi_l, √(τ² − Σ_{k≠l} lo_k²)) (rounded up), and
// the coupled value bound uses ‖Δ‖_F ≤ τ. An empty box (Σ lo² > τ²)
// bounds nothing and returns +Inf.
func (c *Certifier) nodeBound(y, tau float64, n node) float64 {
	s := &c.scr
	t2 := mulUp(tau, tau)
	sum := 0.0
	for _, v := range n.lo {
		sum = addDn(sum, mulDn(v, v))
	}
	if sum > t2 {
		return math.Inf(1)
	}
	for l := range n.lo {
		rest := subDn(sum, mulUp(n.lo[l], n.lo[l]))
		s.r[l] = min(n.hi[l], sqrtUp(subUp(t2, max(0, rest))))
		s.r2[l] = s.r[l]
	}
	if j := c.jt; j != nil && j.pairOn {
		c.ovr = c.pairWidths(tau, t2, sum, n)
		defer func() { c.ovr = nil }()
	}
	return c.bound(y, s.r, s.r2, false, tau)
}

// branch is best-first branch-and-bound over per-token radii: pop the box
// of lowest bound; stop when it is positive (every box is) or the node
// budget is spent; otherwise split its widest radius interval in two. The
// boxes always cover the ball, so the lowest bound is a bound of the ball.
func (c *Certifier) branch(y, tau float64) float64 { return c.branchBudget(y, tau, c.nodes) }

// branchBudget is branch with a node budget of its own.
func (c *Certifier) branchBudget(y, tau float64, nodes int) float64 {
	M, s := c.M, &c.scr
	s.arena = s.arena[:0]
	root := c.newNode()
	clear(root.lo)
	for l := range root.hi {
		root.hi[l] = tau
	}
	root.b = c.nodeBound(y, tau, root)
	h := append(s.heap[:0], root)
	defer func() { s.heap = h[:0] }()
	evals := 1
	for {
		top := h[0]
		if !(top.b <= 0) || evals+2 > nodes || tau == 0 {
			return top.b
		}
		h.pop()
		// widest effective interval
		best, bw := -1, 0.0
		for l := 0; l < M; l++ {
			if w := top.hi[l] - top.lo[l]; w > bw {
				best, bw = l, w
			}
		}
		if best < 0 {
			return top.b
		}
		mid := top.lo[best] + float64(bw/2)
		a, b := c.bisect(top, best, mid)
		for _, ch := range [2]node{a, b} {
			ch.b = max(c.nodeBound(y, tau, ch), top.b) // a sub-box's bound is at least its parent's
			evals++
			if !math.IsInf(ch.b, 1) {
				h.push(ch)
			}
		}
		if len(h) == 0 { // every piece was empty: nothing to attack
			return math.Inf(1)
		}
	}
}

// Result is the certification of a data set at one budget.
type Result struct {
	N         int
	Bounds    []float64 // certified lower bound of the worst-case margin per point
	Certified int       // points with bound > 0
	// ErrUB = 1 − Certified/N: an upper bound of the robust 0-1 error
	// (robust_err_ub).
	ErrUB float64
}

// Evaluate certifies every point of s in set at budget tau. Bad arguments
// return a *valid.Error (Set.N, Set.M, Set.D, Tau or Set).
func (c *Certifier) Evaluate(s *data.Set, set attack.Set, tau float64) (Result, error) {
	if err := c.checkSet(s, set, tau); err != nil {
		return Result{}, err
	}
	r := Result{N: s.N, Bounds: make([]float64, s.N)}
	for i := 0; i < s.N; i++ {
		b := c.Margin(s.Sample(i), s.Y[i], set, tau)
		r.Bounds[i] = b
		if b > 0 {
			r.Certified++
		}
	}
	r.ErrUB = 1 - float64(r.Certified)/float64(s.N)
	return r, nil
}

func (c *Certifier) checkSet(s *data.Set, set attack.Set, tau float64) error {
	if s == nil || s.N < 1 || len(s.Y) < s.N || len(s.X) < s.N*s.M*s.D {
		n := 0
		if s != nil {
			n = s.N
		}
		return &valid.Error{Field: "Set.N", Value: n, Rule: "must be >= 1 with X and Y filled"}
	}
	if s.M != c.M {
		return &valid.Error{Field: "Set.M", Value: s.M, Rule: "must equal the certifier's M"}
	}
	if s.D != c.D {
		return &valid.Error{Field: "Set.D", Value: s.D, Rule: "must equal the model's D"}
	}
	return valid.First(set.Validate(), valid.NonNeg("Tau", tau), valid.Finite("Tau", tau))
}

// Radius returns a certified robust radius of sample x (label y) in set:
// the largest τ in [0, hi] found by bisection (iters halvings) at which
// Margin is positive, or 0 if even τ = 0 is not certified (the point is
// misclassified or too close to the boundary). Every τ' ≤ the returned τ
// is certified too (the balls are nested). It panics if len(x) ≠ M·D.
func (c *Certifier) Radius(x []float64, y float64, set attack.Set, hi float64, iters int) float64 {
	if len(x) != c.M*c.D {
		panic("certify: Radius: len(x) != M·D")
	}
	c.prepare(x)
	if !(c.margin(y, set, 0) > 0) || !(hi > 0) {
		return 0
	}
	if c.certified(y, set, hi) {
		return hi
	}
	lo := 0.0
	for i := 0; i < iters; i++ {
		mid := lo + float64((hi-lo)/2)
		if c.certified(y, set, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}
