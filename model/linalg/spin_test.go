package linalg

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestParseSpin: VITADV_GEMM_SPIN takes a duration in [0, 1ms]; anything
// else is a typed error naming the variable and the value, and leaves 0.
func TestParseSpin(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
		bad  bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"50us", 50 * time.Microsecond, false},
		{"1ms", time.Millisecond, false},
		{"1.5ms", 0, true},
		{"-1us", 0, true},
		{"50", 0, true},
		{"fast", 0, true},
	} {
		got, err := parseSpin(tc.v)
		var ee *EnvError
		if got != tc.want || (err != nil) != tc.bad || (tc.bad && !(errors.As(err, &ee) && ee.Var == SpinEnv && ee.Value == tc.v && strings.Contains(err.Error(), SpinEnv))) {
			t.Errorf("parseSpin(%q) = %v, %v; want %v, error %v", tc.v, got, err, tc.want, tc.bad)
		}
	}
}

// TestGemmSpin: with polling threads (SpinEnv) split products give the
// bits they give without, at GOMAXPROCS 2 and 3, over back-to-back calls
// (where the polling worker picks the next call's blocks up) and calls
// spaced beyond the polling time (where it has parked), and allocate
// nothing.
func TestGemmSpin(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer spinWait.Store(spinWait.Load())
	for _, tc := range []gemmCase{
		{false, false, 97, 301, 600, 1, 0.5, 0},
		{true, false, 301, 97, 333, -1, 0, 2},
		{false, true, 200, 300, 256, 1, 1, 0},
	} {
		a, lda, b, ldb, c, ldc := tc.operands(9)
		spinWait.Store(0)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		ref := append([]float64(nil), c...)
		for _, procs := range []int{2, 3} {
			runtime.GOMAXPROCS(procs)
			spinWait.Store(int64(200 * time.Microsecond))
			for call := range 6 {
				if call == 3 {
					time.Sleep(400 * time.Microsecond) // the workers park
				}
				_, _, _, _, c, _ := tc.operands(9)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
				for i := range c {
					if math.Float64bits(c[i]) != math.Float64bits(ref[i]) {
						t.Fatalf("%v: GOMAXPROCS=%d spin call %d: C[%d] = %x, want %x", tc, procs, call, i, math.Float64bits(c[i]), math.Float64bits(ref[i]))
					}
				}
			}
			f := func() { Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc) }
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("%v: spin: %g allocs per call, want 0", tc, n)
			}
		}
	}
}

// TestPollTasks: pollTasks returns a task already queued, one queued while
// it polls, and false (without a task, not before d has passed) when
// nothing comes. Negative control: a poll of 0 misses the late task.
func TestPollTasks(t *testing.T) {
	ch := make(chan task, 1)
	ch <- task{j: &job{}}
	if got, ok := pollTasks(ch, time.Millisecond); !ok || got.j == nil {
		t.Fatalf("queued task: pollTasks = %v, %v", got, ok)
	}
	late := func(d time.Duration) (task, bool) {
		go func() { time.Sleep(2 * time.Millisecond); ch <- task{j: &job{}} }()
		return pollTasks(ch, d)
	}
	if got, ok := late(time.Second); !ok || got.j == nil {
		t.Fatalf("task queued 2ms into a 1s poll: pollTasks = %v, %v", got, ok)
	}
	t0 := time.Now()
	if got, ok := pollTasks(ch, 3*time.Millisecond); ok || got != (task{}) {
		t.Fatalf("empty queue: pollTasks = %v, %v", got, ok)
	}
	if el := time.Since(t0); el < 3*time.Millisecond {
		t.Fatalf("empty queue: pollTasks gave up after %v < 3ms", el)
	}
	if _, ok := late(0); ok {
		t.Fatal("control: a poll of 0 returned the task queued 2ms later")
	}
	<-ch // the control's task
}
