package attack

import (
	"fmt"
	"math"
	"slices"

	"vitadv/model/linalg"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

var _ Attacker = (*RowFlip)(nil)

// RowFlipConfig configures RowFlip, the structural row attack of issue 18
// item 1 (saturated softmax rows). Extras are the score overshoots e > 0
// (in units of the scaled scores) by which a flipped row's new winner must
// lead; Steps is the number of momentum steps of the refinement from the
// best candidate (0: none).
type RowFlipConfig struct {
	Set    Set       `json:"set"`
	Tau    float64   `json:"tau"` // budget τ ≥ 0 in the set's norm
	Steps  int       `json:"steps"`
	Extras []float64 `json:"extras"`
}

// DefaultRowFlip is the setting of the cascade's cheap stage: overshoots
// e ∈ {0.5, 2, 6} (a row reversed by e puts weight 1/(1+e^{−e}) ≈ 0.62,
// 0.88, 0.998 on its new winner) and a 10-step refinement.
func DefaultRowFlip(set Set, tau float64) RowFlipConfig {
	return RowFlipConfig{Set: set, Tau: tau, Steps: 10, Extras: []float64{0.5, 2, 6}}
}

// Validate returns a *valid.Error naming the first bad field.
func (c RowFlipConfig) Validate() error {
	if err := valid.First(c.Set.Validate(), valid.NonNeg("Tau", c.Tau), valid.Finite("Tau", c.Tau),
		valid.IntMin("Steps", c.Steps, 0), valid.IntMin("len(Extras)", len(c.Extras), 1)); err != nil {
		return err
	}
	for i, e := range c.Extras {
		if !(e > 0) || math.IsInf(e, 0) {
			return &valid.Error{Field: fmt.Sprintf("Extras[%d]", i), Value: e, Rule: "must be finite and > 0"}
		}
	}
	return nil
}

// RowFlip is a structural attack on the softmax rows, for the regime where
// every gradient attack is blind: on adversarially trained models the
// rows are saturated (score gaps ≫ 1), so ∂f/∂X carries no attention
// term, yet a small move of one token flips a row. With the scaled scores
// z_lj = s·q_l·k_j (q_l = x_l W_Q, k_j = x_j W_K, s = Arch.Scale()), the
// values v_j = y·x_j u (u = W_V w_O) and, for row l, t = argmax_j z_lj,
// moving the QUERY token x_l along w = W_Q(k_j − k_t) changes
// z_lj − z_lt at the rate s‖w‖₂ per unit ℓ₂ norm (s‖w‖₁ per unit ℓ∞
// norm along sign(w)), so the row's winner moves from t to a lower-value
// token j at
//
//	α_lj = (z_lt − z_lj + e)/(s‖w‖),   margin gain ≈ (v_t − v_j)/M.
//
// Per sample and overshoot e:
//
//  1. Per row l (row 0 only for SignalToken), the target j ≠ t with
//     v_j < v_t: for Frobenius the one of least α²/(v_t − v_j), otherwise
//     the lowest value among those with α ≤ τ. The key-side and
//     second-order effect of δ_l on its own score z_ll (x_l is also a key
//     and a value) is then recomputed exactly, z'_lj = s(q_l + δW_Q)·
//     (k_j + [j=l]δW_K), and α grows by 1.5× (at most 6 times) until the
//     row's new winner has a lower value than t.
//  2. Allocation: Frobenius greedily by α²/(v_t − v_j) while Σα² ≤ τ²
//     (rows that do not fit are skipped); PerToken, Linf and SignalToken
//     take every row with α ≤ τ. Two candidates: the allocation, and the
//     allocation scaled to use the whole budget (each row to τ for
//     PerToken and Linf, Δ to norm τ for the ℓ₂ balls).
//  3. Key side: the token t* that wins most rows (token 0 for
//     SignalToken) moves along −W_K Σ_l q_l/‖q_l‖ over the rows it wins
//     (its key falls in every one of them) at the full budget; for
//     PerToken combined with the other rows' query moves, for Frobenius
//     also split half and half with the allocation.
//
// Every candidate is scored with vit's Forward (no approximation is
// trusted); the best one is refined by a momentum run (APGD's iteration,
// steps 0.25τ falling by the cosine schedule to τ/400) accepted on the true
// margin. The returned Δ satisfies Set.Norm(xadv − x) ≤ τ as computed
// (shrunk by a few ulps if rounding pushed it out).
//
// RowFlip draws no random numbers: its result is a function of the model
// and the input. Cost per point: M²·d_h² for the candidate costs (the
// Gram matrix W_QᵀW_Q, D·d_h² per Perturb), ≈ 4 M·D·d_h per chosen row, and
// one Forward per candidate (2·len(Extras) + 2) and per refinement step
// (plus one Backward); Linf needs W_Q(k_j − k_t) for every pair (M²·D·d_h).
// After NewRowFlip, Perturb allocates nothing. A RowFlip is not safe for
// concurrent use.
type RowFlip struct {
	cfg       RowFlipConfig
	set       Set
	arch      vit.Arch
	M, cap, S int
	ws        *vit.Workspace
	stats     Stats

	u, gq                  []float64 // D: u;  d_h×d_h: W_QᵀW_Q
	q, k                   []float64 // M·d_h of the current sample
	v, z                   []float64 // M values y·x_j u;  M·M scaled scores
	top                    []int     // M: argmax_j z_lj
	alpha, ratio           []float64 // M: chosen α_l and α_l²/gain_l (Frobenius)
	rates                  []float64 // M·M: dual norm of W_Q(k_j − k_top(l)) per sample (0: not a target)
	tgt                    []int     // M: chosen target, −1: none
	order                  []int
	c, dq, dk              []float64 // d_h
	w                      []float64 // D
	rows                   []float64 // M·D: δ_l at the chosen α (zero rows: none)
	bm                     []float64 // cap: best margin
	bd                     []float64 // cap·S: best Δ
	cand                   []float64 // cap·S: candidates / refinement iterate
	prev, zz, grad, xc, yc []float64
	coef                   []float64
	sched                  []float64
}

// Refinement step constants: η_k = rowEta0·τ·((1 + cos(πk/K))/2 mixed with strongEtaMin).
const (
	rowEta0     = 0.25 // first refinement step, in units of τ
	rowGrowth   = 1.5  // α grows by this factor while the exact row check fails
	rowGrowMax  = 6    // at most this many growths
	rowKeyShare = 0.5  // Frobenius: share of τ² given to the key side in the mixed candidate
)

// NewRowFlip validates cfg and returns a RowFlip for batches of at most
// capacity samples of M tokens under arch. Bad arguments return a
// *valid.Error naming the field.
func NewRowFlip(cfg RowFlipConfig, arch vit.Arch, M, capacity int) (*RowFlip, error) {
	if err := valid.First(cfg.Validate(), arch.Validate(), valid.IntMin("M", M, 1), valid.IntMin("capacity", capacity, 1)); err != nil {
		return nil, err
	}
	D, dh := arch.D, arch.Dh
	S := M * D
	r := &RowFlip{cfg: cfg, set: cfg.Set.orDefault(), arch: arch, M: M, cap: capacity, S: S,
		ws: vit.NewWorkspace(arch, M, capacity)}
	r.cfg.Set = r.set
	r.cfg.Extras = slices.Clone(cfg.Extras)
	r.u, r.gq = make([]float64, D), make([]float64, dh*dh)
	r.q, r.k = make([]float64, M*dh), make([]float64, M*dh)
	r.v, r.z = make([]float64, M), make([]float64, M*M)
	r.top, r.tgt, r.order = make([]int, M), make([]int, M), make([]int, M)
	r.alpha, r.ratio, r.rates = make([]float64, M), make([]float64, M), make([]float64, M*M)
	r.c, r.dq, r.dk = make([]float64, dh), make([]float64, dh), make([]float64, dh)
	r.w, r.rows = make([]float64, D), make([]float64, M*D)
	r.bm, r.yc, r.coef = make([]float64, capacity), make([]float64, capacity), make([]float64, capacity)
	for _, b := range []*[]float64{&r.bd, &r.prev, &r.zz, &r.grad, &r.xc} {
		*b = make([]float64, capacity*S)
	}
	r.cand = make([]float64, (2*len(cfg.Extras)+2)*capacity*S)
	r.sched = make([]float64, cfg.Steps)
	for k := range r.sched {
		c := cosHalf(float64(k) / float64(cfg.Steps))
		r.sched[k] = rowEta0 * cfg.Tau * (strongEtaMin + float64((1-strongEtaMin)*c))
	}
	return r, nil
}

// Stats returns the work of the last Perturb.
func (r *RowFlip) Stats() Stats { return r.stats }

// Margins returns the best margins y_i f(xadv_i) of the last Perturb
// (aliasing the attack's buffer until the next Perturb).
func (r *RowFlip) Margins(n int) []float64 { return r.bm[:n] }

// Perturb writes the row attack's best point X_i + Δ_i for each of the n
// samples of x into xadv (see RowFlip). It panics as PGD.Perturb does on
// bad shapes.
func (r *RowFlip) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	S := r.S
	if n < 1 || n > r.cap {
		panic("attack: RowFlip.Perturb: batch size outside [1, capacity]")
	}
	if len(x) < n*S || len(y) < n || len(xadv) < n*S {
		panic("attack: RowFlip.Perturb: x, y or xadv too short")
	}
	if m.D != r.arch.D || m.Dh != r.arch.Dh || m.Dv != r.arch.Dv {
		panic("attack: RowFlip.Perturb: model shapes differ from the architecture given to NewRowFlip")
	}
	r.stats = Stats{Runs: 1}
	x, y, xadv = x[:n*S], y[:n], xadv[:n*S]
	m.ValueVector(r.u)
	r.gram(m)
	// Δ = 0 first.
	clear(r.bd[:n*S])
	f := m.Forward(r.ws, x, n)
	r.stats.FuncEvals++
	for i := range n {
		r.bm[i] = y[i] * f[i]
	}
	if r.cfg.Tau == 0 {
		copy(xadv, x)
		return
	}
	nc := 2*len(r.cfg.Extras) + 2
	for i := range n {
		r.candidates(m, x[i*S:(i+1)*S], y[i], func(ci int) []float64 { return r.cand[(ci*n+i)*S : (ci*n+i+1)*S] })
	}
	for ci := range nc {
		r.accept(m, x, y, n, r.cand[ci*n*S:(ci+1)*n*S])
	}
	r.refine(m, x, y, n)
	r.finish(m, x, y, n, xadv)
}

// gram writes W_QᵀW_Q into r.gq.
func (r *RowFlip) gram(m *vit.Model) {
	D, dh := m.D, m.Dh
	clear(r.gq)
	for rr := range D {
		wq := m.WQK[rr*2*dh : rr*2*dh+dh]
		for a := range dh {
			wa := wq[a]
			g := r.gq[a*dh : (a+1)*dh]
			for b := range dh {
				g[b] += float64(wa * wq[b])
			}
		}
	}
}

// accept scores x + cand with Forward and keeps every improvement.
func (r *RowFlip) accept(m *vit.Model, x, y []float64, n int, cand []float64) {
	S := r.S
	for q := range r.xc[:n*S] {
		r.xc[q] = x[q] + cand[q]
	}
	f := m.Forward(r.ws, r.xc[:n*S], n)
	r.stats.FuncEvals++
	for i := range n {
		if mg := y[i] * f[i]; mg < r.bm[i] {
			r.bm[i] = mg
			copy(r.bd[i*S:(i+1)*S], cand[i*S:(i+1)*S])
		}
	}
}

// project writes x_l W_Q (query) or x_l W_K (key) of a D-vector into dst.
func project(dst []float64, m *vit.Model, xl []float64, key bool) {
	dh := m.Dh
	off := 0
	if key {
		off = dh
	}
	clear(dst)
	for rr, xv := range xl {
		if xv == 0 {
			continue
		}
		linalg.Axpy(dst, xv, m.WQK[rr*2*dh+off:rr*2*dh+off+dh])
	}
}

// prepare computes q, k, v, z and the row winners of one sample.
func (r *RowFlip) prepare(m *vit.Model, x []float64, y float64) {
	M, D, dh := r.M, m.D, m.Dh
	s := m.Scale()
	for l := range M {
		xl := x[l*D : (l+1)*D]
		project(r.q[l*dh:(l+1)*dh], m, xl, false)
		project(r.k[l*dh:(l+1)*dh], m, xl, true)
		r.v[l] = y * linalg.Dot(xl, r.u)
	}
	for l := range M {
		ql := r.q[l*dh : (l+1)*dh]
		t := 0
		for j := range M {
			r.z[l*M+j] = s * linalg.Dot(ql, r.k[j*dh:(j+1)*dh])
			if r.z[l*M+j] > r.z[l*M+t] {
				t = j
			}
		}
		r.top[l] = t
	}
	for l := range M {
		t := r.top[l]
		for j := range M {
			r.rates[l*M+j] = 0
			if j != t && r.v[j] < r.v[t] {
				r.rates[l*M+j] = r.rate(m, j, t)
			}
		}
	}
}

// direction writes w = W_Q(k_j − k_t) into r.w and returns its norm in the
// dual of the set's per-row norm (‖w‖₂, or ‖w‖₁ for Linf).
func (r *RowFlip) direction(m *vit.Model, j, t int) float64 {
	dh := m.Dh
	for a := range dh {
		r.c[a] = r.k[j*dh+a] - r.k[t*dh+a]
	}
	for rr := range m.D {
		r.w[rr] = linalg.Dot(m.WQK[rr*2*dh:rr*2*dh+dh], r.c)
	}
	if r.set == Linf {
		s := 0.0
		for _, v := range r.w {
			s += math.Abs(v)
		}
		return s
	}
	return norm2(r.w)
}

// rate returns the dual norm of W_Q(k_j − k_t) cheaply for the ℓ₂ sets
// (√(cᵀ W_QᵀW_Q c), d_h²) and through direction for Linf.
func (r *RowFlip) rate(m *vit.Model, j, t int) float64 {
	if r.set == Linf {
		return r.direction(m, j, t)
	}
	dh := m.Dh
	for a := range dh {
		r.c[a] = r.k[j*dh+a] - r.k[t*dh+a]
	}
	ss := 0.0
	for a := range dh {
		ss += float64(r.c[a] * linalg.Dot(r.gq[a*dh:(a+1)*dh], r.c))
	}
	return math.Sqrt(math.Max(ss, 0))
}

// rowStep writes δ_l = α·w/‖w‖ (ℓ₂) or α·sign(w) (Linf) for the current
// r.w into dst.
func (r *RowFlip) rowStep(dst []float64, alpha, wn float64) {
	if r.set == Linf {
		for q, v := range r.w {
			switch {
			case v > 0:
				dst[q] = alpha
			case v < 0:
				dst[q] = -alpha
			default:
				dst[q] = 0
			}
		}
		return
	}
	c := alpha / wn
	for q, v := range r.w {
		dst[q] = c * v
	}
}

// rowWinner returns the winner of row l after δ_l = dst moves x_l
// (exact: query, key and the second-order term of z_ll).
func (r *RowFlip) rowWinner(m *vit.Model, l int, dl []float64) int {
	M, dh := r.M, m.Dh
	s := m.Scale()
	project(r.dq, m, dl, false)
	project(r.dk, m, dl, true)
	for a := range dh {
		r.dq[a] += r.q[l*dh+a]
	}
	best, bz := 0, math.Inf(-1)
	for j := range M {
		kj := r.k[j*dh : (j+1)*dh]
		var zj float64
		if j == l {
			zj = s * (linalg.Dot(r.dq, kj) + linalg.Dot(r.dq, r.dk))
		} else {
			zj = s * linalg.Dot(r.dq, kj)
		}
		if zj > bz {
			best, bz = j, zj
		}
	}
	return best
}

// plan chooses every row's target and α at overshoot e and writes the
// moves into r.rows (zero rows where no target is chosen or affordable).
func (r *RowFlip) plan(m *vit.Model, e float64) {
	M, D := r.M, m.D
	s, tau := m.Scale(), r.cfg.Tau
	clear(r.rows)
	rowsEnd := M
	if r.set == SignalToken {
		rowsEnd = 1
	}
	for l := range M {
		r.tgt[l] = -1
		if l >= rowsEnd {
			continue
		}
		t := r.top[l]
		bj, ba, bkey := -1, 0.0, math.Inf(1)
		for j := range M {
			if j == t || !(r.v[j] < r.v[t]) {
				continue
			}
			wn := r.rates[l*M+j]
			if !(wn > 0) {
				continue
			}
			a := (r.z[l*M+t] - r.z[l*M+j] + e) / (s * wn)
			var key float64
			if r.set == Frobenius {
				key = a * a / (r.v[t] - r.v[j])
			} else {
				if a > tau {
					continue
				}
				key = r.v[j] // the lowest value among the affordable targets
			}
			if key < bkey {
				bj, ba, bkey = j, a, key
			}
		}
		if bj < 0 {
			continue
		}
		wn := r.direction(m, bj, t)
		dl := r.rows[l*D : (l+1)*D]
		for g := 0; ; g++ {
			r.rowStep(dl, ba, wn)
			if w := r.rowWinner(m, l, dl); r.v[w] < r.v[t] || g == rowGrowMax {
				break
			}
			ba *= rowGrowth
		}
		if r.set != Frobenius && ba > tau {
			clear(dl)
			continue
		}
		r.tgt[l], r.alpha[l] = bj, ba
		r.ratio[l] = ba * ba / (r.v[t] - r.v[bj])
	}
	if r.set != Frobenius {
		return
	}
	// Greedy allocation of Σα² ≤ τ² by α²/gain.
	r.order = r.order[:0]
	for l := range M {
		if r.tgt[l] >= 0 {
			r.order = append(r.order, l)
		}
	}
	slices.SortStableFunc(r.order, func(a, b int) int {
		switch {
		case r.ratio[a] < r.ratio[b]:
			return -1
		case r.ratio[a] > r.ratio[b]:
			return 1
		}
		return 0
	})
	left := tau * tau
	for _, l := range r.order {
		if a2 := float64(r.alpha[l] * r.alpha[l]); a2 <= left {
			left -= a2
		} else {
			clear(r.rows[l*D : (l+1)*D])
			r.tgt[l] = -1
		}
	}
}

// keySide writes into dst (one token's D-vector) the unit move of token t*
// that lowers its key in the rows it wins: −W_K Σ_l q_l/‖q_l‖ normalized
// (ℓ₂) or its sign (Linf). It returns false if there is no such row.
func (r *RowFlip) keySide(m *vit.Model, ts int, dst []float64) bool {
	M, dh := r.M, m.Dh
	clear(r.c)
	any := false
	for l := range M {
		if l == ts || r.top[l] != ts {
			continue
		}
		ql := r.q[l*dh : (l+1)*dh]
		qn := norm2(ql)
		if !(qn > 0) {
			continue
		}
		linalg.Axpy(r.c, -1/qn, ql)
		any = true
	}
	if !any {
		return false
	}
	for rr := range m.D {
		dst[rr] = linalg.Dot(m.WQK[rr*2*dh+dh:(rr+1)*2*dh], r.c)
	}
	if r.set == Linf {
		signTo(dst, dst)
		return true
	}
	n := norm2(dst)
	if !(n > 0) {
		return false
	}
	for q := range dst {
		dst[q] /= n
	}
	return true
}

// candidates writes the candidates of one sample into slot(ci): 2k and
// 2k+1 the allocation at Extras[k] and its scaling to the whole budget,
// then the key-side move alone and combined with the largest overshoot's
// rows.
func (r *RowFlip) candidates(m *vit.Model, x []float64, y float64, slot func(int) []float64) {
	M, D, tau := r.M, m.D, r.cfg.Tau
	r.prepare(m, x, y)
	ne := len(r.cfg.Extras)
	for k, e := range r.cfg.Extras {
		r.plan(m, e)
		a, b := slot(2*k), slot(2*k+1)
		copy(a, r.rows)
		copy(b, r.rows)
		r.fill(b)
		r.set.Project(a, M, tau)
		r.set.Project(b, M, tau)
	}
	// r.rows now holds the plan of the largest overshoot.
	// Key side: the token that wins most rows (token 0 for SignalToken).
	ts := 0
	if r.set != SignalToken {
		cnt := r.ratio // scratch: counts per token (plan's ratios are no longer needed)
		clear(cnt)
		for l := range M {
			if r.top[l] != l {
				cnt[r.top[l]]++
			}
		}
		for j := range M {
			if cnt[j] > cnt[ts] {
				ts = j
			}
		}
	}
	key, mix := slot(2*ne), slot(2*ne+1)
	clear(key)
	clear(mix)
	dk := key[ts*D : (ts+1)*D]
	if !r.keySide(m, ts, dk) {
		return
	}
	for q := range dk {
		dk[q] *= tau
	}
	r.set.Project(key, M, tau)
	copy(mix, key)
	switch r.set {
	case PerToken, Linf:
		for l := range M {
			if l != ts {
				copy(mix[l*D:(l+1)*D], r.rows[l*D:(l+1)*D])
			}
		}
	case Frobenius:
		if rn := norm2(r.rows); rn > 0 {
			a := math.Sqrt(rowKeyShare)
			b := math.Sqrt(1-rowKeyShare) * tau / rn
			for q := range mix {
				mix[q] = float64(a*mix[q]) + float64(b*r.rows[q])
			}
		}
	}
	r.set.Project(mix, M, tau)
}

// fill scales a candidate to use the whole budget: every nonzero row to τ
// (PerToken, Linf: its entries to ±τ), the whole Δ to norm τ (Frobenius,
// SignalToken).
func (r *RowFlip) fill(dst []float64) {
	M, D, tau := r.M, r.arch.D, r.cfg.Tau
	switch r.set {
	case Frobenius, SignalToken:
		if n := norm2(dst); n > 0 {
			for q := range dst {
				dst[q] *= tau / n
			}
		}
	case PerToken:
		for l := range M {
			if row := dst[l*D : (l+1)*D]; norm2(row) > 0 {
				unitTo(row, row)
				for q := range row {
					row[q] *= tau
				}
			}
		}
	case Linf:
		for q, v := range dst {
			switch {
			case v > 0:
				dst[q] = tau
			case v < 0:
				dst[q] = -tau
			}
		}
	}
}

// refine runs Steps momentum steps from the best Δ of every sample,
// accepting iterates on the true margin.
func (r *RowFlip) refine(m *vit.Model, x, y []float64, n int) {
	if len(r.sched) == 0 {
		return
	}
	S, M, tau := r.S, r.M, r.cfg.Tau
	t := n * S
	cur, prev, zz, grad := r.cand[:t], r.prev[:t], r.zz[:t], r.grad[:t]
	copy(cur, r.bd[:t])
	copy(prev, cur)
	for i := range n {
		r.coef[i] = -y[i]
	}
	for k, eta := range r.sched {
		for q := range r.xc[:t] {
			r.xc[q] = x[q] + cur[q]
		}
		m.Forward(r.ws, r.xc[:t], n)
		m.Backward(r.ws, r.xc[:t], n, r.coef, nil, grad)
		r.stats.FuncEvals++
		r.stats.GradEvals++
		for j := range n {
			lo, hi := j*S, (j+1)*S
			r.set.apgdStep(grad[lo:hi], cur[lo:hi], prev[lo:hi], zz[lo:hi], eta, k > 0, M, tau)
		}
		r.stats.Steps++
		r.accept(m, x, y, n, cur)
	}
}

// finish writes xadv = x + Δ_best with Set.Norm(xadv − x) ≤ τ as computed
// and recomputes every margin with Forward at xadv.
func (r *RowFlip) finish(m *vit.Model, x, y []float64, n int, xadv []float64) {
	S := r.S
	for i := range n {
		confine(r.set, x[i*S:(i+1)*S], xadv[i*S:(i+1)*S], r.bd[i*S:(i+1)*S], r.zz[:S], r.M, r.cfg.Tau)
	}
	f := m.Forward(r.ws, xadv, n)
	r.stats.FuncEvals++
	for i := range n {
		r.bm[i] = y[i] * f[i]
	}
}

// confine writes xo = xi + d, shrinking d by a few ulps at a time until
// set.Norm(xo − xi) ≤ tau holds as computed (diff is scratch of one
// sample); Δ = 0 if it never does.
func confine(set Set, xi, xo, d, diff []float64, M int, tau float64) {
	for try := 0; ; try++ {
		for q := range xo {
			xo[q] = xi[q] + d[q]
		}
		for q := range diff {
			diff[q] = xo[q] - xi[q]
		}
		if set.Norm(diff, M) <= tau {
			return
		}
		if try == 60 {
			clear(d)
			copy(xo, xi)
			return
		}
		shrink := math.Ldexp(1, -52+try)
		for q := range d {
			d[q] *= 1 - shrink
		}
	}
}

// SetTau changes the budget to tau (a *valid.Error if tau is negative or
// not finite) without reallocating.
func (r *RowFlip) SetTau(tau float64) error {
	if err := valid.First(valid.NonNeg("Tau", tau), valid.Finite("Tau", tau)); err != nil {
		return err
	}
	K := len(r.sched)
	for k := range r.sched {
		c := cosHalf(float64(k) / float64(K))
		r.sched[k] = rowEta0 * tau * (strongEtaMin + float64((1-strongEtaMin)*c))
	}
	r.cfg.Tau = tau
	return nil
}

// Radius returns an upper bound of the robust radius of one sample x
// (M×D, label y) in the set: the smallest Set.Norm(xadv − x) of a witness
// the row attack finds with margin y f(xadv) ≤ 0 (Forward), searched by
// bisection on τ in (0, hi] with iters halvings after a first attempt at
// hi; +Inf if it does not break the point at hi. The budget in force
// before the call is restored. The witness norm, not the τ it was found
// at, is returned, so the bound holds whatever the bisection's luck (the
// row attack need not be monotone in τ). Bad hi or iters return a
// *valid.Error.
func (r *RowFlip) Radius(m *vit.Model, x []float64, y, hi float64, iters int, xadv []float64) (float64, error) {
	if err := valid.First(valid.NonNeg("hi", hi), valid.Finite("hi", hi), valid.IntMin("iters", iters, 0)); err != nil {
		return 0, err
	}
	S := r.S
	if len(x) != S || len(xadv) != S {
		return 0, &valid.Error{Field: "len(x)", Value: len(x), Rule: fmt.Sprintf("x and xadv must have M·D = %d entries", S)}
	}
	old := r.cfg.Tau
	defer func() { _ = r.SetTau(old) }()
	yy := [1]float64{y}
	best := math.Inf(1)
	try := func(tau float64) bool {
		_ = r.SetTau(tau) // tau ∈ [0, hi], finite
		r.Perturb(m, x, yy[:], 1, xadv)
		if !(r.bm[0] <= 0) {
			return false
		}
		d := r.zz[:S]
		for q := range d {
			d[q] = xadv[q] - x[q]
		}
		best = math.Min(best, r.set.Norm(d, r.M))
		return true
	}
	if hi == 0 || !try(hi) {
		return best, nil
	}
	lo := 0.0
	for range iters {
		mid := lo + float64((hi-lo)/2)
		if try(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return best, nil
}
