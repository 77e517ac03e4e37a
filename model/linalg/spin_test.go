package linalg

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestParseSpin: VITADV_GEMM_SPIN takes "auto" (or nothing) or a duration
// in [0, 1ms]; anything else is a typed error naming the variable and the
// value, and leaves the auto rule.
func TestParseSpin(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
		bad  bool
	}{
		{"", spinAuto, false},
		{"auto", spinAuto, false},
		{"0", 0, false},
		{"50us", 50 * time.Microsecond, false},
		{"1ms", time.Millisecond, false},
		{"1.5ms", spinAuto, true},
		{"-1us", spinAuto, true},
		{"50", spinAuto, true},
		{"fast", spinAuto, true},
		{"Auto", spinAuto, true},
	} {
		got, err := parseSpin(tc.v)
		var ee *EnvError
		if got != tc.want || (err != nil) != tc.bad || (tc.bad && !(errors.As(err, &ee) && ee.Var == SpinEnv && ee.Value == tc.v && strings.Contains(err.Error(), SpinEnv))) {
			t.Errorf("parseSpin(%q) = %v, %v; want %v, error %v", tc.v, got, err, tc.want, tc.bad)
		}
	}
}

// TestAutoSpin: the auto rule polls after products of at least
// autoSpinMinFlops (the paper AT step's, not the mid size's) and, for a
// worker, only if its last task came within autoSpin; a fixed SpinEnv
// time applies everywhere.
func TestAutoSpin(t *testing.T) {
	defer spinWait.Store(spinWait.Load())
	paper := gemmParams{m: 320, n: 1024, k: 1024}
	mid := gemmParams{m: 400, n: 256, k: 256}
	if !(paper.flops() >= autoSpinMinFlops) || mid.flops() >= autoSpinMinFlops {
		t.Fatalf("autoSpinMinFlops %g does not separate the paper product (%g flops) from the mid one (%g)", float64(autoSpinMinFlops), paper.flops(), mid.flops())
	}
	spinWait.Store(spinAuto)
	for _, tc := range []struct {
		big  bool
		wait time.Duration
		want time.Duration
	}{
		{true, 0, autoSpin},
		{true, autoSpin, autoSpin},
		{true, autoSpin + time.Microsecond, 0},
		{false, 0, 0},
		{false, time.Second, 0},
	} {
		if got := workerSpin(tc.big, tc.wait); got != tc.want {
			t.Errorf("auto: workerSpin(%t, %v) = %v, want %v", tc.big, tc.wait, got, tc.want)
		}
	}
	if callerSpin(true) != autoSpin || callerSpin(false) != 0 {
		t.Errorf("auto: callerSpin(true), (false) = %v, %v; want %v, 0", callerSpin(true), callerSpin(false), autoSpin)
	}
	spinWait.Store(int64(50 * time.Microsecond))
	if workerSpin(false, time.Second) != 50*time.Microsecond || callerSpin(false) != 50*time.Microsecond {
		t.Errorf("fixed 50us: workerSpin, callerSpin = %v, %v", workerSpin(false, time.Second), callerSpin(false))
	}
	spinWait.Store(0)
	if workerSpin(true, 0) != 0 || callerSpin(true) != 0 {
		t.Errorf("0: workerSpin, callerSpin = %v, %v; want 0, 0", workerSpin(true, 0), callerSpin(true))
	}
}

// TestGemmSpin: with polling threads (SpinEnv) split products give the
// bits they give without, at GOMAXPROCS 2 (fixed 200 µs) and 3 (the auto
// rule; one product above autoSpinMinFlops), over back-to-back calls
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
		{false, false, 520, 512, 512, 1, 0, 0}, // ≥ autoSpinMinFlops: the auto rule polls
	} {
		a, lda, b, ldb, c, ldc := tc.operands(9)
		spinWait.Store(0)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		ref := append([]float64(nil), c...)
		for _, procs := range []int{2, 3} {
			runtime.GOMAXPROCS(procs)
			spinWait.Store(int64(200 * time.Microsecond))
			if procs == 3 {
				spinWait.Store(spinAuto)
			}
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

// TestPollYields: a goroutine that polls leaves its P to the program's
// other goroutines: at GOMAXPROCS 1, one that counts and yields while
// pollTasks polls an empty queue for 30 ms gets to run many times (without
// the yield, only when the scheduler preempts the poller, every ~10 ms).
// Negative control: the same count next to a poll loop that does not yield
// stays small.
func TestPollYields(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	count := func(poll func()) int {
		var n atomic.Int64
		var stop atomic.Bool
		done := make(chan struct{})
		go func() {
			for !stop.Load() {
				n.Add(1)
				runtime.Gosched()
			}
			close(done)
		}()
		runtime.Gosched() // let the counter start
		n.Store(0)
		poll()
		got := n.Load()
		stop.Store(true)
		<-done
		return int(got)
	}
	ch := make(chan task)
	n := count(func() { pollTasks(ch, 30*time.Millisecond) })
	t.Logf("counter ran %d times during the poll", n)
	if n < 200 {
		t.Fatalf("the other goroutine ran %d times during a 30ms poll, want ≥ 200", n)
	}
	busy := func() { // polls without yielding
		for t0 := time.Now(); time.Since(t0) < 30*time.Millisecond; {
			select {
			case <-ch:
			default:
			}
		}
	}
	if n := count(busy); n >= 200 {
		t.Errorf("control: the other goroutine ran %d times next to a poll that never yields", n)
	}
}
