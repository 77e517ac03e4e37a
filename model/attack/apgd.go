package attack

import (
	"math"
	"math/rand/v2"

	"vitadv/model/rng"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

var _ Attacker = (*APGD)(nil)

// APGDConfig configures APGD (Croce & Hein 2020, "Reliable evaluation of
// adversarial robustness with an ensemble of diverse parameter-free
// attacks", Algorithm 1) on the margin loss −y·f(X+Δ) over Δ ∈ B(τ).
type APGDConfig struct {
	Set Set     `json:"set"`
	Tau float64 `json:"tau"` // budget τ ≥ 0
	// Steps is the iteration budget N_iter ≥ 1 of one run.
	Steps int `json:"steps"`
	// Restarts is the number of runs (0 and 1: one from Δ = 0; later runs
	// start at uniform random points of the ball).
	Restarts int    `json:"restarts"`
	Seed     uint64 `json:"seed"` // random starts from rng.New(Seed, rng.Attack)
}

// Validate returns a *valid.Error naming the first bad field.
func (c APGDConfig) Validate() error {
	return valid.First(c.Set.Validate(), valid.NonNeg("Tau", c.Tau), valid.Finite("Tau", c.Tau),
		valid.IntMin("Steps", c.Steps, 1), valid.IntMin("Restarts", c.Restarts, 0))
}

// EvalAPGD is the evaluation APGD: 100 iterations, one run from Δ = 0
// (the budget of APGD-CE in AutoAttack's standard version).
func EvalAPGD(set Set, tau float64, seed uint64) APGDConfig {
	return APGDConfig{Set: set, Tau: tau, Steps: 100, Restarts: 1, Seed: seed}
}

// Constants of Croce & Hein 2020 §3.2.
const (
	apgdMomentum = 0.75 // α: weight of the new step against the previous move
	apgdRho      = 0.75 // ρ: fraction of increasing steps required between checkpoints
)

// apgdCheckpoints returns the checkpoints w_j = ⌈p_j·N⌉ with p_0 = 0,
// p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06), below N.
func apgdCheckpoints(n int) []int {
	ps := []float64{0, 0.22}
	for {
		k := len(ps)
		p := ps[k-1] + math.Max(ps[k-1]-ps[k-2]-0.03, 0.06)
		if p > 1 {
			break
		}
		ps = append(ps, p)
	}
	var w []int
	for _, p := range ps {
		c := int(math.Ceil(float64(p*float64(n)) - 1e-9)) // 0.57·100 is 57.000000000000007 in float64
		if c < n && (len(w) == 0 || c > w[len(w)-1]) {
			w = append(w, c)
		}
	}
	return w
}

// APGD is Auto-PGD with momentum on the margin loss L(Δ) = −y·f(X+Δ)
// (Croce & Hein 2020, Algorithm 1), per sample:
//
//	η⁰ = 2τ,  x¹ = Π(x⁰ + η⁰·dir(∇L(x⁰)))
//	z^{k+1} = Π(x^k + η^k·dir(∇L(x^k)))
//	x^{k+1} = Π(x^k + α(z^{k+1} − x^k) + (1 − α)(x^k − x^{k−1})),   α = 0.75
//
// with dir the set's steepest-ascent unit direction (as in PGD). At every
// checkpoint w_j the step halves, and the iterate restarts from the best
// point so far, if (1) fewer than ρ = 0.75 of the steps since w_{j−1}
// increased L, or (2) neither the step nor the best loss changed since
// w_{j−1}. The best iterate (lowest margin) of all runs is returned. The
// margin loss is the paper's DLR loss for two classes up to scale; unlike
// cross-entropy it does not saturate.
//
// An APGD owns its buffers and stream and is not safe for concurrent use;
// Perturb allocates nothing.
type APGD struct {
	cfg    APGDConfig
	set    Set
	arch   vit.Arch
	M, cap int
	ws     *vit.Workspace
	r      *rand.Rand
	checks []int

	cur, prev, z, best, grad []float64 // cap·M·D: Δ^k, Δ^{k−1}, scratch, best Δ, gradient
	xcur                     []float64
	coef                     []float64
	eta, lcur, lbest         []float64 // per sample: step, L(x^k), best L this run
	lbestCk, etaCk           []float64 // values at the last checkpoint
	succ                     []int     // increasing steps since the last checkpoint
	margin                   []float64 // best margin over all runs
	stats                    Stats
	n                        int
}

// NewAPGD validates cfg and returns an APGD for batches of at most capacity
// samples of M tokens under arch. Bad configuration returns a *valid.Error.
func NewAPGD(cfg APGDConfig, arch vit.Arch, M, capacity int) (*APGD, error) {
	if err := valid.First(cfg.Validate(), arch.Validate(), valid.IntMin("M", M, 1), valid.IntMin("capacity", capacity, 1)); err != nil {
		return nil, err
	}
	t := capacity * M * arch.D
	a := &APGD{cfg: cfg, set: cfg.Set.orDefault(), arch: arch, M: M, cap: capacity,
		ws: vit.NewWorkspace(arch, M, capacity), r: rng.New(cfg.Seed, rng.Attack), checks: apgdCheckpoints(cfg.Steps)}
	for _, b := range []*[]float64{&a.cur, &a.prev, &a.z, &a.best, &a.grad, &a.xcur} {
		*b = make([]float64, t)
	}
	for _, b := range []*[]float64{&a.coef, &a.eta, &a.lcur, &a.lbest, &a.lbestCk, &a.etaCk, &a.margin} {
		*b = make([]float64, capacity)
	}
	a.succ = make([]int, capacity)
	a.cfg.Set = a.set
	return a, nil
}

// Margins returns y_i f(X_i+Δ_i) at the returned points of the last
// Perturb (aliasing the APGD's buffer).
func (a *APGD) Margins() []float64 { return a.margin[:a.n] }

// Stats returns the work of the last Perturb.
func (a *APGD) Stats() Stats { return a.stats }

// eval sets xcur = x + d and returns the margins.
func (a *APGD) eval(m *vit.Model, x, d []float64, n int) []float64 {
	for j := range d {
		a.xcur[j] = x[j] + d[j]
	}
	a.stats.FuncEvals++
	return m.Forward(a.ws, a.xcur[:len(d)], n)
}

// Perturb writes the best APGD point X_i + Δ_i for each of the n samples of x
// into xadv. It panics as PGD.Perturb does on bad shapes.
func (a *APGD) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	S := a.M * a.arch.D
	if n < 1 || n > a.cap {
		panic("attack: APGD.Perturb: batch size outside [1, capacity]")
	}
	if len(x) < n*S || len(y) < n || len(xadv) < n*S {
		panic("attack: APGD.Perturb: x, y or xadv too short")
	}
	if &xadv[0] == &x[0] {
		panic("attack: APGD.Perturb: xadv must not alias x")
	}
	t := n * S
	x, xadv = x[:t], xadv[:t]
	cur, prev, z, best, grad := a.cur[:t], a.prev[:t], a.z[:t], a.best[:t], a.grad[:t]
	a.n = n
	runs := max(1, a.cfg.Restarts)
	a.stats = Stats{Runs: runs}
	tau := a.cfg.Tau
	for i := 0; i < n; i++ {
		a.coef[i] = -y[i] // ∂L/∂f
	}
	for run := 0; run < runs; run++ {
		if run > 0 {
			for i := 0; i < n; i++ {
				a.set.RandomTo(cur[i*S:(i+1)*S], a.M, tau, a.r)
			}
		} else {
			clear(cur)
		}
		f := a.eval(m, x, cur, n)
		for i := 0; i < n; i++ {
			mg := y[i] * f[i]
			a.lcur[i], a.lbest[i], a.eta[i] = -mg, -mg, 2*tau
			a.lbestCk[i], a.etaCk[i], a.succ[i] = -mg, 2*tau, 0
			if run == 0 || mg < a.margin[i] {
				a.margin[i] = mg
				copy(xadv[i*S:(i+1)*S], a.xcur[i*S:(i+1)*S])
			}
		}
		copy(best, cur)
		copy(prev, cur)
		// fresh: a.ws holds the Forward of xcur = x + cur (Backward needs
		// it); false only after a checkpoint moved some iterate back to its
		// best point. Forward is a pure function of xcur, so reusing it
		// gives the bits of evaluating again.
		fresh := true
		ck := 1 // next checkpoint index into a.checks (checks[0] = 0)
		for k := 0; k < a.cfg.Steps; k++ {
			// gradient at x^k
			if !fresh {
				a.eval(m, x, cur, n)
			}
			m.Backward(a.ws, a.xcur[:t], n, a.coef, nil, grad)
			a.stats.GradEvals++
			for i := 0; i < n; i++ {
				lo, hi := i*S, (i+1)*S
				a.set.apgdStep(grad[lo:hi], cur[lo:hi], prev[lo:hi], z[lo:hi], a.eta[i], k > 0, a.M, tau)
			}
			f := a.eval(m, x, cur, n)
			fresh = true
			a.stats.Steps++
			for i := 0; i < n; i++ {
				mg := y[i] * f[i]
				l := -mg
				if l > a.lcur[i] {
					a.succ[i]++
				}
				a.lcur[i] = l
				if l > a.lbest[i] {
					a.lbest[i] = l
					copy(best[i*S:(i+1)*S], cur[i*S:(i+1)*S])
				}
				if mg < a.margin[i] {
					a.margin[i] = mg
					copy(xadv[i*S:(i+1)*S], a.xcur[i*S:(i+1)*S])
				}
			}
			if ck < len(a.checks) && k+1 == a.checks[ck] {
				span := a.checks[ck] - a.checks[ck-1]
				for i := 0; i < n; i++ {
					c1 := float64(a.succ[i]) < apgdRho*float64(span)
					c2 := a.etaCk[i] == a.eta[i] && a.lbestCk[i] == a.lbest[i]
					a.etaCk[i], a.lbestCk[i], a.succ[i] = a.eta[i], a.lbest[i], 0
					if c1 || c2 {
						a.eta[i] /= 2
						lo, hi := i*S, (i+1)*S
						copy(cur[lo:hi], best[lo:hi])
						copy(prev[lo:hi], best[lo:hi])
						a.lcur[i] = a.lbest[i]
						fresh = false
					}
				}
				ck++
			}
		}
	}
}

// apgdStep moves one sample's iterate c by one APGD step (Croce & Hein
// 2020, Algorithm 1) inside the ball of radius tau of set s:
//
//	z = P(c + η·ascent(g))
//	z = P(c + α(z − c) + (1 − α)(c − p))   (momentum: every step after the first; α = apgdMomentum)
//	p ← c, c ← z
//
// g is overwritten with its ascent direction, z is scratch of len(c). Each
// product is rounded before its addition (float64(…): no fused
// multiply-add on any CPU, .ci/nofuse), so every caller — APGD, the strong
// ensemble, the row attack's refinement — gets the same bits.
func (s Set) apgdStep(g, c, p, z []float64, eta float64, momentum bool, M int, tau float64) {
	s.ascentTo(g, g, M)
	for q := range z {
		z[q] = c[q] + float64(eta*g[q])
	}
	s.Project(z, M, tau)
	if momentum {
		for q := range z {
			z[q] = c[q] + float64(apgdMomentum*(z[q]-c[q])) + float64((1-apgdMomentum)*(c[q]-p[q]))
		}
		s.Project(z, M, tau)
	}
	copy(p, c)
	copy(c, z)
}
