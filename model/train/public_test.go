package train_test

import (
	"errors"
	"math"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// easy returns a well-separated training and test set and a fresh model.
func easy(t *testing.T) (*data.Set, *data.Set, *vit.Model) {
	t.Helper()
	set, test, err := data.Draw(data.Config{D: 16, M: 4, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1, Project: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: set.D, Dh: 4, Dv: 4}, vit.DefaultInit(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return set, test, m
}

// TestRunFromOutside checks Trainer.Run's contract through the exported
// API: the observer sees steps 0, 1, …, Steps with the loss before each
// update and, last, the final loss, which is Result.Loss; a converged run
// stops at the first loss below Target, and Result.Loss is the training
// loss of the final model as Evaluate measures it; the robust training loss of an adversarial run is at least its clean
// training loss (Δ = 0 is in the ball). Negative control: Target = 0 runs
// exactly MaxSteps and does not report convergence.
func TestRunFromOutside(t *testing.T) {
	set, _, m0 := easy(t)
	cfg := train.Config{Eta: 0.5, MaxSteps: 300, Target: 0.05}
	tr, err := train.New(m0.Clone(), set, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64
	res := tr.Run(func(step int, loss float64) {
		if step != len(seen) {
			t.Fatalf("observer got step %d after %d calls", step, len(seen))
		}
		seen = append(seen, loss)
	})
	if !res.Converged || !(res.Loss < cfg.Target) || res.Steps+1 != len(seen) || res.Steps >= cfg.MaxSteps {
		t.Fatalf("result %+v after %d observer calls, want convergence below %g before %d steps", res, len(seen), cfg.Target, cfg.MaxSteps)
	}
	if last := seen[len(seen)-1]; last != res.Loss {
		t.Errorf("last observed loss %.17g, Result.Loss %.17g", last, res.Loss)
	}
	for i, l := range seen[:res.Steps] {
		if !(l >= cfg.Target) {
			t.Errorf("step %d: loss %g already below Target, but training went on", i, l)
		}
	}
	ev := train.Evaluate(tr.Model, vit.NewWorkspace(m0.Arch, set.M, set.N), set, nil, nil)
	if !(math.Abs(ev.Loss-res.Loss) <= 1e-12*res.Loss) {
		t.Errorf("Result.Loss %.17g, training loss of the final model %.17g", res.Loss, ev.Loss)
	}

	pgd, err := attack.NewPGD(attack.TrainConfig(0.5), m0.Arch, set.M, set.N)
	if err != nil {
		t.Fatal(err)
	}
	adv, err := train.New(m0.Clone(), set, cfg, pgd)
	if err != nil {
		t.Fatal(err)
	}
	ares := adv.Run(nil)
	clean := train.Evaluate(adv.Model, vit.NewWorkspace(m0.Arch, set.M, set.N), set, nil, nil)
	if !(ares.Loss >= clean.Loss) {
		t.Errorf("adversarial run: robust training loss %g below the clean one %g", ares.Loss, clean.Loss)
	}

	cfg.Target = 0
	cfg.MaxSteps = 40
	full, err := train.New(m0.Clone(), set, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := full.Run(nil); r.Converged || r.Steps != 40 {
		t.Errorf("Target 0: %+v, want 40 steps and no convergence", r)
	}
}

// TestStopFromOutside: a Stop hook that fires before update k leaves a
// model with exactly k updates, Result.Stopped set; bad settings are a
// *valid.Error naming the field before anything is trained.
func TestStopFromOutside(t *testing.T) {
	set, _, m0 := easy(t)
	tr, err := train.New(m0.Clone(), set, train.Config{Eta: 0.5, MaxSteps: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	tr.Stop = func() bool { calls++; return calls > 7 }
	res := tr.Run(nil)
	if !res.Stopped || res.Steps != 7 || tr.Steps() != 7 {
		t.Errorf("Stop after 7 updates: %+v, trainer at %d steps", res, tr.Steps())
	}
	for _, c := range []struct {
		field string
		cfg   train.Config
	}{
		{"Eta", train.Config{Eta: math.Inf(1), MaxSteps: 10}},
		{"MaxSteps", train.Config{Eta: 0.1, MaxSteps: -1}},
		{"Target", train.Config{Eta: 0.1, MaxSteps: 10, Target: -1}},
	} {
		_, err := train.New(m0.Clone(), set, c.cfg, nil)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%+v: %v, want a *valid.Error on %s", c.cfg, err, c.field)
		}
	}
}
