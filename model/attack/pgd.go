package attack

import (
	"fmt"
	"math/rand/v2"

	"vitadv/model/rng"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Attacker writes adversarial versions of the n samples of x (labels y) into xadv (len ≥ n·M·D), evaluated at the current model m.
type Attacker interface {
	Perturb(m *vit.Model, x, y []float64, n int, xadv []float64)
}

var (
	_ Attacker = (*PGD)(nil)
	_ Attacker = (*Midpoint)(nil)
	_ Attacker = (*Erase)(nil)
)

// Config configures projected gradient ascent on the logistic loss
// (docs/THEORY.md §3.2). The zero values of Set, StepSize and Restarts mean
// Frobenius, 2.5·τ/K and one run.
type Config struct {
	Set Set     `json:"set"`
	Tau float64 `json:"tau"` // budget τ ≥ 0 in the set's norm
	// Steps is the number K ≥ 1 of projected steps per run.
	Steps int `json:"steps"`
	// StepSize is the step α for budget Tau; 0 means α = 2.5·τ/K (THEORY
	// §3.2, after Madry et al.). With per-sample budgets the ratio α/τ is
	// kept: sample i steps by α·τ_i/Tau (or 2.5·τ_i/K when StepSize is 0).
	StepSize float64 `json:"step_size"`
	// RandomStart starts the first run at a uniform point of the ball
	// instead of Δ = 0.
	RandomStart bool `json:"random_start"`
	// Restarts is the total number of runs per sample (0 and 1 both mean
	// one). Runs after the first always start at a uniform random point of
	// the ball; the best iterate over all runs is returned.
	Restarts int `json:"restarts"`
	// Seed seeds the random starts, drawn from the stream
	// rng.New(Seed, rng.Attack).
	Seed uint64 `json:"seed"`
	// Taus, if non-empty, holds one budget per batch position (length
	// exactly the capacity given to NewPGD): sample i of every batch uses
	// τ_i = Taus[i] instead of Tau. NewPGD copies it.
	Taus []float64 `json:"taus,omitempty"`
}

// TrainConfig is the training attack of docs/THEORY.md §3.2 [PROP]: Frobenius
// ℓ₂-PGD, K = 10, α = 2.5τ/K, zero start, one run.
func TrainConfig(tau float64) Config {
	return Config{Set: Frobenius, Tau: tau, Steps: 10}
}

// EvalConfig is the evaluation attack of docs/THEORY.md §3.2 [PROP]: PGD-20,
// α = 2.5τ/K, five runs (a zero start and four uniform random starts).
// Evaluate it together with the exact attacks (Midpoint, Erase).
func EvalConfig(set Set, tau float64, seed uint64) Config {
	return Config{Set: set, Tau: tau, Steps: 20, Restarts: 5, Seed: seed}
}

// FGSM is one steepest-ascent step of size τ from Δ = 0: Δ = τ·sign(∇) for
// Linf, Δ = τ·∇/‖∇‖ in the set's ℓ₂ norm otherwise (the fast gradient sign
// method and its ℓ₂ analogue). As with every PGD, the better of the start
// and the step is returned.
func FGSM(set Set, tau float64) Config {
	return Config{Set: set, Tau: tau, Steps: 1, StepSize: tau}
}

// Validate returns a *valid.Error naming the first bad field. It checks
// Taus' entries but not its length, which NewPGD checks against the
// capacity.
func (c Config) Validate() error {
	if err := valid.First(
		c.Set.Validate(),
		valid.NonNeg("Tau", c.Tau),
		valid.IntMin("Steps", c.Steps, 1),
		valid.NonNeg("StepSize", c.StepSize),
		valid.IntMin("Restarts", c.Restarts, 0),
	); err != nil {
		return err
	}
	for i, t := range c.Taus {
		if valid.NonNeg("", t) != nil { // name the entry only on failure: no allocation
			return valid.NonNeg(fmt.Sprintf("Taus[%d]", i), t)
		}
	}
	if len(c.Taus) > 0 && c.StepSize > 0 && c.Tau == 0 {
		return &valid.Error{Field: "Tau", Value: c.Tau, Rule: "must be > 0 when StepSize and Taus are given (α/Tau sets the step of each τ_i)"}
	}
	return nil
}

// Stats counts the work of the last Perturb call. Every evaluation is one
// batched pass over all n samples.
type Stats struct {
	Runs      int // PGD runs (Restarts, at least 1)
	Steps     int // projected steps, summed over runs
	GradEvals int // backward passes for the input gradient
	FuncEvals int // forward passes (one per iterate, start points included)
}

// Result is the outcome of the last Perturb call, in the shape of gonum's
// optimize.Result. Its slices have length n and alias the PGD's buffers:
// they are valid until the next Perturb.
type Result struct {
	Loss   []float64 // ℓ(y_i f(X_i+Δ_i)) at the returned xadv: the best iterate
	Margin []float64 // y_i f(X_i+Δ_i) at the returned xadv (loss is decreasing in it)
	Start  []float64 // ℓ(y_i f) at the first run's start (the clean loss for a zero start)
	Stats  Stats
}

// PGD is projected gradient ascent on the per-sample logistic loss
// ℓ(y·f(X+Δ)) over Δ ∈ B(τ) (docs/THEORY.md §3.2). Each run iterates
//
//	Δ ← Π_B(τ)( Δ + α·dir(∇_X ℓ(y f(X+Δ))) ),   K times,
//
// where dir is the set's steepest-ascent unit direction: ∇/‖∇‖_F for
// Frobenius, ∇_l/‖∇_l‖ per token for PerToken, ∇_0/‖∇_0‖ on row 0 for
// SignalToken, sign(∇) for Linf, and Π is Set.Project. The K+1 iterates of
// every run (start included) are scored, and the one of lowest margin
// y·f — highest loss — is returned per sample, so the returned loss is never
// below the start's.
//
// The direction is computed from ∂(−y f)/∂X rather than from ∂ℓ/∂X as
// vit.Model.InputGrad returns it: ∂ℓ(yf)/∂X = |ℓ'(yf)|·(−y ∂f/∂X), so the two
// normalized (or sign) directions coincide, but ℓ' underflows to 0 at margins
// above ~745 and would freeze the attack there. Likewise iterates are ranked
// by margin, which does not saturate.
//
// A PGD owns its buffers and random stream and is not safe for concurrent
// use. After NewPGD, Perturb allocates nothing.
type PGD struct {
	cfg    Config
	set    Set
	arch   vit.Arch
	M, cap int
	ws     *vit.Workspace
	r      *rand.Rand
	delta  []float64 // cap·M·D: current Δ
	xcur   []float64 // cap·M·D: X + Δ
	grad   []float64 // cap·M·D: input gradient, then direction
	coef   []float64 // cap: ∂(objective)/∂f_i = −y_i
	taus   []float64 // cap: τ_i
	alpha  []float64 // cap: α_i
	margin []float64 // cap: best margin so far
	loss   []float64 // cap: ℓ(best margin)
	start  []float64 // cap: loss at the first start
	stats  Stats
	n      int
	ascent float64 // +1; the negative-control test sets −1 (descent)
}

// NewPGD validates cfg and returns a PGD for batches of at most capacity
// samples of M tokens under architecture arch, with every buffer
// allocated. Bad configuration returns a *valid.Error naming the field
// (Set, Tau, Steps, StepSize, Restarts, Taus, Taus[i], M, capacity, or an
// Arch field).
func NewPGD(cfg Config, arch vit.Arch, M, capacity int) (*PGD, error) {
	if err := valid.First(cfg.Validate(), arch.Validate(), valid.IntMin("M", M, 1), valid.IntMin("capacity", capacity, 1)); err != nil {
		return nil, err
	}
	if len(cfg.Taus) != 0 && len(cfg.Taus) != capacity {
		return nil, &valid.Error{Field: "Taus", Value: len(cfg.Taus), Rule: fmt.Sprintf("length must be 0 or the capacity %d", capacity)}
	}
	t := capacity * M * arch.D
	p := &PGD{
		cfg: cfg, set: cfg.Set.orDefault(), arch: arch, M: M, cap: capacity,
		ws: vit.NewWorkspace(arch, M, capacity), r: rng.New(cfg.Seed, rng.Attack),
		delta: make([]float64, t), xcur: make([]float64, t), grad: make([]float64, t),
		coef: make([]float64, capacity), taus: make([]float64, capacity), alpha: make([]float64, capacity),
		margin: make([]float64, capacity), loss: make([]float64, capacity), start: make([]float64, capacity),
		ascent: 1,
	}
	p.cfg.Set = p.set
	p.cfg.Taus = nil
	if len(cfg.Taus) > 0 {
		p.cfg.Taus = p.taus
		copy(p.taus, cfg.Taus)
	} else {
		for i := range p.taus {
			p.taus[i] = cfg.Tau
		}
	}
	p.setSteps()
	return p, nil
}

// setSteps derives α_i from τ_i (see Config.StepSize).
func (p *PGD) setSteps() {
	K := float64(p.cfg.Steps)
	for i, t := range p.taus {
		switch {
		case p.cfg.StepSize == 0:
			p.alpha[i] = 2.5 * t / K
		case p.cfg.Taus != nil:
			p.alpha[i] = p.cfg.StepSize * t / p.cfg.Tau
		default:
			p.alpha[i] = p.cfg.StepSize
		}
	}
}

// SetTau sets one budget τ for every sample (dropping per-sample budgets).
// With StepSize 0 the step follows as 2.5τ/K; an explicit StepSize is kept.
func (p *PGD) SetTau(tau float64) error {
	if err := valid.NonNeg("Tau", tau); err != nil {
		return err
	}
	p.cfg.Tau, p.cfg.Taus = tau, nil
	for i := range p.taus {
		p.taus[i] = tau
	}
	p.setSteps()
	return nil
}

// SetTaus sets per-sample budgets (len(taus) must equal the capacity); it
// copies taus and allocates nothing.
func (p *PGD) SetTaus(taus []float64) error {
	c := p.cfg
	c.Taus = taus
	if err := c.Validate(); err != nil {
		return err
	}
	if len(taus) != p.cap {
		return &valid.Error{Field: "Taus", Value: len(taus), Rule: fmt.Sprintf("length must be the capacity %d", p.cap)}
	}
	copy(p.taus, taus)
	p.cfg.Taus = p.taus
	p.setSteps()
	return nil
}

// Config returns the configuration in force (Set resolved; Taus copied).
func (p *PGD) Config() Config {
	c := p.cfg
	c.Taus = append([]float64(nil), p.cfg.Taus...)
	if len(c.Taus) == 0 {
		c.Taus = nil
	}
	return c
}

// Reseed restarts the random-start stream at rng.New(seed, rng.Attack),
// the state NewPGD leaves it in for cfg.Seed = seed. (It allocates.)
func (p *PGD) Reseed(seed uint64) {
	p.cfg.Seed = seed
	p.r = rng.New(seed, rng.Attack)
}

// Result returns the outcome of the last Perturb call (zero before any).
func (p *PGD) Result() Result {
	return Result{Loss: p.loss[:p.n], Margin: p.margin[:p.n], Start: p.start[:p.n], Stats: p.stats}
}

// Perturb writes the best PGD iterate X_i + Δ_i for each of the n samples
// of x into xadv (see PGD). The random starts consume the PGD's stream, so
// the output depends on the sequence of calls since NewPGD or Reseed. It
// panics if n is outside [1, capacity], if x, y or xadv are too short, if
// xadv starts at x (the attack needs the clean input throughout), or if m's
// shapes differ from the architecture given to NewPGD.
func (p *PGD) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	S := p.M * p.arch.D
	if n < 1 || n > p.cap {
		panic("attack: PGD.Perturb: batch size outside [1, capacity]")
	}
	if len(x) < n*S || len(y) < n || len(xadv) < n*S {
		panic("attack: PGD.Perturb: x, y or xadv too short")
	}
	if &xadv[0] == &x[0] {
		panic("attack: PGD.Perturb: xadv must not alias x")
	}
	t := n * S
	x, xadv = x[:t], xadv[:t]
	delta, xcur, grad := p.delta[:t], p.xcur[:t], p.grad[:t]
	runs := max(1, p.cfg.Restarts)
	p.n = n
	p.stats = Stats{Runs: runs}
	for i := 0; i < n; i++ {
		p.coef[i] = -p.ascent * y[i]
	}
	K := p.cfg.Steps
	p.ws.Freeze(m) // only the input moves: W_QK is packed once (vit.Workspace.Freeze)
	defer p.ws.Thaw()
	for run := 0; run < runs; run++ {
		if run > 0 || p.cfg.RandomStart {
			for i := 0; i < n; i++ {
				p.set.RandomTo(delta[i*S:(i+1)*S], p.M, p.taus[i], p.r)
			}
		} else {
			clear(delta)
		}
		for j := range xcur {
			xcur[j] = x[j] + delta[j]
		}
		for k := 0; ; k++ {
			f := m.Forward(p.ws, xcur, n)
			p.stats.FuncEvals++
			first := run == 0 && k == 0
			for i := 0; i < n; i++ {
				mg := y[i] * f[i]
				if first || mg < p.margin[i] {
					p.margin[i] = mg
					copy(xadv[i*S:(i+1)*S], xcur[i*S:(i+1)*S])
				}
				if first {
					p.start[i] = vit.Logistic(mg)
				}
			}
			if k == K {
				break
			}
			m.Backward(p.ws, xcur, n, p.coef, nil, grad)
			p.stats.GradEvals++
			for i := 0; i < n; i++ {
				lo, hi := i*S, (i+1)*S
				g, d := grad[lo:hi], delta[lo:hi]
				p.set.ascentTo(g, g, p.M)
				a := p.alpha[i]
				for j, v := range g {
					d[j] += float64(a * v)
				}
				p.set.Project(d, p.M, p.taus[i])
				xc, x0 := xcur[lo:hi], x[lo:hi]
				for j, v := range d {
					xc[j] = x0[j] + v
				}
			}
			p.stats.Steps++
		}
	}
	for i := 0; i < n; i++ {
		p.loss[i] = vit.Logistic(p.margin[i])
	}
}
