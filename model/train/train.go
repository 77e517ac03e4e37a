// Package train runs full-batch gradient descent on the clean logistic loss
// (Jiang et al., arXiv:2409.19345) and on the robust loss of adversarial
// training (Zhang et al., arXiv:2604.19724):
//
//	L_S(θ)     = (1/N) Σ_n ℓ(y_n f(X_n; θ))
//	L_S^rob(θ) = (1/N) Σ_n max_{Δ ∈ B(τ)} ℓ(y_n f(X_n + Δ; θ))
//	θ ← θ − η ∇L(θ)
//
// with the inner maximum taken by an Attacker at the current θ (Danskin's
// theorem: the gradient of the max is the gradient at the maximizer). The
// stop rule is the scripts': before each update, stop if the (robust)
// training loss is below Target. Reference: docs/THEORY.md §3.1–3.2.
package train

import (
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Attacker writes adversarial versions of the n samples of x (labels y) into
// xadv (length ≥ n·M·D), evaluated at the current model m. It is satisfied by
// the attacks of package attack.
type Attacker interface {
	Perturb(m *vit.Model, x, y []float64, n int, xadv []float64)
}

// Config holds the optimizer settings.
type Config struct {
	Eta      float64 `json:"eta"`       // learning rate η > 0
	MaxSteps int     `json:"max_steps"` // T ≥ 1, the most GD updates
	// Target stops training before an update once the (robust) training
	// loss is below it; 0 disables the rule (run exactly MaxSteps).
	Target float64 `json:"target"`
}

// Script returns the heatmap script's optimizer: η = 0.1, at most 1000
// steps, stop at training loss < 0.01 (THEORY §3.1).
func Script() Config { return Config{Eta: 0.1, MaxSteps: 1000, Target: 0.01} }

// Validate returns a *valid.Error naming the first bad field.
func (c Config) Validate() error {
	return valid.First(
		valid.Positive("Eta", c.Eta),
		valid.IntMin("MaxSteps", c.MaxSteps, 1),
		valid.NonNeg("Target", c.Target),
	)
}

// Trainer holds a model, its training set and every buffer one GD step
// needs, so that Step allocates nothing in steady state.
type Trainer struct {
	Model *vit.Model
	Set   *data.Set
	Atk   Attacker // nil: clean training
	Cfg   Config
	// Stop, when non-nil, is asked by Run before every update (after the
	// stop rule); once it returns true Run returns at once with
	// Result.Stopped set, the model holding the parameters after
	// Result.Steps updates. It is how a caller's deadline or cancellation
	// cuts a training short (theorems.Lab's per-check time budget); it must
	// not allocate if the step is to stay allocation-free.
	Stop func() bool

	ws    *vit.Workspace
	grads *vit.Grads
	xadv  []float64
	steps int
}

// New returns a trainer that updates m in place.
func New(m *vit.Model, s *data.Set, cfg Config, atk Attacker) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if s.D != m.D {
		return nil, &valid.Error{Field: "Set.D", Value: s.D, Rule: "must equal the model's D"}
	}
	t := &Trainer{Model: m, Set: s, Atk: atk, Cfg: cfg,
		ws: vit.NewWorkspace(m.Arch, s.M, s.N), grads: vit.NewGrads(m.Arch)}
	if atk != nil {
		t.xadv = make([]float64, len(s.X))
	}
	return t, nil
}

// Steps returns the number of updates made so far.
func (t *Trainer) Steps() int { return t.steps }

// inputs returns the inputs the next gradient is taken at: the attacked
// training inputs (after Perturb at the current θ) or the clean ones.
func (t *Trainer) inputs() []float64 {
	if t.Atk == nil {
		return t.Set.X
	}
	t.Atk.Perturb(t.Model, t.Set.X, t.Set.Y, t.Set.N, t.xadv)
	return t.xadv
}

// Gradient computes the (robust) training loss at the current θ and its
// gradient, without updating θ. The returned loss is the one the stop rule
// reads.
func (t *Trainer) Gradient() float64 {
	return t.Model.LossGrad(t.ws, t.inputs(), t.Set.Y, t.Set.N, t.grads)
}

// Step performs one update θ ← θ − η∇L(θ) and returns L at θ before it.
func (t *Trainer) Step() float64 {
	loss := t.Gradient()
	t.Model.Step(t.grads, t.Cfg.Eta)
	t.steps++
	return loss
}

// Result is the outcome of Run.
type Result struct {
	Steps     int     // updates made
	Loss      float64 // (robust) training loss at the final θ
	Converged bool    // Loss < Target was reached (false when Target = 0)
	// Stopped: Trainer.Stop cut the run short before the stop rule fired
	// or MaxSteps updates were made; the run is incomplete.
	Stopped bool
}

// Run trains until the stop rule fires, MaxSteps updates are made or
// t.Stop returns true (Result.Stopped). If obs is non-nil it is called
// before each update and once at the end with the number of updates so far
// and the (robust) training loss at the current θ; it may record probes of
// t.Model (it must not modify it). A Stop that never fires changes nothing:
// the same updates, bit for bit.
func (t *Trainer) Run(obs func(step int, loss float64)) Result {
	for {
		loss := t.Gradient()
		if obs != nil {
			obs(t.steps, loss)
		}
		done := t.Cfg.Target > 0 && loss < t.Cfg.Target
		if done || t.steps >= t.Cfg.MaxSteps {
			return Result{Steps: t.steps, Loss: loss, Converged: done}
		}
		if t.Stop != nil && t.Stop() {
			return Result{Steps: t.steps, Loss: loss, Stopped: true}
		}
		t.Model.Step(t.grads, t.Cfg.Eta)
		t.steps++
	}
}
