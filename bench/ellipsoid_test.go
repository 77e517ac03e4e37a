package bench

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// BenchmarkDiagnoseEllipsoid asks where the Frobenius certificate loses
// against the attack when the whole budget is accounted for exactly. Up to
// the second-order score term δ_l A δ_jᵀ, the margin depends on Δ only
// through the linear image ξ = LΔ: per row l the score gaps
// f_lj = z_lj − z_lt to the row's top token t (softmax ignores a common
// shift) and per token the value shifts ω_j = y·δ_j·u, M² coordinates. Over
// ‖Δ‖_F ≤ τ, ξ ranges over the ellipsoid {Σ_i √λ_i U_i t_i : ‖t‖ ≤ τ}
// (K = L Lᵀ = U Λ Uᵀ). On cell 4 of tau/ci (the first 10 test points,
// radii by bisection below the FMN-200 radius r_att, in units of r_att)
// it logs the radius each of these bounds proves, all sound in real
// arithmetic (‖A‖₂ a power-iteration estimate) but not rounded outward:
//
//   - ellipsoid: every ξ_c in its projection τ√K_cc, each row's softmax
//     mean minimized exactly over that box with the values at their lower
//     ends; then branch-and-bound on the 12 leading coordinates t_i (the
//     rest keep √(τ² − Σ t_i²)) with 64 and 512 nodes;
//   - row blocks: row l's gaps at their own Mahalanobis radius ρ_l = ‖P_l Δ‖,
//     Σ_l ρ_l² ≤ c·τ² (c = λ_max(Σ_l P_l)), the allocation minimized by
//     dynamic programming; + values: the value shifts as one more block,
//     their part of the margin at −ρ_v‖u‖·(1/M)Σ_l‖S_l‖₂;
//   - scores + values: all gaps in one block, the values in another
//     (c₂ = λ_max(P_s + P_v));
//   - per-token radii (perToken): the interval bound with ‖δ_j‖ ≤ r_j, at
//     the uniform allocation τ/√M and each token alone at τ (an upper
//     limit of what any radius branch-and-bound can prove: some cell of a
//     cover contains the uniform allocation, and the bound is monotone),
//     and the rank-profile cover (the k-th largest radius is ≤ τ/√k; all
//     M! rank orders), a true cover; and the uniform allocation with each
//     token's budget split by purpose (perTokenSplit: ‖P_u δ_j‖² +
//     ‖P_K δ_j‖² + ‖P_Qj δ_j‖² ≤ c_j r_j², the worst of a grid of splits
//     shared by all tokens: optimistic, not a cover of the splits);
//   - dual: a Lagrangian decomposition (dualBound), each row's gaps and its
//     own copy of the value shifts against multipliers, jointly the support
//     function of the ellipsoid, multipliers by 300 supergradient steps;
//     its row minima come from a local search, so it is an optimistic
//     estimate of what the decomposition proves, not a bound;
//   - two ablations that are not bounds of the margin: the row blocks with
//     the values held at y·v_j, and the values alone (scores frozen) with
//     every token at τ (m0/‖u‖) or the budget shared (m0/(‖u‖‖a‖₂), a the
//     clean attention's column means);
//   - the committed joint certificate's radius, and two attacks: a
//     score-only PGD attack (every token moves orthogonally to u, so the
//     values stay exact; 4 starts × 100 steps, bisection) and the strong
//     ensemble DefaultStrong at 0.4, 0.5, …, 0.9 r_att.
//
// Measured (2026-12-07, medians over the 10 points; BenchmarkDiagnoseEllipsoid
// in results/bench/README.md has the per-point table): ellipsoid 0.225, with
// 512 nodes 0.230 — K's spectrum is flat (√λ ≈ 1.4 for the leading 2–6
// directions, then ≈ 0.7 down to the 64th), so the image of the ball is a
// 64-dimensional near-sphere and no short list of directions carries it;
// row blocks 0.236 (c = 2.6–4.4), + values 0.263, scores + values 0.248
// (c₂ = 1.8): the blocks overlap too much for budget shares to help; the
// dual, even optimistic, 0.286; per-token radii at the uniform allocation
// 0.539 (so no radius branch-and-bound passes 0.54 here), with the
// optimistic purpose split 0.634 (c_j ≈ 2), the rank-profile cover 0.282;
// the joint certificate 0.319. The strong ensemble breaks at 0.8 (9 of 10
// points at 0.8–0.9), so against the best attack the certificate is at
// about 0.40 and the box-type caps at about 0.67 and 0.79. The ablations locate the loss: with the values
// held exact the score bound proves 0.648, while the score-only attack
// needs 2.43 (1.7–3.7); the values alone need 0.470 with every token at τ
// and 1.26 with the budget shared. Each point has one signal token
// (y·v ≈ 22) and seven with y·v within ±0.4, and the FMN attack spreads
// its budget evenly (‖δ_j‖ ≈ 5.6 on every token): it lowers the noise
// tokens' values and the signal's attention together. The box over a
// near-spherical 64-dimensional image is up to 3.7 times too loose on the
// scores, and the interval bounds give the values τ‖u‖ each. Multipliers
// on that box do not recover it (the dual): each row's softmax mean is far
// from convex over its box (at τ = 0.3 r_att ≈ 5 and √λ ≈ 0.7–1.9 the
// gaps range over several score units), so a certificate that closes the gap has to shrink the boxes themselves,
// by splitting the budget over the tokens finely enough (the radius
// branch-and-bound with many more cells) or by bounds that are not boxes.
// Diagnosis only (it asserts nothing); run with -benchtime=1x -v.
func BenchmarkDiagnoseEllipsoid(b *testing.B) {
	te, m, cj, fmn := diagnosisCell4(b)
	M, D := te.M, te.D
	e := newEllipsoid(m, M)
	xa, xs := make([]float64, M*D), make([]float64, M*D)
	ws := vit.NewWorkspace(m.Arch, M, 1)
	sig, err := te.Signals()
	if err != nil {
		b.Fatal(err)
	}
	uniform := func(tau float64) []float64 { // every token at τ/√M
		r := make([]float64, M)
		for j := range r {
			r[j] = tau / math.Sqrt(float64(M))
		}
		return r
	}
	bounds := []struct {
		name  string
		bound func(tau float64) float64
	}{
		{"ellipsoid root", func(tau float64) float64 { return e.certify(tau, 1) }},
		{"ellipsoid 64 nodes", func(tau float64) float64 { return e.certify(tau, 64) }},
		{"ellipsoid 512 nodes", func(tau float64) float64 { return e.certify(tau, 512) }},
		{"row blocks", func(tau float64) float64 { return e.blockShare(tau, 32, false) }},
		{"row blocks + values", func(tau float64) float64 { return e.blockShareV(tau, 32) }},
		{"scores + values", func(tau float64) float64 { return e.twoBlock(tau, 64) }},
		{"per-token radii, uniform τ/√M (one cell)", func(tau float64) float64 { return e.perToken(uniform(tau)) }},
		{"per-token radii, worst of uniform and one token at τ (cells)", func(tau float64) float64 {
			r := uniform(tau)
			v := e.perToken(r)
			for k := range M {
				clear(r)
				r[k] = tau
				v = min(v, e.perToken(r))
			}
			return v
		}},
		{"per-token radii, rank-profile cover (M! cells)", e.profileCover},
		{"uniform cell, budget split by purpose (worst of a grid of shared splits)", func(tau float64) float64 {
			r := uniform(tau)
			v := math.Inf(1)
			for i := 0; i <= 12; i++ {
				for k := 0; k <= 12-i; k++ {
					fa, fk := float64(i)/12, float64(k)/12
					fq := math.Sqrt(max(0, 1-fa*fa-fk*fk))
					if fa*fa+fk*fk > 1 {
						continue
					}
					v = min(v, e.perTokenSplit(r, [3]float64{fa, fk, fq}))
				}
			}
			return v
		}},
		{"dual (optimistic)", func(tau float64) float64 { return e.dualBound(tau, 300) }},
		{"row blocks, values exact (unsound ablation)", func(tau float64) float64 { return e.blockShare(tau, 32, true) }},
	}
	const points = 10
	ratios := make([][]float64, len(bounds))
	// per point ÷ r_att: values alone with every token at τ and with the
	// budget shared, the joint certificate, the score-only and the strong attack
	var rBoxes, rShares, rJoint, rScore, rStrong []float64
	for b.Loop() {
		for i := range ratios {
			ratios[i] = ratios[i][:0]
		}
		rBoxes, rShares, rJoint, rScore, rStrong = rBoxes[:0], rShares[:0], rJoint[:0], rScore[:0], rStrong[:0]
		for i := range points {
			x, y := te.Sample(i), te.Y[i]
			fmn.Perturb(m, x, []float64{y}, 1, xa)
			ra := fmn.Radii()[0]
			if math.IsInf(ra, 1) || !(ra > 0) {
				continue
			}
			e.prepare(x, y)
			b.Logf("point %d: r_att %.4g; the attack's ‖δ_j‖:%s; y·v_j:%s; √λ(K), largest:%s",
				i, ra, e.tokenNorms(xa, x), e.values(), e.spectrum(8))
			line := ""
			for k, bd := range bounds {
				lo, hi := 0.0, ra
				for range 12 {
					if mid := (lo + hi) / 2; bd.bound(mid) > 0 {
						lo = mid
					} else {
						hi = mid
					}
				}
				ratios[k] = append(ratios[k], lo/ra)
				line += fmt.Sprintf("; %s %.3f", bd.name, lo/ra)
			}
			m0, na := e.blockShare(0, 1, false), e.attentionNorm()
			rBox, rShare := m0/e.normU/ra, m0/(e.normU*na)/ra
			rc := cj.Radius(x, y, attack.Frobenius, ra, 12) / ra
			rs := scoreOnlyRadius(m, x, y, e.u, M, 4*ra) / ra
			rst := 1.0 // the strong ensemble's radius ÷ r_att: the smallest budget of the grid it breaks at
			for _, f := range []float64{0.4, 0.5, 0.6, 0.7, 0.8, 0.9} {
				st, err := attack.NewStrong(attack.DefaultStrong(attack.Frobenius, f*ra, 1), sig, m.Arch, M, 1)
				if err != nil {
					b.Fatal(err)
				}
				st.Perturb(m, x, []float64{y}, 1, xs)
				if y*m.Forward(ws, xs, 1)[0] <= 0 {
					rst = f
					break
				}
			}
			rBoxes, rShares, rJoint = append(rBoxes, rBox), append(rShares, rShare), append(rJoint, rc)
			rScore, rStrong = append(rScore, rs), append(rStrong, rst)
			b.Logf("  radius ÷ r_att%s; values alone, every token at τ %.3f, shared (‖a‖₂ = %.3f) %.3f; joint certificate %.3f (c = %.2f, c_v = %.2f, c₂ = %.2f, c_j = %.2f–%.2f); score-only attack (tokens ⟂ u) %.3f; strong ensemble breaks at %.1f",
				line, rBox, na, rShare, rc, e.c, e.cv, e.c2, slices.Min(e.cp), slices.Max(e.cp), rs, rst)
		}
	}
	for k, bd := range bounds {
		b.Logf("median radius ÷ r_att, %s: %.3f", bd.name, median(ratios[k]))
	}
	b.Logf("median radius ÷ r_att, values alone (every token at τ; shared): %.3f; %.3f", median(rBoxes), median(rShares))
	b.Logf("median radius ÷ r_att, joint certificate: %.3f", median(rJoint))
	b.Logf("median radius ÷ r_att, score-only attack: %.3f", median(rScore))
	b.Logf("median radius ÷ r_att, strong ensemble (grid 0.4–0.9, else 1): %.3f", median(rStrong))
}

// tokenNorms formats ‖δ_j‖ = ‖xa_j − x_j‖ per token.
func (e *ellipsoid) tokenNorms(xa, x []float64) string {
	s := ""
	for j := range e.M {
		d := 0.0
		for r := range e.D {
			v := xa[j*e.D+r] - x[j*e.D+r]
			d += v * v
		}
		s += " " + ftoa(math.Sqrt(d))
	}
	return s
}

// cleanValues returns the clean values y·v_j, one per token.
func (e *ellipsoid) cleanValues() []float64 {
	w := make([]float64, e.M)
	for j := range w {
		w[j] = e.y * e.v[j]
	}
	return w
}

// values formats y·v_j per token.
func (e *ellipsoid) values() string {
	s := ""
	for j := range e.M {
		s += " " + ftoa(e.y*e.v[j])
	}
	return s
}

// attentionNorm returns ‖a‖₂ of the clean attention column means
// a_j = (1/M) Σ_l S_lj.
func (e *ellipsoid) attentionNorm() float64 {
	M := e.M
	a := make([]float64, M)
	for l := range M {
		mx := math.Inf(-1)
		for j := range M {
			mx = max(mx, e.z0[l*M+j])
		}
		sum := 0.0
		for j := range M {
			sum += math.Exp(e.z0[l*M+j] - mx)
		}
		for j := range M {
			a[j] += math.Exp(e.z0[l*M+j]-mx) / sum / float64(M)
		}
	}
	return math.Sqrt(linalg.Dot(a, a))
}

// diagnosisCell4 retrains cell 4 of the committed tau/ci file (τ_train =
// 0.1‖μ‖) and returns its test set and model, a certifier with the joint
// bounds and an FMN-200 attack on single points: the setting of the
// certificate diagnoses of this package.
func diagnosisCell4(b *testing.B) (*data.Set, *vit.Model, *certify.Certifier, *attack.FMN) {
	b.Helper()
	r, _, _ := trainCommittedCI(b, 4, "10451216379200822465", 0.1, "0.00304448")
	cj, err := certify.New(r.Model, r.Test.M)
	if err != nil {
		b.Fatal(err)
	}
	cj.SetJoint(true)
	fmn, err := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 200}, r.Model.Arch, r.Test.M, 1)
	if err != nil {
		b.Fatal(err)
	}
	return r.Test, r.Model, cj, fmn
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// ellipsoid is BenchmarkDiagnoseEllipsoid's bound for one model.
type ellipsoid struct {
	m         *vit.Model
	M, D, Dh  int
	s, normA  float64
	wq, wk, u []float64
	y         float64
	v         []float64 // v_j = x_j·u
	z0        []float64 // M×M clean scores
	top       []int     // per row, the top token
	lam       []float64 // eigenvalues of K, descending
	U         []float64 // M²×M² eigenvectors, column i ↔ lam[i], row c ↔ coordinate c
	k         int       // number of branched coordinates
	rest      []float64 // per coordinate, √(Σ_{i≥k} λ_i U_ci²)
	proj      []float64 // per coordinate, √K_cc
	quad      []float64 // per score coordinate, its second-order width ÷ τ²
	c         float64   // λ_max(Σ_l P_l), blockShare's budget factor
	K         []float64 // M²×M² Gram matrix L Lᵀ
	qdiff     []float64 // M×M: ‖s W_Q(k_j − k_top(l))‖
	hnorm     []float64 // M: ‖s W_K q_l‖
	cp        []float64 // M: λ_max(P_u + P_K + P_Qj), perTokenSplit's factor
	c2        float64   // λ_max(P_s + P_v), twoBlock's budget factor
	cv        float64   // λ_max(Σ_l P_l + P_v), blockShareV's budget factor
	normU     float64   // ‖u‖
}

func newEllipsoid(m *vit.Model, M int) *ellipsoid {
	e := &ellipsoid{m: m, M: M, D: m.D, Dh: m.Dh, s: m.Scale()}
	e.wq, e.wk = m.SplitQK()
	e.u = m.ValueVector(make([]float64, m.D))
	e.normU = math.Sqrt(linalg.Dot(e.u, e.u))
	e.normA = newThirdBound(m, M).normA
	return e
}

// prepare builds L, K and its eigendecomposition for sample x, label y.
func (e *ellipsoid) prepare(x []float64, y float64) {
	M, D, Dh := e.M, e.D, e.Dh
	e.y = y
	q, k := make([]float64, M*Dh), make([]float64, M*Dh)
	for j := range M {
		clear(q[j*Dh : (j+1)*Dh])
		clear(k[j*Dh : (j+1)*Dh])
		linalg.AxpyRows(q[j*Dh:(j+1)*Dh], x[j*D:(j+1)*D], 1, e.wq, Dh)
		linalg.AxpyRows(k[j*Dh:(j+1)*Dh], x[j*D:(j+1)*D], 1, e.wk, Dh)
	}
	e.v = make([]float64, M)
	e.z0 = make([]float64, M*M)
	e.top = make([]int, M)
	for j := range M {
		e.v[j] = linalg.Dot(x[j*D:(j+1)*D], e.u)
	}
	for l := range M {
		for j := range M {
			e.z0[l*M+j] = e.s * linalg.Dot(q[l*Dh:(l+1)*Dh], k[j*Dh:(j+1)*Dh])
			if e.z0[l*M+j] > e.z0[l*M+e.top[l]] {
				e.top[l] = j
			}
		}
	}
	gq := make([]float64, M*D) // W_Q k_j
	hk := make([]float64, M*D) // W_K q_l
	for j := range M {
		linalg.DotRows(gq[j*D:(j+1)*D], k[j*Dh:(j+1)*Dh], e.wq, Dh)
		linalg.DotRows(hk[j*D:(j+1)*D], q[j*Dh:(j+1)*Dh], e.wk, Dh)
	}
	e.qdiff, e.hnorm = make([]float64, M*M), make([]float64, M)
	for l := range M {
		e.hnorm[l] = e.s * math.Sqrt(linalg.Dot(hk[l*D:(l+1)*D], hk[l*D:(l+1)*D]))
		for j := range M {
			d := 0.0
			for r := range D {
				v := gq[j*D+r] - gq[e.top[l]*D+r]
				d += v * v
			}
			e.qdiff[l*M+j] = e.s * math.Sqrt(d)
		}
	}
	e.purposeC(gq, hk)
	nc, n := M*M, M*D
	L := make([]float64, nc*n)
	e.quad = make([]float64, nc)
	pair := func(a, b int) float64 { // bound of ‖δ_a‖‖δ_b‖ ÷ τ²
		if a == b {
			return 1
		}
		return 0.5
	}
	for l := range M {
		t := e.top[l]
		c := l * M // row l's coordinates: c+j for j ≠ t; c+t is the value shift ω_l
		for j := range M {
			if j == t {
				continue
			}
			row := L[(c+j)*n : (c+j+1)*n]
			for r := range D { // token l: s W_Q (k_j − k_t)
				row[l*D+r] += e.s * (gq[j*D+r] - gq[t*D+r])
			}
			for r := range D { // token j: + s W_K q_l; token t: − s W_K q_l
				row[j*D+r] += e.s * hk[l*D+r]
				row[t*D+r] -= e.s * hk[l*D+r]
			}
			e.quad[c+j] = e.s * e.normA * (pair(l, j) + pair(l, t))
		}
		row := L[(c+t)*n : (c+t+1)*n] // ω_l = y δ_l·u
		for r := range D {
			row[l*D+r] = y * e.u[r]
		}
	}
	Lm := mat.NewDense(nc, n, L)
	var K mat.SymDense
	K.SymOuterK(1, Lm)
	e.K = make([]float64, nc*nc)
	for c := range nc {
		for d := range nc {
			e.K[c*nc+d] = K.At(c, d)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(&K, true) {
		panic("EigenSym failed")
	}
	lam := es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	order := make([]int, nc)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case lam[a] > lam[b]:
			return -1
		case lam[a] < lam[b]:
			return 1
		}
		return 0
	})
	e.lam = make([]float64, nc)
	e.U = make([]float64, nc*nc)
	for i, o := range order {
		e.lam[i] = max(lam[o], 0)
		for c := range nc {
			e.U[c*nc+i] = V.At(c, o)
		}
	}
	e.shareC(L)
	e.twoC(L)
	e.k = min(12, nc)
	e.rest = make([]float64, nc)
	e.proj = make([]float64, nc)
	for c := range nc {
		sr, sp := 0.0, 0.0
		for i := range nc {
			w := e.lam[i] * e.U[c*nc+i] * e.U[c*nc+i]
			sp += w
			if i >= e.k {
				sr += w
			}
		}
		e.rest[c], e.proj[c] = math.Sqrt(sr), math.Sqrt(sp)
	}
}

func (e *ellipsoid) spectrum(n int) string {
	s := ""
	for i := range min(n, len(e.lam)) {
		s += " " + ftoa(math.Sqrt(e.lam[i]))
	}
	return s
}

type enode struct {
	lo, hi []float64
	bound  float64
}

type enodeHeap []*enode

func (h enodeHeap) Len() int           { return len(h) }
func (h enodeHeap) Less(i, j int) bool { return h[i].bound < h[j].bound }
func (h enodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *enodeHeap) Push(x any)        { *h = append(*h, x.(*enode)) }
func (h *enodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// certify returns the smallest leaf bound after at most nodes bound
// evaluations (> 0: certified at τ).
func (e *ellipsoid) certify(tau float64, nodes int) float64 {
	root := &enode{lo: make([]float64, e.k), hi: make([]float64, e.k)}
	for i := range e.k {
		w := tau
		root.lo[i], root.hi[i] = -w, w
	}
	root.bound = e.bound(root, tau)
	h := &enodeHeap{root}
	for used := 1; used+2 <= nodes; used += 2 {
		n := heap.Pop(h).(*enode)
		if n.bound > 0 || math.IsInf(n.bound, 1) {
			heap.Push(h, n)
			break
		}
		best, bw := 0, -1.0
		for i := range e.k {
			if w := (n.hi[i] - n.lo[i]) * math.Sqrt(e.lam[i]); w > bw {
				best, bw = i, w
			}
		}
		mid := (n.lo[best] + n.hi[best]) / 2
		a := &enode{lo: slices.Clone(n.lo), hi: slices.Clone(n.hi)}
		c := &enode{lo: slices.Clone(n.lo), hi: slices.Clone(n.hi)}
		a.hi[best], c.lo[best] = mid, mid
		a.bound, c.bound = e.bound(a, tau), e.bound(c, tau)
		heap.Push(h, a)
		heap.Push(h, c)
	}
	return (*h)[0].bound
}

// bound returns a lower bound of the margin over the node's part of the ball.
func (e *ellipsoid) bound(n *enode, tau float64) float64 {
	M, nc := e.M, e.M*e.M
	used := 0.0
	for i := range e.k {
		if n.lo[i] > 0 {
			used += n.lo[i] * n.lo[i]
		} else if n.hi[i] < 0 {
			used += n.hi[i] * n.hi[i]
		}
	}
	if used > tau*tau {
		return math.Inf(1)
	}
	rho := math.Sqrt(tau*tau - used)
	lo, hi := make([]float64, nc), make([]float64, nc)
	for c := range nc {
		a, bb := 0.0, 0.0
		for i := range e.k {
			w := math.Sqrt(e.lam[i]) * e.U[c*nc+i]
			if w >= 0 {
				a += w * n.lo[i]
				bb += w * n.hi[i]
			} else {
				a += w * n.hi[i]
				bb += w * n.lo[i]
			}
		}
		a -= rho * e.rest[c]
		bb += rho * e.rest[c]
		a = max(a, -tau*e.proj[c])
		bb = min(bb, tau*e.proj[c])
		lo[c], hi[c] = a, bb
	}
	total := 0.0
	w := make([]float64, M)
	zl, zh := make([]float64, M), make([]float64, M)
	for j := range M { // ω_j sits at coordinate j·M + top[j]
		w[j] = e.y*e.v[j] + lo[j*M+e.top[j]]
	}
	for l := range M {
		e.gapBox(l, func(_, c int) (float64, float64) { q := e.quad[c] * tau * tau; return lo[c] - q, hi[c] + q }, zl, zh)
		total += rowMin(w, zl, zh)
	}
	return total / float64(M)
}

// gapBox sets zl, zh to row l's score gaps to its top token t, each in its
// clean value plus [lo, hi] = width(j, c) (c = l·M + j its coordinate; the
// top token's own gap is 0).
func (e *ellipsoid) gapBox(l int, width func(j, c int) (lo, hi float64), zl, zh []float64) {
	M, t := e.M, e.top[l]
	for j := range M {
		if j == t {
			zl[j], zh[j] = 0, 0
			continue
		}
		g := e.z0[l*M+j] - e.z0[l*M+t]
		lo, hi := width(j, l*M+j)
		zl[j], zh[j] = g+lo, g+hi
	}
}

// sNormHi returns an upper bound of ‖softmax(z)‖₂ over the box [zl, zh]:
// √min(max_j Shi_j, Σ_j Shi_j²), Shi_j = 1/(1 + Σ_{k≠j} e^{zl_k − zh_j}).
func sNormHi(zl, zh []float64) float64 {
	mx, ss := 0.0, 0.0
	for j := range zl {
		den := 1.0
		for k := range zl {
			if k != j {
				den += math.Exp(zl[k] - zh[j])
			}
		}
		mx = max(mx, 1/den)
		ss += 1 / den / den
	}
	return math.Sqrt(min(mx, ss))
}

// minPlus returns min Σ_l cost[l][min(k_l, len−1)] over k_l ≥ 0 with
// Σ_l k_l ≤ S (dynamic programming over the rows).
func minPlus(cost [][]float64, S int) float64 {
	at := func(row []float64, k int) float64 { return row[min(k, len(row)-1)] }
	best := make([]float64, S+1)
	for s := range best {
		best[s] = at(cost[0], s)
	}
	for _, row := range cost[1:] {
		next := make([]float64, S+1)
		for s := range next {
			next[s] = math.Inf(1)
			for k := 0; k <= s; k++ {
				next[s] = min(next[s], best[s-k]+at(row, k))
			}
		}
		best = next
	}
	return best[S]
}

// rowMin returns min Σ_j softmax(z)_j w_j over z in the box [zl, zh]:
// the minimizer puts z_j at its upper end for the smallest w_j and its
// lower end for the rest, for some threshold in the order of w.
func rowMin(w, zl, zh []float64) float64 {
	M := len(w)
	idx := make([]int, M)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case w[a] < w[b]:
			return -1
		case w[a] > w[b]:
			return 1
		}
		return 0
	})
	zmax := math.Inf(-1)
	for j := range M {
		zmax = max(zmax, zh[j])
	}
	best := math.Inf(1)
	for cut := 0; cut <= M; cut++ {
		num, den := 0.0, 0.0
		for r, j := range idx {
			z := zl[j]
			if r < cut {
				z = zh[j]
			}
			p := math.Exp(z - zmax)
			num += p * w[j]
			den += p
		}
		best = min(best, num/den)
	}
	return best
}

// blockShare is the row-block bound of BenchmarkDiagnoseEllipsoid: row l's
// score gaps ξ_l = L_l Δ have Mahalanobis norm ρ_l = ‖P_l Δ‖ in their own
// Gram matrix (P_l the projector onto the row space of L_l), and
// Σ_l ρ_l² ≤ λ_max(Σ_l P_l)·τ² = c·τ²; each row is bounded at its own ρ_l
// (per-coordinate half-widths ρ_l·√K_cc) and the allocation of c·τ² over
// the rows is minimized by dynamic programming over quanta of c·τ²/Q. The
// values sit at their lower ends with every token at radius τ, or, with
// valuesExact (an ablation, not a bound of the margin), at y·v_j.
func (e *ellipsoid) blockShare(tau float64, Q int, valuesExact bool) float64 {
	M := e.M
	w := make([]float64, M)
	for j := range M {
		w[j] = e.y*e.v[j] - tau*e.normU
		if valuesExact {
			w[j] = e.y * e.v[j]
		}
	}
	zl, zh := make([]float64, M), make([]float64, M)
	psi := make([][]float64, M) // ψ_l(k): row l at ρ = τ·√(c·k/Q)
	for l := range M {
		psi[l] = make([]float64, Q+M)
		for k := range Q + M {
			rho := min(tau, tau*math.Sqrt(e.c*float64(k)/float64(Q)))
			e.gapBox(l, func(_, c int) (float64, float64) { w := rho*e.proj[c] + e.quad[c]*tau*tau; return -w, w }, zl, zh)
			psi[l][k] = rowMin(w, zl, zh)
		}
	}
	// A row's ρ_l² in ((k−1), k]·cτ²/Q is bounded at level k, so Σ_l k_l ≤ Q + M − 1.
	return minPlus(psi, Q+M-1) / float64(M)
}

// shareC sets e.c = λ_max(Σ_l P_l) and e.cv = λ_max(Σ_l P_l + P_v) by
// power iteration.
func (e *ellipsoid) shareC(L []float64) {
	M := e.M
	var blocks []shareBlock
	for l := range M {
		var rows []int
		for j := range M {
			if j != e.top[l] {
				rows = append(rows, l*M+j)
			}
		}
		blocks = append(blocks, e.newShareBlock(L, rows))
	}
	e.c = e.powerShare(L, blocks, false)
	e.cv = e.powerShare(L, blocks, true)
}

// shareBlock is a group of coordinates (rows of L) with the inverse of
// their Gram matrix: P x = L_bᵀ (L_b L_bᵀ)⁻¹ L_b x projects onto their span.
type shareBlock struct {
	rows []int
	inv  *mat.Dense
}

func (e *ellipsoid) newShareBlock(L []float64, rows []int) shareBlock {
	n := e.M * e.D
	G := mat.NewDense(len(rows), len(rows), nil)
	for a, ra := range rows {
		for bb, rb := range rows {
			G.Set(a, bb, linalg.Dot(L[ra*n:(ra+1)*n], L[rb*n:(rb+1)*n]))
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(G); err != nil {
		panic(err) // the gaps of a row are independent for every model this diagnosis trains
	}
	return shareBlock{rows, &inv}
}

func (e *ellipsoid) powerShare(L []float64, blocks []shareBlock, values bool) float64 {
	M, D, n := e.M, e.D, e.M*e.D
	nu2 := linalg.Dot(e.u, e.u)
	return powerIter(n, 200, func(y, x []float64) {
		for _, bk := range blocks {
			p := make([]float64, len(bk.rows))
			for a, ra := range bk.rows {
				p[a] = linalg.Dot(L[ra*n:(ra+1)*n], x)
			}
			var cv mat.VecDense
			cv.MulVec(bk.inv, mat.NewVecDense(len(p), p))
			for a, ra := range bk.rows {
				linalg.Axpy(y, cv.AtVec(a), L[ra*n:(ra+1)*n])
			}
		}
		if values { // P_v: per token, the projection on û
			for j := range M {
				c := linalg.Dot(x[j*D:(j+1)*D], e.u) / nu2
				linalg.Axpy(y[j*D:(j+1)*D], c, e.u)
			}
		}
	})
}

// powerIter returns ‖A x‖ after iters steps x ← A x/‖A x‖ from the uniform
// unit vector of length n, where apply adds A x to y (y is zeroed first):
// λ_max of a positive semidefinite A once converged.
func powerIter(n, iters int, apply func(y, x []float64)) float64 {
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 1 / math.Sqrt(float64(n))
	}
	lam := 0.0
	for range iters {
		clear(y)
		apply(y, x)
		lam = math.Sqrt(linalg.Dot(y, y))
		for i := range x {
			x[i] = y[i] / lam
		}
	}
	return lam
}

// blockShareV is blockShare with the values in the allocation too: the
// value shifts ω = (y δ_j·u)_j have ‖ω‖₂ = ‖u‖·ρ_v, ρ_v = ‖P_v Δ‖ (P_v the
// projector onto the tokens' u directions), Σ_l ρ_l² + ρ_v² ≤ c_v·τ²
// (c_v = λ_max(Σ_l P_l + P_v)), and the value part Σ_j a_j ω_j of the
// margin is at least −ρ_v‖u‖·(1/M)Σ_l ‖S_l‖₂ with ‖S_l‖₂ bounded over
// row l's box.
func (e *ellipsoid) blockShareV(tau float64, Q int) float64 {
	M := e.M
	w := e.cleanValues()
	zl, zh := make([]float64, M), make([]float64, M)
	psi := make([][]float64, M) // row bound at level k, values clean
	sig := make([][]float64, M) // ≥ ‖S_l‖₂ at level k
	for l := range M {
		psi[l], sig[l] = make([]float64, Q+M+1), make([]float64, Q+M+1)
		for k := range Q + M + 1 {
			rho := min(tau, tau*math.Sqrt(e.cv*float64(k)/float64(Q)))
			e.gapBox(l, func(_, c int) (float64, float64) { w := rho*e.proj[c] + e.quad[c]*tau*tau; return -w, w }, zl, zh)
			psi[l][k] = rowMin(w, zl, zh)
			sig[l][k] = sNormHi(zl, zh)
		}
	}
	S := Q + M // Σ over the M rows and the value block of k ≤ Q + M
	out := math.Inf(1)
	cost := make([][]float64, M)
	for kv := 0; kv <= S; kv++ {
		rv := min(tau, tau*math.Sqrt(e.cv*float64(kv)/float64(Q)))
		for l := range M {
			cost[l] = make([]float64, Q+M+1)
			for k := range cost[l] {
				cost[l][k] = psi[l][k] - rv*e.normU*sig[l][k]
			}
		}
		out = min(out, minPlus(cost, S-kv))
	}
	return out / float64(M)
}

// twoBlock splits the ball between all the score gaps together (ρ_s =
// ‖P_s Δ‖) and the values (ρ_v = ‖P_v Δ‖): ρ_s² + ρ_v² ≤ c₂τ², c₂ =
// λ_max(P_s + P_v); every gap at ρ_s times its projection, the value part
// at −ρ_v‖u‖·(1/M)Σ_l ‖S_l‖₂ (cells of ρ_v, each at its conservative ends).
func (e *ellipsoid) twoBlock(tau float64, cells int) float64 {
	M := e.M
	w := e.cleanValues()
	zl, zh := make([]float64, M), make([]float64, M)
	out := math.Inf(1)
	for i := range cells {
		tv0, tv1 := tau*float64(i)/float64(cells), tau*float64(i+1)/float64(cells)
		rs := min(tau, math.Sqrt(max(0, e.c2*tau*tau-tv0*tv0)))
		total := 0.0
		for l := range M {
			e.gapBox(l, func(_, c int) (float64, float64) { w := rs*e.proj[c] + e.quad[c]*tau*tau; return -w, w }, zl, zh)
			total += rowMin(w, zl, zh) - tv1*e.normU*sNormHi(zl, zh)
		}
		out = min(out, total/float64(M))
	}
	return out
}

// twoC sets e.c2 = λ_max(P_s + P_v).
func (e *ellipsoid) twoC(L []float64) {
	M := e.M
	var rows []int
	for l := range M {
		for j := range M {
			if j != e.top[l] {
				rows = append(rows, l*M+j)
			}
		}
	}
	e.c2 = e.powerShare(L, []shareBlock{e.newShareBlock(L, rows)}, true)
}

// scoreOnlyRadius returns the smallest τ (bisection below hi, 10 halvings)
// at which a PGD attack whose tokens move orthogonally to u (the values
// stay at y·v_j exactly, only the scores move) drives the margin to ≤ 0:
// an upper bound of the true radius of the score-only problem that the
// "values exact" ablation bounds from below.
func scoreOnlyRadius(m *vit.Model, x []float64, y float64, u []float64, M int, hi float64) float64 {
	D := m.D
	ws := vit.NewWorkspace(m.Arch, M, 1)
	n := M * D
	nu2 := linalg.Dot(u, u)
	g, d, xp := make([]float64, n), make([]float64, n), make([]float64, n)
	project := func(v []float64) {
		for j := range M {
			linalg.Axpy(v[j*D:(j+1)*D], -linalg.Dot(v[j*D:(j+1)*D], u)/nu2, u)
		}
	}
	breaks := func(tau float64) bool {
		for restart := range 4 {
			clear(d)
			if restart > 0 { // a deterministic spread of starts
				for i := range d {
					d[i] = math.Sin(float64(i*(restart+3)) + float64(restart))
				}
				project(d)
				linalg.Scal(d, tau/math.Sqrt(linalg.Dot(d, d)))
			}
			step := tau / 4
			for it := range 100 {
				for i := range xp {
					xp[i] = x[i] + d[i]
				}
				if y*m.Forward(ws, xp, 1)[0] <= 0 {
					return true
				}
				m.Backward(ws, xp, 1, []float64{y}, nil, g)
				project(g)
				gn := math.Sqrt(linalg.Dot(g, g))
				if !(gn > 0) {
					break
				}
				linalg.Axpy(d, -step/gn, g)
				if dn := math.Sqrt(linalg.Dot(d, d)); dn > tau {
					linalg.Scal(d, tau/dn)
				}
				if it%25 == 24 {
					step /= 2
				}
			}
		}
		return false
	}
	if !breaks(hi) {
		return math.Inf(1)
	}
	lo := 0.0
	for range 10 {
		if mid := (lo + hi) / 2; breaks(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// dualBound is the Lagrangian decomposition of BenchmarkDiagnoseEllipsoid
// (optimistic prototype): each row's gaps f_l and its own copy of the value
// shifts ω carry multipliers μ_l, ν_l; for every (μ, ν)
//
//	Σ_l φ_l ≥ Σ_l min_{box_l} [φ_l(f_l, ω) − μ_l·f_l − ν_l·ω] − τ‖Lᵀθ‖ − τ²Σ_c |θ_c| q_c,
//
// θ the combined coefficients (θ_gap = μ, θ_ω = Σ_l ν_l). The multipliers
// are raised by supergradient ascent. The row minimum here is a local
// search (projected gradient from several starts), so the value is an
// upper estimate of the bound the decomposition would prove: it measures
// the decomposition's potential, not a certificate.
func (e *ellipsoid) dualBound(tau float64, iters int) float64 {
	M, nc := e.M, e.M*e.M
	theta := make([]float64, nc) // μ at the gap coordinates
	nu := make([]float64, M*M)   // ν_l at nu[l*M+j]
	gmu := make([]float64, nc)   // supergradient
	gnu := make([]float64, M*M)
	fl, fh := make([]float64, M), make([]float64, M)
	ow := e.normU * tau
	best := math.Inf(-1)
	comb := make([]float64, nc)
	kc := make([]float64, nc)
	for it := range iters {
		clear(gmu)
		clear(gnu)
		total := 0.0
		for l := range M {
			t := e.top[l]
			e.gapBox(l, func(_, c int) (float64, float64) { w := tau*e.proj[c] + e.quad[c]*tau*tau; return -w, w }, fl, fh)
			mu := make([]float64, M)
			for j := range M {
				if j != t {
					mu[j] = theta[l*M+j]
				}
			}
			val, fs, om := e.rowDual(fl, fh, mu, nu[l*M:(l+1)*M], ow)
			total += val
			for j := range M {
				if j != t {
					gmu[l*M+j] -= fs[j]
				}
				gnu[l*M+j] -= om[j]
			}
		}
		// the joint term: θ_gap = μ, θ at token j's value coordinate = Σ_l ν_lj
		copy(comb, theta)
		for j := range M {
			s := 0.0
			for l := range M {
				s += nu[l*M+j]
			}
			comb[j*M+e.top[j]] = s
		}
		for c := range nc {
			kc[c] = 0
			for d := range nc {
				kc[c] += e.K[c*nc+d] * comb[d]
			}
		}
		nrm := math.Sqrt(max(0, linalg.Dot(comb, kc)))
		total -= tau * nrm
		for c := range nc {
			total -= tau * tau * math.Abs(comb[c]) * e.quad[c]
		}
		best = max(best, total/float64(M))
		if nrm > 0 {
			for l := range M {
				for j := range M {
					c := l*M + j
					if j == e.top[l] {
						continue
					}
					gmu[c] -= tau*kc[c]/nrm + tau*tau*e.quad[c]*sign(comb[c])
				}
				for j := range M {
					gnu[l*M+j] -= tau * kc[j*M+e.top[j]] / nrm
				}
			}
		}
		step := 0.5 / math.Sqrt(float64(it+1))
		gn := math.Sqrt(linalg.Dot(gmu, gmu) + linalg.Dot(gnu, gnu))
		if !(gn > 0) {
			break
		}
		linalg.Axpy(theta, step/gn, gmu)
		linalg.Axpy(nu, step/gn, gnu)
	}
	return best
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// rowDual returns (an upper estimate of) min over f ∈ [fl, fh], |ω_j| ≤ ow
// of Σ_j S_j(f)(y v_j + ω_j) − μ·f − ν·ω, with the minimizer found.
func (e *ellipsoid) rowDual(fl, fh, mu, nu []float64, ow float64) (float64, []float64, []float64) {
	M := e.M
	f := make([]float64, M)
	S := make([]float64, M)
	eval := func(f []float64) (float64, []float64) {
		mx := math.Inf(-1)
		for j := range M {
			mx = max(mx, f[j])
		}
		sum := 0.0
		for j := range M {
			S[j] = math.Exp(f[j] - mx)
			sum += S[j]
		}
		om := make([]float64, M)
		v := 0.0
		for j := range M {
			S[j] /= sum
			om[j] = ow
			if S[j]-nu[j] > 0 {
				om[j] = -ow
			}
			v += S[j]*(e.y*e.v[j]+om[j]) - mu[j]*f[j] - nu[j]*om[j]
		}
		return v, om
	}
	bestV, bestF, bestO := math.Inf(1), make([]float64, M), make([]float64, M)
	grad := make([]float64, M)
	for start := range 2*M + 2 {
		for j := range M {
			switch {
			case start == 0:
				f[j] = (fl[j] + fh[j]) / 2
			case start <= M: // one coordinate high, the rest low
				f[j] = fl[j]
				if j == start-1 {
					f[j] = fh[j]
				}
			case start <= 2*M:
				f[j] = fh[j]
				if j == start-M-1 {
					f[j] = fl[j]
				}
			default:
				f[j] = fl[j]
				if e.y*e.v[j] < 0 {
					f[j] = fh[j]
				}
			}
		}
		step := 1.0
		for range 60 {
			v, om := eval(f)
			if v < bestV {
				bestV = v
				copy(bestF, f)
				copy(bestO, om)
			}
			phi := 0.0
			for j := range M {
				phi += S[j] * (e.y*e.v[j] + om[j])
			}
			for j := range M {
				grad[j] = S[j]*(e.y*e.v[j]+om[j]-phi) - mu[j]
			}
			for j := range M {
				f[j] = min(fh[j], max(fl[j], f[j]-step*grad[j]))
			}
			step *= 0.93
		}
	}
	return bestV, bestF, bestO
}

// perToken returns the interval bound with per-token radii r (‖δ_j‖ ≤ r_j):
// gap f_lj in its clean value ± (r_l‖s W_Q(k_j − k_t)‖ + (r_j + r_t)‖s W_K q_l‖
// + s‖A‖ r_l (r_j + r_t)), values at y·v_j − r_j‖u‖. One cell of a
// branch-and-bound over the radii: the bound of the cell r_j ∈ [0, r_j].
func (e *ellipsoid) perToken(r []float64) float64 { return e.cellBound(r, r, r, r) }

// cellBound is perToken with each token's radius given per purpose: value
// shifts at most a_j‖u‖, key-side score shifts k_j‖s W_K q_l‖, query-side
// q_l‖s W_Q(k_j − k_t)‖, and the second-order term at the whole radii r.
func (e *ellipsoid) cellBound(r, a, k, q []float64) float64 {
	M := e.M
	w := make([]float64, M)
	for j := range M {
		w[j] = e.y*e.v[j] - a[j]*e.normU
	}
	zl, zh := make([]float64, M), make([]float64, M)
	total := 0.0
	for l := range M {
		t := e.top[l]
		e.gapBox(l, func(j, c int) (float64, float64) {
			wd := q[l]*e.qdiff[c] + (k[j]+k[t])*e.hnorm[l] + e.s*e.normA*r[l]*(r[j]+r[t])
			return -wd, wd
		}, zl, zh)
		total += rowMin(w, zl, zh)
	}
	return total / float64(M)
}

// profileCover returns min over the rank orders π of the tokens of
// perToken(τ/√π(j)): sorted descending, the k-th largest of radii with
// Σ r_j² ≤ τ² is at most τ/√k, and perToken is monotone in every radius,
// so this covers the whole ball with M! cells (Heap's algorithm).
func (e *ellipsoid) profileCover(tau float64) float64 {
	M := e.M
	perm := make([]int, M)
	for i := range perm {
		perm[i] = i
	}
	r := make([]float64, M)
	eval := func() float64 {
		for rank, j := range perm {
			r[j] = tau / math.Sqrt(float64(rank+1))
		}
		return e.perToken(r)
	}
	best := eval()
	c := make([]int, M)
	for i := 0; i < M; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			best = min(best, eval())
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	return best
}

// purposeC sets e.cp[j] = λ_max(P_u + P_K + P_Qj) on token j's space: the
// projectors onto u, onto the key directions {s W_K q_l}_l and onto row
// j's query directions {s W_Q(k_i − k_t)}_i.
func (e *ellipsoid) purposeC(gq, hk []float64) {
	M, D := e.M, e.D
	e.cp = make([]float64, M)
	basis := func(vs [][]float64) [][]float64 { // Gram–Schmidt, dropping dependent vectors
		var out [][]float64
		for _, v := range vs {
			w := slices.Clone(v)
			for range 2 {
				for _, b := range out {
					linalg.Axpy(w, -linalg.Dot(w, b), b)
				}
			}
			if n := math.Sqrt(linalg.Dot(w, w)); n > 1e-9*math.Sqrt(linalg.Dot(v, v)) {
				linalg.Scal(w, 1/n)
				out = append(out, w)
			}
		}
		return out
	}
	var keys [][]float64
	for l := range M {
		keys = append(keys, hk[l*D:(l+1)*D])
	}
	kb := basis(keys)
	ub := basis([][]float64{e.u})
	for j := range M {
		var qs [][]float64
		t := e.top[j]
		for i := range M {
			if i == t {
				continue
			}
			g := make([]float64, D)
			for r := range D {
				g[r] = gq[i*D+r] - gq[t*D+r]
			}
			qs = append(qs, g)
		}
		qb := basis(qs)
		e.cp[j] = powerIter(D, 300, func(y, x []float64) {
			for _, bs := range [][][]float64{ub, kb, qb} {
				for _, b := range bs {
					linalg.Axpy(y, linalg.Dot(b, x), b)
				}
			}
		})
	}
}

// perTokenSplit is perToken with each token's budget split by purpose:
// ‖P_u δ_j‖, ‖P_K δ_j‖, ‖P_Qj δ_j‖ at most f[0], f[1], f[2] times √c_j·r_j
// (Σ f_i² = 1: ‖P_u δ‖² + ‖P_K δ‖² + ‖P_Q δ‖² ≤ c_j‖δ‖²). One split shared
// by all tokens: a point of the split space, not a cover of it.
func (e *ellipsoid) perTokenSplit(r []float64, f [3]float64) float64 {
	M := e.M
	a, k, q := make([]float64, M), make([]float64, M), make([]float64, M)
	for j := range M {
		sc := math.Sqrt(e.cp[j]) * r[j]
		a[j], k[j], q[j] = min(r[j], f[0]*sc), min(r[j], f[1]*sc), min(r[j], f[2]*sc)
	}
	return e.cellBound(r, a, k, q)
}
