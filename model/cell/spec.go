package cell

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// Spec is one fully specified, replayable cell: every axis of a run is a
// typed field. It is what theorems.Lab memoizes (theorems.Instance is this
// type) and what cmd/hunt writes to a counterexample file; its JSON form
// is stable (fields added later are omitted at their zero value, so older
// files read back to the same Spec).
type Spec struct {
	// Data is the data law and the sizes N, M, d, the test-set size and
	// ‖μ‖ (docs/THEORY.md §2). With a Source, only its sizes are read.
	Data data.Config `json:"data"`
	Arch vit.Arch    `json:"arch"`
	// Init is the initialization law: the scripts draw W_Q, W_K, W_V from
	// N(0, σ₀²), σ₀ = 1/(c√(3d)), with c = 16 in the heatmap script
	// (vit.DefaultInit, theorems' scales) and a configurable c in the
	// sweeps (their -init-shrink).
	Init vit.Init `json:"init"`
	// Train is the optimizer: step size η, the most updates, and the stop
	// rule (Target 0: exactly MaxSteps updates, gradient-flow time η·T).
	Train train.Config `json:"train"`
	// Tau is the adversarial-training budget τ (0: clean GD); Set its
	// perturbation set (empty: Frobenius). Training uses
	// attack.TrainConfig (PGD-K, α = 2.5τ/K, zero start) with K = PGDSteps
	// (0: attack.TrainConfig's K = 10).
	Tau  float64    `json:"tau"`
	Set  attack.Set `json:"set,omitempty"`
	Seed uint64     `json:"seed"`
	// Probe is the number of steps between the trajectory probes of
	// Run.Records (and a probe at the end); 0 probes nothing during
	// training (Run.Record still gives the final probe).
	Probe int `json:"probe"`
	// Jitter, when nonzero, moves every initial parameter by one ulp, up or
	// down by a sign drawn from PCG(Jitter, Seed): a perturbation at the
	// level of a kernel's last-bit rounding, used to measure whether a
	// quantity is chaotic under rounding (theorems.Lab.Chaos). 0 is the
	// nominal run.
	Jitter uint64 `json:"jitter,omitempty"`
	// PGDSteps is K of the training attack; 0 keeps attack.TrainConfig's.
	PGDSteps int `json:"pgd_steps,omitzero"`
	// Eval is the evaluation protocol of Run.Evaluate (the zero value
	// means DefaultProtocol).
	Eval Protocol `json:"eval,omitzero"`
	// AllowNonFinite keeps a run whose training loss became NaN or ±Inf
	// (the sweeps write such a cell's NaN metrics into their CSV files);
	// when false, Train returns a *DivergedError instead (theorems: a
	// statement must never be decided on a diverged run).
	AllowNonFinite bool `json:"allow_non_finite,omitzero"`
	// FlowTime, when > 0, ends training at the gradient-flow time η·T =
	// FlowTime: the run makes at most FlowSteps(FlowTime, Train.Eta)
	// updates in place of Train.MaxSteps, and the stop rule Train.Target
	// still ends it earlier (issue 17: runs at different η compared at
	// matched η·T). 0 keeps Train.MaxSteps.
	FlowTime float64 `json:"flow_time,omitzero"`
	// Early, when > 0, adds trajectory probes at every step 0..Early and
	// then on the log-spaced schedule of NextLogProbe (ratio 5/4, about
	// ten probes per decade) to those of Probe (issue 17 item 3: the
	// decisive events of adversarial training at large η happen at steps
	// 3–6). 0 adds none.
	Early int `json:"early,omitzero"`
	// Source, when not nil, draws the training and test sets in place of
	// data.Draw(Data, Seed) (the MNIST experiment); such a run has no
	// signal vectors, so it takes no trajectory probes (Probe and Early
	// must be 0).
	Source Source `json:"-"`
}

// MaxFlowSteps bounds FlowSteps: a flow time this many steps long or
// longer is refused (FlowError).
const MaxFlowSteps = 1 << 30

// FlowSteps returns the updates of a run that ends at gradient-flow time
// flowTime with step eta: the smallest T ≥ 1 with T·η ≥ flowTime, computed
// in float64 exactly as the run's η·T is (⌈flowTime/η⌉, corrected by one
// where the division rounds across an integer). It returns 0 when the
// arguments are not finite and positive or T would exceed MaxFlowSteps.
func FlowSteps(flowTime, eta float64) int {
	if !(flowTime > 0) || !(eta > 0) || math.IsInf(flowTime, 0) || math.IsInf(eta, 0) {
		return 0
	}
	t := math.Ceil(flowTime / eta)
	if !(t < MaxFlowSteps) {
		return 0
	}
	n := max(int(t), 1)
	for n > 1 && float64(n-1)*eta >= flowTime {
		n--
	}
	for float64(n)*eta < flowTime {
		n++
	}
	if n >= MaxFlowSteps {
		return 0
	}
	return n
}

// FlowError reports a Spec whose FlowTime gives no valid step count.
type FlowError struct{ FlowTime, Eta float64 }

func (e *FlowError) Error() string {
	return fmt.Sprintf("cell: FlowTime %v at η = %v: want finite positive values with FlowTime/η < %d", e.FlowTime, e.Eta, MaxFlowSteps)
}

// Steps returns the most updates of a run of s: FlowSteps(FlowTime, η)
// when FlowTime > 0, else Train.MaxSteps.
func (s Spec) Steps() int {
	if s.FlowTime != 0 {
		return FlowSteps(s.FlowTime, s.Train.Eta)
	}
	return s.Train.MaxSteps
}

// NextLogProbe returns the first step after step on the trajectory
// schedule of Spec.Early = early: every step up to early, then
// g₀ = early, g_{k+1} = max(g_k + 1, ⌈5g_k/4⌉) (integers, so the
// schedule is exact on every platform).
func NextLogProbe(step, early int) int {
	if step < early {
		return step + 1
	}
	g := max(early, 1)
	for g <= step {
		g = max(g+1, (5*g+3)/4)
	}
	return g
}

// Source draws the training and test sets of a cell from its seed.
type Source interface {
	Draw(seed uint64) (train, test *data.Set, err error)
}

// Key is a canonical string of the spec (its JSON), used to memoize. The
// Source, if any, is not part of it.
func (s Spec) Key() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Fixed returns s with the stop rule disabled and exactly steps updates.
func (s Spec) Fixed(steps int) Spec {
	s.Train.MaxSteps, s.Train.Target = steps, 0
	return s
}

// Jittered returns s rerun from the j-th 1-ulp perturbation of its
// initialization (j ≥ 1; 0 is s itself).
func (s Spec) Jittered(j uint64) Spec {
	s.Jitter = j
	return s
}

// trainAttack returns the training attack on batches of n samples of M
// tokens (nil when τ ≤ 0: clean GD).
func (s Spec) trainAttack(M, n int) (train.Attacker, error) {
	if !(s.Tau > 0) {
		return nil, nil
	}
	cfg := attack.TrainConfig(s.Tau)
	if s.PGDSteps > 0 {
		cfg.Steps = s.PGDSteps
	}
	cfg.Set = s.Set
	return attack.NewPGD(cfg, s.Arch, M, n)
}

// jitter moves every parameter of m by one ulp, up or down by a sign from
// PCG(j, seed).
func jitter(m *vit.Model, j, seed uint64) {
	r := rand.New(rand.NewPCG(j, seed))
	for _, w := range [][]float64{m.WQK, m.Wv, m.Wo} {
		for i, v := range w {
			if r.IntN(2) == 0 {
				w[i] = math.Nextafter(v, math.Inf(1))
			} else {
				w[i] = math.Nextafter(v, math.Inf(-1))
			}
		}
	}
}
