package linalg

import (
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// SpinEnv is the environment variable that sets how long idle GEMM
// threads poll for work before they park: unset or "auto" (the default,
// autoSpin after large products, see workerSpin), "0" (park at once, the
// default before), or a fixed duration such as "50us" (at most 1ms) after
// every split product. A worker that finished its blocks polls the queue
// for that long, and a caller waiting for the workers' last blocks polls
// for their reports, so that a product that follows soon after finds both
// threads running instead of waking a parked one; a polling thread yields
// every 16 polls, so that the program's other goroutines (another sweep
// cell) are not held up by it. It changes only timing, never bits.
//
// On the quiet 2-vCPU VM of results/bench/README.md, a fixed 200 µs poll
// raised the paper shapes' GEMM from 72–78% to 78–82% of the all-thread FMA
// peak (AVX-512), and their GFLOP per CPU-second by 5–16% although the
// polling is counted (a vCPU that parks comes back slow). On the same VM
// loaded by other jobs (load 8, its vCPUs never idle), the
// auto rule cost 1–2.5% of GFLOP per CPU-second at those shapes and at the
// paper AT step, and nothing at the mid-size AT step (N = 50, d = 256),
// whose products are below autoSpinMinFlops (ab-spin-auto-*.txt); a fixed
// 200 µs poll had cost that step 60 → 47 GFLOP per CPU-second.
const SpinEnv = "VITADV_GEMM_SPIN"

// maxSpin bounds SpinEnv.
const maxSpin = time.Millisecond

// spinAuto is the value of spinWait for SpinEnv unset or "auto".
const spinAuto = -1

// autoSpin is the polling time of the auto rule, and autoSpinMinFlops
// (2²⁸ ≈ 2.7e8) the smallest product after which it polls: the paper AT
// step's products (6.7e8 flops, ~3 ms on each of 2 threads) are above it,
// the mid size's (400×256×256, 5.2e7) below, so that the poll costs at most
// ~7% of a thread's time on a product when nothing follows it.
const (
	autoSpin         = 200 * time.Microsecond
	autoSpinMinFlops = 1 << 28
)

// spinWait holds the polling time SpinEnv asked for (ns; spinAuto for the
// auto rule), and spinErr the error for a value that is not one; both are
// set once at start-up (tests store other values in spinWait, hence the
// atomic).
var (
	spinWait atomic.Int64
	spinErr  error
)

func init() {
	var d time.Duration
	d, spinErr = parseSpin(os.Getenv(SpinEnv))
	spinWait.Store(int64(d))
}

// parseSpin reads a SpinEnv value: "" and "auto" are spinAuto, anything
// else a duration in [0, maxSpin], or an *EnvError (and spinAuto).
func parseSpin(v string) (time.Duration, error) {
	if v == "" || v == "auto" {
		return spinAuto, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxSpin {
		return spinAuto, &EnvError{Var: SpinEnv, Value: v, Reason: `want "auto" or a duration from 0 to 1ms, e.g. 50us`}
	}
	return d, nil
}

// workerSpin returns how long an idle worker polls for the next task:
// SpinEnv's fixed time, or, under the auto rule, autoSpin if its last task
// was part of a product of at least autoSpinMinFlops flops (big) and it had
// waited at most autoSpin for that task (wait), else 0. (So a worker whose
// poll just ran out, because the products came further apart, parks at once
// the next time, until a task comes within autoSpin again.)
func workerSpin(big bool, wait time.Duration) time.Duration {
	if d := time.Duration(spinWait.Load()); d != spinAuto {
		return d
	}
	if big && wait <= autoSpin {
		return autoSpin
	}
	return 0
}

// callerSpin returns how long a caller waiting for the workers' last blocks
// polls for their reports: SpinEnv's fixed time, or, under the auto rule,
// autoSpin if the product has at least autoSpinMinFlops flops (big), else 0.
func callerSpin(big bool) time.Duration {
	if d := time.Duration(spinWait.Load()); d != spinAuto {
		return d
	}
	if big {
		return autoSpin
	}
	return 0
}

// pollTasks returns a task that is queued on ch within d of the call,
// without blocking, or false. Every 16 polls it yields (runtime.Gosched),
// so that a goroutine of the program waiting for a P, such as another sweep
// cell's, runs at once instead of after the poll.
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
		case i%16 == 0:
			if time.Now().After(deadline) {
				return task{}, false
			}
			runtime.Gosched()
		}
	}
}

// GemmSpin describes the polling of idle GEMM threads that SpinEnv set:
// "auto" (the default), "0" (park at once) or the fixed duration.
func GemmSpin() string {
	d := time.Duration(spinWait.Load())
	if d == spinAuto {
		return "auto"
	}
	return d.String()
}
