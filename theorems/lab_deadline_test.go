package theorems

import (
	"errors"
	"math"
	"testing"
	"time"

	"vitadv/model/attack"
)

// sameRun reports whether two runs are bit for bit the same training:
// steps, losses and final parameters.
func sameRun(a, b *Run) bool {
	if a.Result.Steps != b.Result.Steps || len(a.Losses) != len(b.Losses) {
		return false
	}
	for i := range a.Losses {
		if math.Float64bits(a.Losses[i]) != math.Float64bits(b.Losses[i]) {
			return false
		}
	}
	for _, p := range [][2][]float64{{a.Model.WQK, b.Model.WQK}, {a.Model.Wv, b.Model.Wv}, {a.Model.Wo, b.Model.Wo}} {
		for i := range p[0] {
			if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
				return false
			}
		}
	}
	return true
}

// longInst is a tiny adversarial run of 200 fixed updates (tens of
// milliseconds or more: PGD-10 per update).
func longInst() Instance { return Tiny().Cell(8, 16, 0.1, 1).Fixed(200) }

// steppedClock returns a clock that reads t0, t0+1ms, t0+2ms, … on
// successive calls: deadlines fire after a known number of reads.
func steppedClock(t0 time.Time) func() time.Time {
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n-1) * time.Millisecond) }
}

// TestLabDeadlineStopsTraining: a deadline that passes during a training
// stops it before its next update (on a stepped clock: the Lab reads it
// once to admit the training, then once before every update, so a deadline
// 10 ms ahead stops the run after exactly 9 updates), the cut run is not
// memoized (Started and Stopped say so), and training the same instance
// afterwards without a deadline gives bit for bit the run of a fresh Lab:
// the memo holds no truncated run.
func TestLabDeadlineStopsTraining(t *testing.T) {
	inst := longInst()
	lab := NewLab()
	t0 := time.Now()
	lab.now = steppedClock(t0)
	lab.SetDeadline(t0.Add(10 * time.Millisecond))
	r, err := lab.Train(inst)
	var de *DeadlineError
	if !errors.As(err, &de) || !errors.Is(err, ErrDeadline) || r != nil {
		t.Fatalf("Train past the deadline = (%v, %v), want a *DeadlineError", r, err)
	}
	if !de.Started || de.Steps != 9 || de.MaxSteps != 200 {
		t.Errorf("DeadlineError = %+v, want a training stopped after 9 of 200 updates", de)
	}
	lab.now = time.Now
	if lab.Started() != 0 || lab.Stopped() != 1 {
		t.Errorf("after the cut: Started = %d, Stopped = %d, want 0 and 1", lab.Started(), lab.Stopped())
	}
	lab.SetDeadline(time.Time{})
	got, err := lab.Train(inst)
	if err != nil {
		t.Fatalf("Train without deadline after a cut: %v", err)
	}
	want, err := NewLab().Train(inst)
	if err != nil {
		t.Fatal(err)
	}
	if got.Result.Steps != 200 || !sameRun(got, want) {
		t.Errorf("the run after a cut (%d steps) differs from a fresh Lab's (%d steps)", got.Result.Steps, want.Result.Steps)
	}
	if lab.Started() != 1 || lab.Stopped() != 1 {
		t.Errorf("Started = %d, Stopped = %d, want 1 and 1", lab.Started(), lab.Stopped())
	}
	// A memoized run is served past a deadline; a new robust evaluation is
	// refused (and not memoized: it runs once the deadline is lifted).
	lab.SetDeadline(time.Now().Add(-time.Second))
	if again, err := lab.Train(inst); err != nil || again != got {
		t.Errorf("memoized Train past the deadline = (%p, %v), want the memoized run %p", again, err, got)
	}
	if _, err := lab.Robust(got, true, attack.Frobenius, inst.Tau); !errors.Is(err, ErrDeadline) {
		t.Errorf("Robust past the deadline: err = %v, want ErrDeadline", err)
	}
	if _, _, err := lab.Bracket(got, true, attack.Frobenius, inst.Tau); !errors.Is(err, ErrDeadline) {
		t.Errorf("Bracket past the deadline: err = %v, want ErrDeadline", err)
	}
	if _, err := lab.Train(inst.Jittered(1)); !errors.Is(err, ErrDeadline) || lab.Started() != 1 {
		t.Errorf("new Train past the deadline: err = %v, Started = %d, want ErrDeadline and 1", err, lab.Started())
	}
	lab.SetDeadline(time.Time{})
	if _, _, err := lab.Bracket(got, true, attack.Frobenius, inst.Tau); err != nil {
		t.Errorf("Bracket after lifting the deadline: %v", err)
	}
}

// TestLabFarDeadlineChangesNothing: a deadline that never comes leaves
// the training bit for bit as without one.
func TestLabFarDeadlineChangesNothing(t *testing.T) {
	inst := Tiny().Cell(8, 16, 0.1, 2)
	lab := NewLab()
	lab.SetDeadline(time.Now().Add(time.Hour))
	got, err := lab.Train(inst)
	if err != nil {
		t.Fatal(err)
	}
	want, err := NewLab().Train(inst)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRun(got, want) || lab.Stopped() != 0 {
		t.Errorf("a far deadline changed the run (steps %d vs %d) or stopped %d", got.Result.Steps, want.Result.Steps, lab.Stopped())
	}
}
