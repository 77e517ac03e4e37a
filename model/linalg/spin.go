package linalg

import (
	"os"
	"sync/atomic"
	"time"
)

// SpinEnv is the environment variable that makes idle GEMM threads poll
// for work before they park: a duration such as "50us" (at most 1ms; unset
// or "0": park at once, the default). With it, a worker that finished its
// blocks polls the queue for that long, and a caller waiting for the
// workers' last blocks polls for their reports, so that a product that
// follows soon after finds both threads running instead of waking a parked
// one. Waking one took 0.65–1.15 ms on the loaded 2-vCPU VM this was
// measured on (results/bench/README.md), a fifth of a paper-size product;
// polling costs CPU whenever nothing follows. It changes only timing, never
// bits. (A switch, not a default, until a quiet machine says which wins.)
const SpinEnv = "VITADV_GEMM_SPIN"

// maxSpin bounds SpinEnv.
const maxSpin = time.Millisecond

// spinWait holds the polling time SpinEnv asked for (ns), and spinErr the
// error for a value that is not one; both are set once at start-up (tests
// store other values in spinWait, hence the atomic).
var (
	spinWait atomic.Int64
	spinErr  error
)

func init() {
	var d time.Duration
	d, spinErr = parseSpin(os.Getenv(SpinEnv))
	spinWait.Store(int64(d))
}

// parseSpin reads a SpinEnv value: "" is 0, anything else a duration in
// [0, maxSpin], or an *EnvError (and 0).
func parseSpin(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxSpin {
		return 0, &EnvError{Var: SpinEnv, Value: v, Reason: "want a duration from 0 to 1ms, e.g. 50us"}
	}
	return d, nil
}

// pollTasks returns a task that is queued on ch within d of the call,
// without blocking, or false.
func pollTasks(ch <-chan task, d time.Duration) (task, bool) {
	var deadline time.Time
	for i := 0; ; i++ {
		select {
		case t := <-ch:
			return t, true
		default:
		}
		switch {
		case i == 0:
			deadline = time.Now().Add(d)
		case i%16 == 0 && time.Now().After(deadline):
			return task{}, false
		}
	}
}

// GemmSpin returns the polling time set by SpinEnv (0: park at once).
func GemmSpin() time.Duration { return time.Duration(spinWait.Load()) }
