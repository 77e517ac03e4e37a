package cell

import (
	"context"
	"errors"
	"fmt"
	"math"

	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// Run is one training of a Spec, with its trajectory.
type Run struct {
	Spec        Spec
	Init, Model *vit.Model // initial and final parameters
	Train, Test *data.Set
	Sig         data.Signals // signal vectors μ₊, μ₋ (zero with a Source)
	Result      train.Result
	Records     []train.Record // probes every Spec.Probe steps, on the Spec.Early schedule and at the end (none when both are 0)
	Losses      []float64      // (robust) training loss before every update, and at the end
}

// StepsTo returns the first step at which the (robust) training loss was
// below eps (THEORY §8 P6's steps to ε): 0 when eps = 0, −1 if never.
func (r *Run) StepsTo(eps float64) int {
	if eps == 0 {
		return 0
	}
	for step, l := range r.Losses {
		if l < eps {
			return step
		}
	}
	return -1
}

// DivergedError reports a training loss that became NaN or ±Inf in a
// Spec that does not allow it (Spec.AllowNonFinite).
type DivergedError struct {
	Loss float64
	Step int
	Spec Spec
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("cell: training diverged (loss %v at step %d) on %s", e.Loss, e.Step, e.Spec.Key())
}

// StoppedError reports a training cut short because its context was done
// (checked between two updates); the partial run is not the run of the
// Spec. Err is the context's error.
type StoppedError struct {
	Steps, MaxSteps int
	Err             error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("cell: training stopped after %d of at most %d updates: %v", e.Steps, e.MaxSteps, e.Err)
}

func (e *StoppedError) Unwrap() error { return e.Err }

type progressKey struct{}

// WithProgress returns a context under which Train calls f with the number
// of updates made before each update and once at the end (progress
// reports of the sweeps).
func WithProgress(ctx context.Context, f func(step int)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// ErrProbeWithSource is returned by Train for a Spec with a Source and
// Probe > 0 (a Source has no signal vectors to probe against).
var ErrProbeWithSource = errors.New("cell: a Spec with a Source cannot take trajectory probes (Probe must be 0)")

// Train draws the data and the initialization of s from s.Seed and trains:
// clean gradient descent when s.Tau = 0, adversarial training against
// PGD-K at budget τ otherwise (docs/THEORY.md §3.1), until the stop rule
// of s.Train fires or s.Train.MaxSteps updates are made. Training is
// deterministic in s: the data, initialization and attack streams all come
// from s.Seed (package rng).
//
// ctx is checked between two updates: once it is done, Train returns the
// partial run and a *StoppedError. A context that is never done changes
// nothing, bit for bit. A loss that turns NaN or ±Inf gives a
// *DivergedError unless s.AllowNonFinite.
func Train(ctx context.Context, s Spec) (*Run, error) {
	if s.Source != nil && (s.Probe > 0 || s.Early > 0) {
		return nil, ErrProbeWithSource
	}
	opt := s.Train
	if s.FlowTime != 0 {
		if opt.MaxSteps = s.Steps(); opt.MaxSteps == 0 {
			return nil, &FlowError{FlowTime: s.FlowTime, Eta: s.Train.Eta}
		}
	}
	var tr, te *data.Set
	var sig data.Signals
	var err error
	if s.Source != nil {
		tr, te, err = s.Source.Draw(s.Seed)
	} else {
		tr, te, err = data.Draw(s.Data, s.Seed)
		sig = data.SignalsOf(s.Data)
	}
	if err != nil {
		return nil, err
	}
	m, err := vit.NewInit(s.Arch, s.Init, s.Seed)
	if err != nil {
		return nil, err
	}
	if s.Jitter != 0 {
		jitter(m, s.Jitter, s.Seed)
	}
	atk, err := s.trainAttack(tr.M, tr.N)
	if err != nil {
		return nil, err
	}
	t, err := train.New(m, tr, opt, atk)
	if err != nil {
		return nil, err
	}
	t.Stop = func() bool { return ctx.Err() != nil }
	progress, _ := ctx.Value(progressKey{}).(func(int))
	run := &Run{Spec: s, Init: m.Clone(), Model: m, Train: tr, Test: te, Sig: sig}
	var p *train.Prober
	if s.Probe > 0 || s.Early > 0 {
		p = train.NewProber(s.Arch, tr, te, sig, nil)
	}
	last, next := -1, 0 // next: the next step of the Early schedule
	run.Result = t.Run(func(step int, loss float64) {
		if progress != nil {
			progress(step)
		}
		run.Losses = append(run.Losses, loss)
		early := s.Early > 0 && step == next
		if early {
			next = NextLogProbe(step, s.Early)
		}
		if p != nil && (early || s.Probe > 0 && step%s.Probe == 0) {
			run.Records = append(run.Records, p.Record(m, step))
			last = step
		}
	})
	if run.Result.Stopped {
		return run, &StoppedError{Steps: run.Result.Steps, MaxSteps: opt.MaxSteps, Err: ctx.Err()}
	}
	if p != nil && last != run.Result.Steps {
		run.Records = append(run.Records, p.Record(m, run.Result.Steps))
	}
	if !s.AllowNonFinite {
		for step, v := range run.Losses {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &DivergedError{Loss: v, Step: step, Spec: s}
			}
		}
	}
	return run, nil
}
