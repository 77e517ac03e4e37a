package certify

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// diagModel trains a committed-like model: the tau/ci cell (d, M, d_h from
// the arguments, N = 20, N·SNR² = 20, η = 0.1, PGD-5 adversarial training
// in the Frobenius ball at tauRel·‖μ‖), steps updates.
func diagModel(tb testing.TB, D, M, dh, steps int, tauRel float64, seed uint64) (*vit.Model, *data.Set, float64) {
	dc := data.Config{D: D, M: M, N: 20, NTest: 40, SNR2: 1, Sigma2: 4, SigmaW: 0.2, Project: true}
	tr, te, err := data.Draw(dc, seed)
	if err != nil {
		tb.Fatal(err)
	}
	a := vit.Arch{D: D, Dh: dh, Dv: dh}
	m, err := vit.NewInit(a, vit.DefaultInit(), seed)
	if err != nil {
		tb.Fatal(err)
	}
	var atk train.Attacker
	if tauRel > 0 {
		cfg := attack.TrainConfig(tauRel * dc.Mu())
		cfg.Steps = 5
		p, err := attack.NewPGD(cfg, a, M, dc.N)
		if err != nil {
			tb.Fatal(err)
		}
		atk = p
	}
	t, err := train.New(m, tr, train.Config{Eta: 0.1, MaxSteps: steps}, atk)
	if err != nil {
		tb.Fatal(err)
	}
	t.Run(nil)
	return m, te, dc.Mu()
}

// drop selects the terms an ablated root bound leaves out (diagnosis only:
// an ablated bound is unsound).
type drop struct{ value, query, key, sec bool }

// rootAblated is the interval bound of the Frobenius ball at its root
// (every token at radius τ, no branching), with the terms of d left out.
func rootAblated(c *Certifier, y, tau float64, d drop) float64 {
	c.firstOrder()
	M, p := c.M, &c.pt
	r, r2 := make([]float64, M), make([]float64, M)
	for l := range r2 {
		r2[l] = tau
		if !d.value {
			r[l] = tau
		}
	}
	o := &override{qk: make([]float64, M*M), z: make([]float64, M*M), sec: -1}
	for l := 0; l < M; l++ {
		for k := 0; k < M; k++ {
			q, h := mulUp(tau, p.c2[k]), mulUp(tau, p.h2[l])
			if d.query {
				q = 0
			}
			if d.key {
				h = 0
			}
			o.qk[l*M+k] = addUp(q, h)
			o.z[l*M+k] = addUp(mulUp(tau, p.g2[k]), mulUp(tau, p.h2[l]))
		}
	}
	c.ovr, c.dropSec = o, d.sec
	b := c.bound(y, r, r2, false, tau)
	c.ovr, c.dropSec = nil, false
	return b
}

// bisectRadius bisects the largest τ in [0, hi] with f(τ) > 0.
func bisectRadius(f func(float64) float64, hi float64) float64 {
	if !(f(0) > 0) {
		return 0
	}
	lo := 0.0
	for i := 0; i < 12; i++ {
		mid := (lo + hi) / 2
		if f(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// witnessTerms decomposes the margin loss of the witness x+δ (M×D):
// value = (1/M) Σ_l Σ_j S'_lj y δ_j·u, score = the rest; and per row the
// spread max_j − min_j of the actual score shifts from the query side, the
// key side and the second-order term (scaled by s), averaged over rows.
func witnessTerms(m *vit.Model, x, xa []float64, y float64, M int) (value, score, qSpread, kSpread, sSpread, zSpread float64) {
	D, dh := m.D, m.Dh
	wq, wk := m.SplitQK()
	u := m.ValueVector(make([]float64, D))
	s := m.Scale()
	proj := func(v, w []float64) []float64 { // v (1×D) times W (D×dh)
		out := make([]float64, dh)
		for r := 0; r < D; r++ {
			for i := 0; i < dh; i++ {
				out[i] += v[r] * w[r*dh+i]
			}
		}
		return out
	}
	dot := func(a, b []float64) float64 {
		t := 0.0
		for i := range a {
			t += a[i] * b[i]
		}
		return t
	}
	q, k, dq, dk := make([][]float64, M), make([][]float64, M), make([][]float64, M), make([][]float64, M)
	v, nu := make([]float64, M), make([]float64, M)
	for l := 0; l < M; l++ {
		xl, dl := x[l*D:(l+1)*D], make([]float64, D)
		for r := range dl {
			dl[r] = xa[l*D+r] - xl[r]
		}
		q[l], k[l], dq[l], dk[l] = proj(xl, wq), proj(xl, wk), proj(dl, wq), proj(dl, wk)
		v[l], nu[l] = dot(xl, u), dot(dl, u)
	}
	soft := func(z []float64) []float64 {
		mx := slices.Max(z)
		out := make([]float64, len(z))
		t := 0.0
		for i, v := range z {
			out[i] = math.Exp(v - mx)
			t += out[i]
		}
		for i := range out {
			out[i] /= t
		}
		return out
	}
	total := 0.0
	spread := func(v []float64) float64 { return slices.Max(v) - slices.Min(v) }
	for l := 0; l < M; l++ {
		z, z2 := make([]float64, M), make([]float64, M)
		qs, ks, ss := make([]float64, M), make([]float64, M), make([]float64, M)
		for j := 0; j < M; j++ {
			z[j] = s * dot(q[l], k[j])
			qs[j] = s * dot(dq[l], k[j])
			ks[j] = s * dot(q[l], dk[j])
			ss[j] = s * dot(dq[l], dk[j])
			z2[j] = z[j] + qs[j] + ks[j] + ss[j]
		}
		S, S2 := soft(z), soft(z2)
		for j := 0; j < M; j++ {
			value += S2[j] * y * nu[j]
			total += S2[j]*y*(v[j]+nu[j]) - S[j]*y*v[j]
		}
		qSpread += spread(qs)
		kSpread += spread(ks)
		sSpread += spread(ss)
		zSpread += spread(z)
	}
	fm := float64(M)
	value /= fm
	total /= fm
	return value, total - value, qSpread / fm, kSpread / fm, sSpread / fm, zSpread / fm
}

// diagSetup trains the diagnosis model of VITADV_DIAG=tauRel,D,M,dh,steps
// (default "0.25,128,8,64,150": the tau/ci cell at τ = 0.25‖μ‖, 150
// steps; diagModel) and returns it with its test points, ‖μ‖ and the
// number of points to diagnose (VITADV_DIAG_N, default 12), and the spec.
func diagSetup(tb testing.TB) (m *vit.Model, te *data.Set, mu float64, np int, spec string) {
	spec = os.Getenv("VITADV_DIAG")
	if spec == "" {
		spec = "0.25,128,8,64,150"
	}
	var f [5]float64
	if _, err := fmt.Sscanf(spec, "%g,%g,%g,%g,%g", &f[0], &f[1], &f[2], &f[3], &f[4]); err != nil {
		tb.Fatalf("VITADV_DIAG=%q: want tauRel,D,M,dh,steps: %v", spec, err)
	}
	np = 12
	if v, err := strconv.Atoi(os.Getenv("VITADV_DIAG_N")); err == nil {
		np = v
	}
	m, te, mu = diagModel(tb, int(f[1]), int(f[2]), int(f[3]), int(f[4]), f[0], 1)
	return m, te, mu, np, spec
}

// BenchmarkDiagnose prints, for a committed-like adversarially trained
// model, which term of the interval bound limits the certified radius of
// the Frobenius ball: per test point the certified radius ÷ FMN radius of
// the interval bound, the joint bounds and the row-share bound alone, then
// the root interval bound's radius with one term left out (an unsound
// ablation: value, query side, key side, second order, both score sides),
// and the witness's margin loss split into its value and score parts with
// the per-row spreads of its query, key and second-order score shifts.
// Diagnosis only (it asserts nothing); run with
//
//	go test ./model/certify -run '^$' -bench BenchmarkDiagnose -benchtime=1x -v
func BenchmarkDiagnose(t *testing.B) {
	m, te, mu, np, spec := diagSetup(t)
	D, M, dh := m.Arch.D, te.M, m.Arch.Dh
	fm, err := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 100}, m.Arch, M, np)
	if err != nil {
		t.Fatal(err)
	}
	xadv := make([]float64, np*M*D)
	fm.Perturb(m, te.X[:np*M*D], te.Y[:np], np, xadv)
	ra := fm.Radii()
	c, _ := New(m, M)
	c.SetNodes(16)
	cj, _ := New(m, M)
	cj.SetNodes(16)
	cj.SetJoint(true)
	t.Logf("model: D=%d M=%d dh=%d (VITADV_DIAG=%s: tauRel,D,M,dh,steps); mu=%.3g; ‖A‖₂≤%.3g s=%.3g ‖u‖=%.3g", D, M, dh, spec, mu, c.normA, c.s, c.nu2)
	t.Logf("%3s %7s %6s | %6s %6s %6s | root-bound radius ratio: %6s %6s %6s %6s %6s %6s | witness at ra: %7s %7s %6s %6s %6s %6s", "i", "ra/mu", "m0", "cert", "joint", "rowsh", "full", "-val", "-qry", "-key", "-sec", "-q-k", "value", "score", "qspr", "kspr", "sspr", "z")
	for i := 0; i < np; i++ {
		x, y := te.Sample(i), te.Y[i]
		hi := ra[i]
		if math.IsInf(hi, 1) {
			hi = 2 * mu
		}
		rc := c.Radius(x, y, attack.Frobenius, hi, 12) / hi
		rj := cj.Radius(x, y, attack.Frobenius, hi, 12) / hi
		var rr [6]float64
		for k, d := range []drop{{}, {value: true}, {query: true}, {key: true}, {sec: true}, {query: true, key: true}} {
			c.prepare(x)
			rr[k] = bisectRadius(func(tau float64) float64 { return rootAblated(c, y, tau, d) }, hi) / hi
		}
		cj.prepare(x)
		rsr := bisectRadius(func(tau float64) float64 {
			if tau == 0 {
				return cj.Margin(x, y, attack.Frobenius, 0)
			}
			return cj.rowShare(y, tau)
		}, hi) / hi
		var rsa [2]float64
		for k := range rsa {
			cj.jt.rs.diagKey, cj.jt.rs.diagVal = k == 0, k == 1
			rsa[k] = bisectRadius(func(tau float64) float64 {
				if tau == 0 {
					return 1
				}
				return cj.rowShare(y, tau)
			}, hi) / hi
		}
		cj.jt.rs.diagKey, cj.jt.rs.diagVal = false, false
		t.Logf("rowshare without key %.3f, without value %.3f", rsa[0], rsa[1])
		ws := vit.NewWorkspace(m.Arch, M, 1)
		m0 := y * m.Forward(ws, x, 1)[0]
		cj.prepare(x)
		cj.joint(y, attack.Frobenius, 1e-9)
		gn := cj.jt.gF
		t.Logf("linear radius m0/‖∇m‖ = %.4g = %.3f of the FMN radius", m0/gn, m0/gn/hi)
		val, sc, qs, ks, ss, zs := witnessTerms(m, x, xadv[i*M*D:(i+1)*M*D], y, M)
		t.Logf("%3d %7.3f %6.2f | %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f | %7.3f %7.3f %6.2f %6.2f %6.2f %6.2f", i, ra[i]/mu, m0, rc, rj, rsr, rr[0], rr[1], rr[2], rr[3], rr[4], rr[5], val, sc, qs, ks, ss, zs)
	}
}

// TestDiagnoseRows prints, for one point of the diagnosis model, each row's
// clean score gaps to its winner with the box and pairwise query widths at
// τ = frac·ra (VITADV_DIAG as TestDiagnose, VITADV_DIAG_I the point).
func BenchmarkDiagnoseRows(t *testing.B) {
	pi, _ := strconv.Atoi(os.Getenv("VITADV_DIAG_I"))
	m, te, _, _, _ := diagSetup(t)
	D, M, dh := m.Arch.D, te.M, m.Arch.Dh
	fm, _ := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 100}, m.Arch, M, 1)
	x, y := te.Sample(pi), te.Y[pi]
	xa := make([]float64, M*D)
	fm.Perturb(m, x, []float64{y}, 1, xa)
	ra := fm.Radii()[0]
	c, _ := New(m, M)
	c.prepare(x)
	c.firstOrder()
	frac := 0.25
	if v, err := strconv.ParseFloat(os.Getenv("VITADV_DIAG_FRAC"), 64); err == nil {
		frac = v
	}
	tau := frac * ra
	p, s := &c.pt, &c.scr
	wq, _ := m.SplitQK()
	g := make([][]float64, M)
	for j := 0; j < M; j++ {
		g[j] = make([]float64, D)
		for r := 0; r < D; r++ {
			for i := 0; i < dh; i++ {
				g[j][r] += wq[r*dh+i] * s.k[j*dh+i]
			}
		}
	}
	dist := func(a, b []float64) float64 {
		t := 0.0
		for i := range a {
			t += (a[i] - b[i]) * (a[i] - b[i])
		}
		return math.Sqrt(t)
	}
	t.Logf("point %d y=%v ra=%.3g tau=%.3g; v·y: %v", pi, y, ra, tau, func() []string {
		o := []string{}
		for j := 0; j < M; j++ {
			o = append(o, fmt.Sprintf("%.2f", y*p.v[j]))
		}
		return o
	}())
	for l := 0; l < M; l++ {
		z := p.zc[l*M : (l+1)*M]
		r := 0
		for j := range z {
			if z[j] > z[r] {
				r = j
			}
		}
		line := fmt.Sprintf("row %d win %d (yv %.2f) key %.1f:", l, r, y*p.v[r], 2*c.s*tau*p.h2[l])
		ord := make([]int, 0, M)
		for j := 0; j < M; j++ {
			if j != r {
				ord = append(ord, j)
			}
		}
		slack := func(j int) float64 { return c.s * (z[r] - z[j] - tau*(p.c2[j]+p.c2[r]) - 2*tau*p.h2[l]) }
		slices.SortFunc(ord, func(a, b int) int {
			if slack(a) < slack(b) {
				return -1
			}
			return 1
		})
		for _, j := range ord[:min(4, len(ord))] {
			line += fmt.Sprintf(" [%d yv %.2f gap %.1f box %.1f pair %.1f]", j, y*p.v[j], c.s*(z[r]-z[j]), c.s*tau*(p.c2[j]+p.c2[r]), c.s*tau*dist(g[j], g[r]))
		}
		t.Log(line)
	}
}

// TestDiagnoseExplicit builds the attack the row table suggests: for each
// row whose winner is the signal token, move that row's query token along
// −(W_Q k_0 − W_Q k_c) just far enough to close the gap to its runner-up c
// (×1.2), cheapest rows first, and reports Forward's margin and ‖Δ‖_F.
func BenchmarkDiagnoseExplicit(t *testing.B) {
	m, te, mu, np, _ := diagSetup(t)
	D, M, dh := m.Arch.D, te.M, m.Arch.Dh
	fm, _ := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 100}, m.Arch, M, np)
	xadv := make([]float64, np*M*D)
	fm.Perturb(m, te.X[:np*M*D], te.Y[:np], np, xadv)
	ra := fm.Radii()
	wq, wk := m.SplitQK()
	ws := vit.NewWorkspace(m.Arch, M, 1)
	s := m.Scale()
	u := m.ValueVector(make([]float64, D))
	for pi := 0; pi < np; pi++ {
		x, y := te.Sample(pi), te.Y[pi]
		k := make([][]float64, M)
		q := make([][]float64, M)
		for j := 0; j < M; j++ {
			k[j], q[j] = make([]float64, dh), make([]float64, dh)
			for r := 0; r < D; r++ {
				for i := 0; i < dh; i++ {
					k[j][i] += x[j*D+r] * wk[r*dh+i]
					q[j][i] += x[j*D+r] * wq[r*dh+i]
				}
			}
		}
		g := func(j int) []float64 {
			o := make([]float64, D)
			for r := 0; r < D; r++ {
				for i := 0; i < dh; i++ {
					o[r] += wq[r*dh+i] * k[j][i]
				}
			}
			return o
		}
		type mv struct {
			l      int
			eps, e float64
			dir    []float64
		}
		var mvs []mv
		for l := 0; l < M; l++ {
			z := make([]float64, M)
			for j := 0; j < M; j++ {
				for i := 0; i < dh; i++ {
					z[j] += s * q[l][i] * k[j][i]
				}
			}
			w := 0
			for j := range z {
				if z[j] > z[w] {
					w = j
				}
			}
			best := mv{l: l, eps: math.Inf(1)}
			gw := g(w)
			for c := 0; c < M; c++ {
				if c == w {
					continue
				}
				gc := g(c)
				d := make([]float64, D)
				n := 0.0
				for r := range d {
					d[r] = gc[r] - gw[r]
					n += d[r] * d[r]
				}
				n = math.Sqrt(n)
				e := 1.5 * (z[w] - z[c]) / (s * n)
				vc := 0.0
				for r := 0; r < D; r++ {
					vc += x[c*D+r] * u[r]
				}
				if os.Getenv("VITADV_DIAG_HARM") != "" {
					e += 1e3 * y * vc // the most harmful competitor first
				}
				if e < best.eps {
					for r := range d {
						d[r] /= n
					}
					best.eps, best.dir = e, d
					best.e = 1.5 * (z[w] - z[c]) / (s * n)
				}
			}
			mvs = append(mvs, best)
		}
		slices.SortFunc(mvs, func(a, b mv) int {
			if a.eps < b.eps {
				return -1
			}
			return 1
		})
		xa := slices.Clone(x)
		norm2 := 0.0
		best := math.Inf(1)
		bestN := 0.0
		for _, v := range mvs {
			for r := 0; r < D; r++ {
				xa[v.l*D+r] += v.e * v.dir[r]
			}
			norm2 += v.e * v.e
			mg := y * m.Forward(ws, xa, 1)[0]
			if mg < best {
				best, bestN = mg, math.Sqrt(norm2)
			}
			if mg <= 0 {
				break
			}
		}
		sr := 0.0
		if ra[pi] > 0 {
			sr = strongRadius(t, m, te, pi, ra[pi], []float64{0.15, 0.25, 0.35, 0.5, 0.7})
		}
		t.Logf("point %d: FMN radius %.4g (%.3f·mu); strong attack radius ≤ %.4g; explicit query attack: margin %.3g at ‖Δ‖_F %.4g", pi, ra[pi], ra[pi]/mu, sr, best, bestN)
	}
}

// strongRadius returns the smallest fraction f of hi in fracs at which the
// strong attack (DefaultStrong) breaks sample x, times hi (hi if none).
func strongRadius(tb testing.TB, m *vit.Model, te *data.Set, i int, hi float64, fracs []float64) float64 {
	sig, err := te.Signals()
	if err != nil {
		tb.Fatal(err)
	}
	x, y := te.Sample(i), te.Y[i]
	xa := make([]float64, len(x))
	ws := vit.NewWorkspace(m.Arch, te.M, 1)
	for _, f := range fracs {
		st, err := attack.NewStrong(attack.DefaultStrong(attack.Frobenius, f*hi, 1), sig, m.Arch, te.M, 1)
		if err != nil {
			tb.Fatal(err)
		}
		st.Perturb(m, x, []float64{y}, 1, xa)
		if y*m.Forward(ws, xa, 1)[0] <= 0 {
			return f * hi
		}
	}
	return hi
}

// BenchmarkDiagnoseRatio prints, per test point of the diagnosis model
// (VITADV_DIAG, VITADV_DIAG_N points), the FMN radius, the smallest budget
// at which the strong ensemble (DefaultStrong) broke the point in a
// bisection between the certified radius and the FMN radius (an upper
// bound of the robust radius, like FMN's), and the certified radius of the
// interval bound and of the joint bounds, with the medians of cert ÷ FMN
// and cert ÷ strong. Diagnosis only; run with -benchtime=1x -v.
func BenchmarkDiagnoseRatio(t *testing.B) {
	m, te, mu, np, _ := diagSetup(t)
	D, M := m.Arch.D, te.M
	fm, _ := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 100}, m.Arch, M, np)
	xadv := make([]float64, np*M*D)
	fm.Perturb(m, te.X[:np*M*D], te.Y[:np], np, xadv)
	ra := fm.Radii()
	ci, _ := New(m, M)
	ci.SetNodes(16)
	cj, _ := New(m, M)
	cj.SetNodes(16)
	cj.SetJoint(true)
	sig, err := te.Signals()
	if err != nil {
		t.Fatal(err)
	}
	ws := vit.NewWorkspace(m.Arch, M, 1)
	breaks := func(i int, tau float64) bool {
		x, y := te.Sample(i), te.Y[i]
		st, err := attack.NewStrong(attack.DefaultStrong(attack.Frobenius, tau, 1), sig, m.Arch, M, 1)
		if err != nil {
			t.Fatal(err)
		}
		xa := make([]float64, len(x))
		st.Perturb(m, x, []float64{y}, 1, xa)
		return y*m.Forward(ws, xa, 1)[0] <= 0
	}
	var rf, rs []float64
	for i := 0; i < np; i++ {
		x, y := te.Sample(i), te.Y[i]
		if !(ra[i] > 0) || math.IsInf(ra[i], 1) {
			continue
		}
		rci := ci.Radius(x, y, attack.Frobenius, ra[i], 12)
		rcj := cj.Radius(x, y, attack.Frobenius, ra[i], 12)
		lo, hi := rcj, ra[i] // the strong attack cannot break below the certified radius
		for k := 0; k < 8; k++ {
			mid := math.Sqrt(lo * hi) // geometric: the gap spans decades at d = 1024
			if lo == 0 {
				mid = hi / 2
			}
			if breaks(i, mid) {
				hi = mid
			} else {
				lo = mid
			}
		}
		rf = append(rf, rcj/ra[i])
		rs = append(rs, rcj/hi)
		t.Logf("point %2d: FMN %.4g (%.3f·mu), strong ≤ %.4g (%.3f of FMN); cert interval %.4g, joint %.4g: joint/FMN %.3f, joint/strong %.3f", i, ra[i], ra[i]/mu, hi, hi/ra[i], rci, rcj, rcj/ra[i], rcj/hi)
	}
	slices.Sort(rf)
	slices.Sort(rs)
	med := func(v []float64) float64 {
		n := len(v)
		if n%2 == 1 {
			return v[n/2]
		}
		return (v[n/2-1] + v[n/2]) / 2
	}
	if len(rf) > 0 {
		t.Logf("median joint/FMN %.3f, median joint/strong %.3f over %d points", med(rf), med(rs), len(rf))
	}
}
