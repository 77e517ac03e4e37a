package main

import (
	"fmt"
	"time"

	"vitadv/internal/machine"
)

// machineLine is the last stdout line of every hunt and replay run: the
// machine record (internal/machine) and the run's wall time, e.g.
//
//	# machine: AMD EPYC 9B45, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.0, asm-avx512-8x16+vec-avx512; wall 1m3s
func machineLine(wall time.Duration) string {
	return "# machine: " + machine.Current().String() + "; wall " + roundWall(wall).String()
}

// roundWall rounds a wall time for printing: to the millisecond under a
// minute, to the second above.
func roundWall(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// eta estimates the time the hunt has left, or ok = false before the first
// check ends. el is the time since the hunt started, cur the time spent in
// the check under way (0 between checks), done the checks finished (each
// with its shrinking), n the checks asked for, budget the -time budget and
// checkTime the -check-time budget (0: none).
//
// The estimate is the mean time per finished check times the checks left,
// less the time the current check has already run. It is capped by -time:
// no check starts after it, but the check under way may still run to its
// own budget, so the cap is the larger of the time left of -time and the
// time left of the current check's -check-time.
func eta(el, cur time.Duration, done, n int, budget, checkTime time.Duration) (d time.Duration, ok bool) {
	if done <= 0 {
		return 0, false
	}
	mean := float64(el-cur) / float64(done)
	est := time.Duration(mean*float64(n-done)) - cur
	capd := max(budget-el, 0)
	if checkTime > 0 && cur > 0 {
		capd = max(capd, checkTime-cur)
	}
	return max(min(est, capd), 0), true
}

// etaString prints eta, or when it is not known yet (no check finished)
// the bound the budgets give, if any.
func etaString(el, cur time.Duration, done, n int, budget, checkTime time.Duration) string {
	if d, ok := eta(el, cur, done, n, budget, checkTime); ok {
		return d.Round(time.Second).String()
	}
	if checkTime > 0 {
		// No check or shrink candidate starts after -time and each is
		// abandoned at -check-time: the hunt ends within budget+checkTime
		// (plus at most one robust evaluation, which takes no deadline).
		return "≤ " + max(budget+checkTime-el, 0).Round(time.Second).String() + " (no check finished yet)"
	}
	return "unknown until the first check ends"
}

// budgetString prints the time spent in the current evaluation against
// its budget, e.g. "1m5s of its 8m0s budget".
func budgetString(cur, checkTime time.Duration) string {
	if checkTime <= 0 {
		return cur.Round(time.Second).String() + " (no per-check budget)"
	}
	return fmt.Sprintf("%s of its %s budget", cur.Round(time.Second), checkTime)
}

// progress is what the heartbeat line reports.
type progress struct {
	id                string
	check, checks     int  // the check under way (from 1) and the checks asked for
	shrinking         bool // the check failed and its point is being shrunk
	cand              int  // shrink candidates evaluated so far
	cur, el           time.Duration
	done              int // checks finished
	fails, timedOut   int
	trainings         int
	budget, checkTime time.Duration
}

// progressLine is the heartbeat's stderr line, e.g.
//
//	hunt: Thm4.2(i): check 2/3 at 1m5s of its 8m0s budget, 0 fail, 1 timed out, 4 trainings, elapsed 9m10s, ETA 7m0s
func progressLine(p progress) string {
	what := fmt.Sprintf("check %d/%d", p.check, p.checks)
	if p.shrinking {
		what = fmt.Sprintf("shrinking the failure of check %d/%d, candidate %d", p.check, p.checks, p.cand)
	}
	return fmt.Sprintf("hunt: %s: %s at %s, %d fail, %d timed out, %d trainings, elapsed %s, ETA %s",
		p.id, what, budgetString(p.cur, p.checkTime), p.fails, p.timedOut, p.trainings, p.el.Round(time.Second),
		etaString(p.el, p.cur, p.done, p.checks, p.budget, p.checkTime))
}
