package cell_test

import (
	"errors"
	"math"
	"testing"

	"vitadv/model/cell"
)

// flowStepsRef is the definition of FlowSteps by search: the smallest
// T ≥ 1 with T·η ≥ flowTime in float64.
func flowStepsRef(flowTime, eta float64) int {
	n := 1
	for float64(n)*eta < flowTime {
		n++
	}
	return n
}

// TestFlowSteps checks FlowSteps against its definition by search on the
// step sizes and flow times of the η-axis sweeps and on values whose
// division rounds across an integer, and that it refuses bad arguments.
func TestFlowSteps(t *testing.T) {
	for _, eta := range []float64{0.1, 0.01, 0.001, 0.3, 0.7, 1.0 / 3, 0.05, 2} {
		for _, ft := range []float64{0.1, 0.3, 0.7, 1, 1.5, 3, 7, 15, 15.000000000000002, 14.999999999999998, 0.001, 2.1} {
			got, want := cell.FlowSteps(ft, eta), flowStepsRef(ft, eta)
			if got != want {
				t.Errorf("FlowSteps(%v, %v) = %d, want %d", ft, eta, got, want)
			}
			if float64(got)*eta < ft || got > 1 && float64(got-1)*eta >= ft {
				t.Errorf("FlowSteps(%v, %v) = %d is not the first T with T·η ≥ η·T", ft, eta, got)
			}
		}
	}
	// The η·T of the ci example: 15 at η = 0.1, 0.01, 0.001.
	for eta, want := range map[float64]int{0.1: 150, 0.01: 1500, 0.001: 15000} {
		if got := cell.FlowSteps(15, eta); got != want {
			t.Errorf("FlowSteps(15, %v) = %d, want %d", eta, got, want)
		}
	}
	for _, bad := range [][2]float64{{0, 0.1}, {-1, 0.1}, {1, 0}, {math.NaN(), 0.1}, {1, math.NaN()}, {math.Inf(1), 0.1}, {1e12, 1e-6}} {
		if got := cell.FlowSteps(bad[0], bad[1]); got != 0 {
			t.Errorf("FlowSteps(%v, %v) = %d, want 0 (refused)", bad[0], bad[1], got)
		}
	}
}

// TestTrainFlowTime: a Spec with FlowTime trains FlowSteps(FlowTime, η)
// updates whatever Train.MaxSteps says, unless the target stops it first,
// and gives the same bits as the Fixed run of that many steps; a bad
// FlowTime is a *FlowError, never a panic.
func TestTrainFlowTime(t *testing.T) {
	s := small()
	s.Train.Target = 0
	s.Train.MaxSteps = 3 // overridden by the flow time
	s.FlowTime = 2.6     // η = 0.5: 6 updates (5·0.5 = 2.5 < 2.6)
	if got := s.Steps(); got != 6 {
		t.Fatalf("Steps() = %d, want 6", got)
	}
	r := mustTrain(t, s)
	if r.Result.Steps != 6 || len(r.Losses) != 7 {
		t.Fatalf("FlowTime 2.6 at η = 0.5: %d updates, %d losses; want 6 and 7", r.Result.Steps, len(r.Losses))
	}
	ref := mustTrain(t, small().Fixed(6))
	if !sameBits(r.Losses, ref.Losses) {
		t.Errorf("FlowTime run differs from the Fixed(6) run:\n%v\n%v", r.Losses, ref.Losses)
	}
	// The target still ends the run first: a loose target stops at once.
	s.Train.Target = 1e9
	if r := mustTrain(t, s); r.Result.Steps != 0 || !r.Result.Converged {
		t.Errorf("target 1e9 under FlowTime: %d steps, converged %v; want 0, true", r.Result.Steps, r.Result.Converged)
	}
	s.FlowTime = -1
	var fe *cell.FlowError
	if _, err := cell.Train(t.Context(), s); !errors.As(err, &fe) {
		t.Errorf("FlowTime -1: err = %v, want *cell.FlowError", err)
	}
}

// TestNextLogProbe: every step up to Early, then a schedule growing by
// 5/4 (at least one step), and Train's records follow it.
func TestNextLogProbe(t *testing.T) {
	var got []int
	for s := 0; s <= 100; s = cell.NextLogProbe(s, 20) {
		got = append(got, s)
	}
	want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 25, 32, 40, 50, 63, 79, 99}
	if !equalInts(got, want) {
		t.Errorf("schedule of Early = 20 = %v, want %v", got, want)
	}
	got = got[:0]
	for s := 0; s <= 10; s = cell.NextLogProbe(s, 1) {
		got = append(got, s)
	}
	if want := []int{0, 1, 2, 3, 4, 5, 7, 9}; !equalInts(got, want) {
		t.Errorf("schedule of Early = 1 = %v, want %v", got, want)
	}

	s := small()
	s.Probe, s.Early, s.Train.Target = 0, 3, 0
	s.Train.MaxSteps = 12
	r := mustTrain(t, s)
	var steps []int
	for _, rec := range r.Records {
		steps = append(steps, rec.Step)
	}
	if want := []int{0, 1, 2, 3, 4, 5, 7, 9, 12}; !equalInts(steps, want) {
		t.Errorf("probes of Early = 3, 12 steps = %v, want %v (schedule and the final step)", steps, want)
	}
	// Early adds probes, it changes no training bit.
	s.Early = 0
	if ref := mustTrain(t, s); !sameBits(r.Losses, ref.Losses) {
		t.Error("Early changed the training losses")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
