package theorems

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"time"

	"vitadv/model/attack"
	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Scale fixes the sizes statements are instantiated at. A scale's name says
// its size, the same in every command (hunt, calibrate, properties) and in
// results/REPORT.md's by-scale table:
//
//	tiny:  d = 64,   M = 4,  d_h = d_v = 32  (the property tests' default)
//	ci:    d = 128,  M = 8,  d_h = d_v = 64  (the ci preset's size)
//	mid:   d = 256,  M = 8,  d_h = d_v = 128 (docs/THEORY.md §6.5's CI-scale config)
//	paper: d = 1024, M = 16, d_h = d_v = 512 (the paper's heatmap size, THEORY §2.2)
//
// The property tests select one with VITADV_SCALE (ScaleFromEnv).
type Scale struct {
	Name       string `json:"name"`
	D, M       int
	Dh, Dv     int
	NTest      int `json:"n_test"`
	MechSteps  int `json:"mech_steps"`  // fixed horizon of the mechanism statements (P3, P4)
	MaxSteps   int `json:"max_steps"`   // cap of the stop-rule runs
	Replicates int `json:"replicates"`  // seeds per cell for replicate statements (P1)
	ProbeEvery int `json:"probe_every"` // steps between trajectory probes
	// StepFrac, when positive, puts the scale's runs inside THEORY §4.1's
	// step-size hypothesis η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹} at
	// CetaTheory = 1: a cell trains with η = StepFrac·min{‖μ‖⁻², (σ₂²d)⁻¹}
	// (StepFrac in (0, 1]) in place of the scripts' η = 0.1, and every
	// step count of the scale (MaxSteps, MechSteps, ProbeEvery) becomes the
	// number of steps that reaches the same gradient-flow time η·T as at
	// η = 0.1 (Steps). 0 (the named scales): η = 0.1. cmd/hunt -step-frac.
	StepFrac float64 `json:"step_frac,omitempty"`
}

// ValidStepFrac checks a value of Scale.StepFrac: 0 (η = ScriptsEta) or in
// (0, 1], inside THEORY's step-size hypothesis at CetaTheory = 1. It is
// the one rule of cmd/hunt -step-frac, its counterexample files and run
// logs, and VITADV_STEP_FRAC.
func ValidStepFrac(f float64) error {
	if f == 0 || f > 0 && f <= 1 {
		return nil
	}
	return errors.New("must be 0 (η = 0.1) or in (0, 1]")
}

// ScriptsEta is the scripts' step size η = 0.1, the step of every scale
// with StepFrac = 0; a scale's step counts are counted at it.
const ScriptsEta = 0.1

// Eta returns the step size of the scale's runs on data law dc: ScriptsEta
// when StepFrac = 0, else StepFrac·min{‖μ‖⁻², (σ₂²d)⁻¹} = StepFrac/R² with
// R = max{‖μ‖, σ₂√d} (RunFacts.StepLimitTheory at CetaTheory = 1).
func (s Scale) Eta(dc data.Config) float64 {
	if s.StepFrac == 0 {
		return ScriptsEta
	}
	r := tokenNormBound(dc.Mu(), dc.Sigma2, dc.D)
	return s.StepFrac / (r * r)
}

// Steps returns the number of steps at step size eta that reaches the
// gradient-flow time of n steps at ScriptsEta: n itself at ScriptsEta,
// else cell.FlowSteps(n·ScriptsEta, eta) (at least 1; 0 only when that
// exceeds cell.MaxFlowSteps).
func (s Scale) Steps(n int, eta float64) int {
	if eta == ScriptsEta || n <= 0 {
		return n
	}
	return cell.FlowSteps(float64(n)*ScriptsEta, eta)
}

// Mech returns inst with the fixed horizon of the mechanism statements:
// MechSteps steps at ScriptsEta, the same flow time at inst's own η.
func (s Scale) Mech(inst Instance) Instance {
	return inst.Fixed(s.Steps(s.MechSteps, inst.Train.Eta))
}

// Tiny is the property-test scale: d = 64, M = 4, d_h = d_v = 32, 100 test
// points, mechanism runs of 500 steps (P4's horizon), stop-rule runs capped at 1000 steps.
func Tiny() Scale {
	return Scale{Name: "tiny", D: 64, M: 4, Dh: 32, Dv: 32, NTest: 100, MechSteps: 500, MaxSteps: 1000, Replicates: 3, ProbeEvery: 10}
}

// CI is the ci preset's size: d = 128, M = 8, d_h = d_v = 64, 200 test
// points, 600-step mechanism runs (the ci dynamics horizon), 3 replicates.
func CI() Scale {
	return Scale{Name: "ci", D: 128, M: 8, Dh: 64, Dv: 64, NTest: 200, MechSteps: 600, MaxSteps: 1000, Replicates: 3, ProbeEvery: 20}
}

// Mid is docs/THEORY.md §6.5's CI-scale config: d = 256, M = 8, d_h = d_v = 128,
// 200 test points, 1000-step mechanism runs, 5 replicates. (Named "paper"
// before the paper's own size got a scale; hunt files that record the old
// name are read as mid, see ScaleByName.)
func Mid() Scale {
	return Scale{Name: "mid", D: 256, M: 8, Dh: 128, Dv: 128, NTest: 200, MechSteps: 1000, MaxSteps: 2000, Replicates: 5, ProbeEvery: 20}
}

// Paper is the paper's heatmap size (THEORY §2.2): d = 1024, M = 16,
// d_h = d_v = 512, 100 test points (the paper preset's), stop-rule runs
// capped at the paper's 1000 steps, 400-step mechanism runs (M = 16 times
// the ~25 steps a clean benign run needs: room for the predicted M-fold
// slowdown), 2 replicates. An adversarial step at N = 20 takes ~0.13 s on
// 2 cores (results/bench), so one check trains for minutes.
func Paper() Scale {
	return Scale{Name: "paper", D: 1024, M: 16, Dh: 512, Dv: 512, NTest: 100, MechSteps: 400, MaxSteps: 1000, Replicates: 2, ProbeEvery: 20}
}

// Scales lists the scales from the smallest.
func Scales() []Scale { return []Scale{Tiny(), CI(), Mid(), Paper()} }

// ScaleNames is the list of valid scale names, for flag messages.
const ScaleNames = "tiny (d=64), ci (d=128), mid (d=256) or paper (d=1024)"

// ScaleError reports an unknown scale name.
type ScaleError struct{ Name string }

func (e *ScaleError) Error() string {
	return fmt.Sprintf("unknown scale %q: want %s", e.Name, ScaleNames)
}

// ScaleByName returns the scale called name, for the -scale flags of the
// commands and VITADV_SCALE.
func ScaleByName(name string) (Scale, error) {
	for _, s := range Scales() {
		if s.Name == name {
			return s, nil
		}
	}
	return Scale{}, &ScaleError{Name: name}
}

// CurrentScaleName returns the name that a scale recorded in a file as
// name, with token dimension d, has today: "paper" with d = 256 was written
// when "paper" named THEORY §6.5's d = 256 scale (now Mid), so it reads as
// "mid"; any other name is itself. It is the one home of that rule, for
// cmd/hunt's counterexample files and the conversion of its text logs.
func CurrentScaleName(name string, d int) string {
	if mid := Mid(); name == "paper" && d == mid.D {
		return mid.Name
	}
	return name
}

// ScaleFromEnv returns the scale named by VITADV_SCALE (Tiny when unset or
// empty) and a *ScaleError for any other name, so that a typo never runs
// the property tests at a silently different size.
//
// VITADV_STEP_FRAC, when set and not empty, sets the scale's StepFrac (a
// number in [0, 1]; anything else is a *valid.Error naming the variable),
// so that the property tests draw inside THEORY's step-size hypothesis and
// replay the hunts' counterexamples found there (cmd/hunt -step-frac).
func ScaleFromEnv() (Scale, error) {
	sc := Tiny()
	if name := os.Getenv("VITADV_SCALE"); name != "" {
		var err error
		if sc, err = ScaleByName(name); err != nil {
			return sc, err
		}
	}
	if v := os.Getenv("VITADV_STEP_FRAC"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			err = ValidStepFrac(f)
		}
		if err != nil {
			return sc, &valid.Error{Field: "VITADV_STEP_FRAC", Value: v, Rule: "must be 0 (η = 0.1) or a number in (0, 1]"}
		}
		sc.StepFrac = f
	}
	return sc, nil
}

// Instance is one fully specified, replayable experiment: the data law, the
// architecture, the initialization, the optimizer, the adversarial-training
// budget and the seed (cell.Spec, the one spec every caller trains through).
// It is what cmd/hunt writes to a counterexample file.
type Instance = cell.Spec

// Cell returns the instance of scale s at N training points, N·SNR₂² = c,
// adversarial budget tau = tauRel·‖μ‖ and seed, with the projected noise
// law, σ₂ = 4, σ_w = 0.2 (THEORY §6.5), Gaussian init (c = 16) and the
// scripts' optimizer (η = 0.1, stop at loss < 0.01, capped at s.MaxSteps)
// — or, when s.StepFrac > 0, η = s.Eta(dc) inside THEORY's step-size
// hypothesis, with the cap and the probe interval at the same flow times.
func (s Scale) Cell(n int, c, tauRel float64, seed uint64) Instance {
	dc := data.Config{D: s.D, M: s.M, N: n, NTest: s.NTest, SNR2: math.Sqrt(c / float64(n)), Sigma2: 4, SigmaW: 0.2, Project: true}
	eta := s.Eta(dc)
	return Instance{
		Data: dc, Arch: vit.Arch{D: s.D, Dh: s.Dh, Dv: s.Dv}, Init: vit.DefaultInit(),
		Train: train.Config{Eta: eta, MaxSteps: s.Steps(s.MaxSteps, eta), Target: 0.01},
		Tau:   tauRel * dc.Mu(), Seed: seed, Probe: s.Steps(s.ProbeEvery, eta),
	}
}

// NSNR2 returns N·SNR² for the SNR chosen by k.SNR.
func (k Consts) NSNR2(dc data.Config) float64 {
	s := dc.SNRStrong()
	if k.SNR == "weak" {
		s = dc.SNRWeak()
	}
	return float64(dc.N) * s * s
}

// Run is one training of an instance, with its trajectory.
type Run struct {
	Inst        Instance
	Init, Model *vit.Model // initial and final parameters
	Train, Test *data.Set
	Sig         data.Signals
	Result      train.Result
	Records     []train.Record // probes every Inst.Probe steps, and at the end
	Losses      []float64      // (robust) training loss before every update, and at the end
}

// Last returns the final probe.
func (r *Run) Last() train.Record { return r.Records[len(r.Records)-1] }

// Lab trains instances and memoizes the runs, so that several statements
// (and several rapid checks landing on the same grid cell) share one
// training. It is safe for concurrent use; a zero Lab is not: use NewLab.
//
// A Lab may carry a deadline (SetDeadline, cmd/hunt's per-check budget):
// past it, trainings stop between two updates and new trainings and robust
// evaluations are refused, with a *DeadlineError. A training cut short is
// not memoized (see Train).
type Lab struct {
	mu       sync.Mutex
	runs     map[string]*labEntry
	rob      map[string]*robEntry
	tracing  bool
	traced   []Instance
	deadline time.Time        // zero: none
	stopped  int              // trainings cut short by the deadline
	now      func() time.Time // the clock the deadline is read on (time.Now; tests step it)
}

type labEntry struct {
	once sync.Once
	run  *Run
	err  error
}

type robEntry struct {
	once sync.Once
	r    attack.Robust
	err  error
}

// NewLab returns an empty Lab.
func NewLab() *Lab {
	return &Lab{runs: map[string]*labEntry{}, rob: map[string]*robEntry{}, now: time.Now}
}

// Train returns the (memoized) run of inst. Training is deterministic in
// inst (data, init and attack streams come from inst.Seed).
//
// Past the Lab's deadline a new training is refused, and a training under
// way stops before its next update; both return a *DeadlineError. A
// training cut short is dropped from the memo (callers already waiting on
// it share the error): a cut run is not the run of inst, so a later call —
// under a later deadline or none — trains inst again from the start and
// gets, by determinism, exactly the run an uncut training gives.
func (l *Lab) Train(inst Instance) (*Run, error) {
	key := inst.Key()
	l.mu.Lock()
	if l.tracing {
		l.traced = append(l.traced, inst)
	}
	e, ok := l.runs[key]
	if !ok {
		if l.expiredLocked() {
			l.mu.Unlock()
			return nil, &DeadlineError{What: "training", MaxSteps: inst.Train.MaxSteps}
		}
		e = &labEntry{}
		l.runs[key] = e
	}
	stop := l.stopLocked()
	l.mu.Unlock()
	e.once.Do(func() { e.run, e.err = trainInstance(inst, stop) })
	if errors.Is(e.err, ErrDeadline) {
		l.mu.Lock()
		if l.runs[key] == e {
			delete(l.runs, key)
			l.stopped++
		}
		l.mu.Unlock()
	}
	return e.run, e.err
}

// trainInstance trains inst (cell.Train, with the NaN guard: a statement
// is never decided on a diverged run); a non-nil stop is asked before every
// update and, once true, ends the training with a *DeadlineError.
func trainInstance(inst Instance, stop func() bool) (*Run, error) {
	var ctx context.Context = context.Background()
	if stop != nil {
		ctx = stopContext{ctx, stop}
	}
	spec := inst
	spec.Probe = max(inst.Probe, 1)
	spec.AllowNonFinite = false
	r, err := cell.Train(ctx, spec)
	var se *cell.StoppedError
	if errors.As(err, &se) {
		return nil, &DeadlineError{What: "training", Started: true, Steps: se.Steps, MaxSteps: inst.Train.MaxSteps}
	}
	if err != nil {
		return nil, err
	}
	return &Run{Inst: inst, Init: r.Init, Model: r.Model, Train: r.Train, Test: r.Test, Sig: r.Sig,
		Result: r.Result, Records: r.Records, Losses: r.Losses}, nil
}

// stopContext is a context whose Err reports the Lab's deadline as read by
// stop on the Lab's own clock (which tests step), so that cell.Train, which
// polls Err between two updates, stops exactly where the Lab's rule says.
type stopContext struct {
	context.Context
	stop func() bool
}

func (c stopContext) Err() error {
	if c.stop() {
		return context.DeadlineExceeded
	}
	return c.Context.Err()
}

// cellRun is r as a cell.Run, for the evaluations of package cell.
func (r *Run) cellRun() *cell.Run {
	return &cell.Run{Spec: r.Inst, Init: r.Init, Model: r.Model, Train: r.Train, Test: r.Test, Sig: r.Sig,
		Result: r.Result, Records: r.Records, Losses: r.Losses}
}

// Trace runs f and returns, in order and without repeats, every instance
// f asked the Lab to train (memoized or not): the trainings a statement's
// verdict at one point rests on. Trace must not be nested or called
// concurrently with itself.
func (l *Lab) Trace(f func()) []Instance {
	l.mu.Lock()
	l.tracing, l.traced = true, nil
	l.mu.Unlock()
	f()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tracing = false
	seen := map[string]bool{}
	var out []Instance
	for _, inst := range l.traced {
		if k := inst.Key(); !seen[k] {
			seen[k] = true
			out = append(out, inst)
		}
	}
	l.traced = nil
	return out
}

// robEntryFor returns the memo entry of key, creating it on first use (its
// once computes the value; concurrent callers share it). Past the Lab's
// deadline it refuses to create one (a *DeadlineError): an evaluation
// already memoized or under way is shared, a new one is not started. An
// evaluation started before the deadline runs to its end (the attacks and
// the certifier take no stop hook), which bounds how far a check overruns.
func (l *Lab) robEntryFor(key string) (*robEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.rob[key]
	if !ok {
		if l.expiredLocked() {
			return nil, &DeadlineError{What: "robust evaluation"}
		}
		e = &robEntry{}
		l.rob[key] = e
	}
	return e, nil
}

// Robust returns the (memoized) robust evaluation of the final model of r
// on its test set (test = true) or training set at budget tau in set: the
// worst case per point over PGD-20 with 5 restarts, APGD-100 and the exact
// midpoint and erase attacks (attack.RobustEval, THEORY §3.2 evaluation
// protocol). Its Error is the lower end of the bracket (see Bracket).
func (l *Lab) Robust(r *Run, test bool, set attack.Set, tau float64) (attack.Robust, error) {
	e, err := l.robEntryFor(fmt.Sprintf("%s|%v|%s|%v", r.Inst.Key(), test, set, tau))
	if err != nil {
		return attack.Robust{}, err
	}
	e.once.Do(func() {
		e.r, e.err = r.cellRun().Robust(test, cell.DefaultProtocol(), set, tau)
	})
	return e.r, e.err
}

// RobustEval is cell.DefaultProtocol().Robust: PGD-20 × 5, APGD-100 and
// the exact midpoint and erase attacks, worst case per point.
func RobustEval(m *vit.Model, s *data.Set, sig data.Signals, set attack.Set, tau float64, seed uint64) (attack.Robust, error) {
	return cell.DefaultProtocol().Robust(m, s, sig, set, tau, seed)
}

// CertifiedErrUB returns robust_err_ub of m on s at budget tau in set: the
// fraction of points the certifier (package certify) does not certify.
func CertifiedErrUB(m *vit.Model, s *data.Set, set attack.Set, tau float64) (float64, error) {
	c, err := certify.New(m, s.M)
	if err != nil {
		return math.NaN(), err
	}
	r, err := c.Evaluate(s, set, tau)
	if err != nil {
		return math.NaN(), err
	}
	return r.ErrUB, nil
}

// Bracket returns the (memoized) robust-error bracket of the final model
// of r: lb from Robust (attacks), ub = 1 − certified fraction.
func (l *Lab) Bracket(r *Run, test bool, set attack.Set, tau float64) (lb, ub float64, err error) {
	rob, err := l.Robust(r, test, set, tau)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	e, err := l.robEntryFor(fmt.Sprintf("cert|%s|%v|%s|%v", r.Inst.Key(), test, set, tau))
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	e.once.Do(func() {
		cr, err := r.cellRun().Certify(test, set, tau)
		ub := cr.ErrUB
		if err != nil {
			ub = math.NaN()
		}
		e.r, e.err = attack.Robust{Error: ub}, err
	})
	return rob.Error, e.r.Error, e.err
}

// Chaos is one run quantity measured on the nominal run of an instance and
// on reruns from 1-ulp perturbations of its initialization (Jitter = 1, 2,
// …). A quantity whose Spread is comparable to the margin of a verdict on it
// is chaotic under rounding: a different kernel build (another summation
// order in a GEMM) may flip that verdict, so claims on it are stated over a
// distribution of seeds, not one trajectory.
type Chaos struct {
	Nominal   float64
	Perturbed []float64
}

// Spread returns max_j |Perturbed[j] − Nominal| (NaN if any value is NaN,
// 0 without reruns).
func (c Chaos) Spread() float64 {
	s := 0.0
	for _, p := range c.Perturbed {
		d := math.Abs(p - c.Nominal)
		if math.IsNaN(d) {
			return math.NaN()
		}
		s = math.Max(s, d)
	}
	return s
}

func (c Chaos) String() string {
	return fmt.Sprintf("nominal %.6g, 1-ulp reruns %.6g (spread %.3g)", c.Nominal, c.Perturbed, c.Spread())
}

// Chaos trains inst and reruns reruns ≥ 1 jittered copies of it (memoized
// like every Lab run), and returns q on each.
func (l *Lab) Chaos(inst Instance, reruns int, q func(*Run) float64) (Chaos, error) {
	if reruns < 1 {
		return Chaos{}, fmt.Errorf("theorems: Chaos: reruns = %d, want ≥ 1", reruns)
	}
	r, err := l.Train(inst)
	if err != nil {
		return Chaos{}, err
	}
	c := Chaos{Nominal: q(r)}
	for j := 1; j <= reruns; j++ {
		rj, err := l.Train(inst.Jittered(uint64(j)))
		if err != nil {
			return Chaos{}, err
		}
		c.Perturbed = append(c.Perturbed, q(rj))
	}
	return c, nil
}
