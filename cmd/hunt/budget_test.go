package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vitadv/model/valid"
	"vitadv/report"
	"vitadv/theorems"
)

// tallyLine is the documented tally format (package doc).
var tallyLine = regexp.MustCompile(`^(\S+) (\S+): (\d+) holds, (\d+) undecided, (\d+) timed out, (\d+) n/a \(outside hypotheses\), (\d+) fail; (\d+) shrunk counterexamples; \S+$`)

// machineLineRE is the documented machine line.
var machineLineRE = regexp.MustCompile(`^# machine: .+, \d+ cores \(GOMAXPROCS \d+\), \w+/\w+, go\S*, \S+; wall \S+$`)

type tally struct{ holds, undecided, timedOut, na, fail, found int }

// huntTally runs hunt with args and returns its parsed tally, checking the
// output's shape: the tally line, one replay line per counterexample, the
// machine line last.
func huntTally(t *testing.T, args ...string) tally {
	t.Helper()
	var b bytes.Buffer
	if err := run(&b, args); err != nil {
		t.Fatalf("run(%v): %v", args, err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	m := tallyLine.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("run(%v): first line %q does not match the tally format", args, lines[0])
	}
	n := func(i int) int { x, _ := strconv.Atoi(m[i]); return x }
	tl := tally{n(3), n(4), n(5), n(6), n(7), n(8)}
	outside := 0 // the line of the checks outside the hypotheses, if any
	if len(lines) > 1 && strings.HasPrefix(lines[1], report.OutsidePrefix) {
		outside = 1
	}
	if len(lines) != tl.found+2+outside || !machineLineRE.MatchString(lines[len(lines)-1]) {
		t.Errorf("run(%v): output\n%s\nwant the tally, its outside line if any, %d replay lines and a machine line", args, b.String(), tl.found)
	}
	return tl
}

// TestCheckTimeAllTimeOut: with a 1 ms budget every Thm 4.2(i) check
// inside the hypotheses (two trainings, hundreds of milliseconds at tiny)
// is abandoned: none holds, none fails, none is undecided, and nothing is
// written. Its control, TestCheckTimeGenerous, times none out.
func TestCheckTimeAllTimeOut(t *testing.T) {
	dir := t.TempDir()
	got := huntTally(t, "-statement", "Thm4.2(i)", "-checks", "6", "-check-time", "1ms", "-out", dir)
	if !(got.timedOut > 0 && got.timedOut+got.na == 6 && got.holds == 0 && got.undecided == 0 && got.fail == 0 && got.found == 0) {
		t.Errorf("tally with -check-time 1ms = %+v, want every check timed out (or n/a)", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("timed-out checks wrote %d files", len(ents))
	}
}

// TestCheckTimeGenerous: a budget no check reaches changes nothing: the
// same tally as without -check-time, none timed out.
func TestCheckTimeGenerous(t *testing.T) {
	base := []string{"-statement", "Thm4.2(i)", "-checks", "4", "-max-fail", "1"}
	without := huntTally(t, append(base, "-out", t.TempDir())...)
	with := huntTally(t, append(base, "-check-time", "10m", "-out", t.TempDir())...)
	if with != without || with.timedOut != 0 || with.holds+with.undecided+with.fail == 0 {
		t.Errorf("tally with -check-time 10m = %+v, without = %+v: want equal, none timed out, some decided", with, without)
	}
}

// fixedVerdict is a verdict that holds (ok) or fails.
func fixedVerdict(ok bool) theorems.Verdict {
	b := theorems.Bound{Name: "x ≤ 1", LHS: 0, RHS: 1}
	if !ok {
		b.LHS = 2
	}
	return theorems.Verdict{Bounds: []theorems.Bound{b}}
}

// TestShrinkTimedOutCandidate: a shrink candidate that times out is not a
// counterexample: the shrinker keeps the last confirmed failure. The
// statement fails at a ≥ 4; the candidate a = 4 times out, so shrinking
// from 8 stops at 5 (and reaches 4 when it does not time out: the control).
func TestShrinkTimedOutCandidate(t *testing.T) {
	axes := []theorems.Axis{{Name: "a", Lo: 0, Hi: 10, RelaxLo: 0, RelaxHi: 10}}
	for _, c := range []struct {
		timeout bool
		want    int
	}{{true, 5}, {false, 4}} {
		evals := map[int]int{}
		fails := func(q theorems.Point) (theorems.Verdict, bool) {
			evals[q["a"]]++
			v := fixedVerdict(q["a"] < 4)
			timed := c.timeout && q["a"] == 4
			var err error
			if timed {
				err = &theorems.DeadlineError{What: "training"}
			}
			return v, failing(v, err, timed)
		}
		p, v := shrink(axes, false, theorems.Point{"a": 8}, fixedVerdict(false), func() bool { return false }, fails)
		if p["a"] != c.want || !v.Refuted() {
			t.Errorf("timeout=%v: shrunk to a = %d (refuted %v), want %d", c.timeout, p["a"], v.Refuted(), c.want)
		}
		if c.timeout && evals[4] == 0 {
			t.Errorf("the timing-out candidate a = 4 was never tried")
		}
	}
	// failing: only a refuted verdict without error and not timed out.
	bad := fixedVerdict(false)
	if !failing(bad, nil, false) || failing(bad, nil, true) || failing(bad, errors.New("x"), false) || failing(fixedVerdict(true), nil, false) {
		t.Errorf("failing() misclassifies")
	}
}

// TestShrinkStopsAtHuntBudget: no shrink candidate starts once the hunt's
// -time has passed: with expired() true after two candidates, exactly two
// are evaluated and the last confirmed failure is returned; with expired()
// true from the start, none is. (From a = 8 toward 0: 0 holds, 4 fails,
// then 0, 2, 3 hold, and a second pass retries those three: eight in all.)
func TestShrinkStopsAtHuntBudget(t *testing.T) {
	axes := []theorems.Axis{{Name: "a", Lo: 0, Hi: 10, RelaxLo: 0, RelaxHi: 10}, {Name: "b", Lo: 0, Hi: 10, RelaxLo: 0, RelaxHi: 10}}
	for _, c := range []struct{ allowed, wantEvals, wantA int }{{0, 0, 8}, {1, 1, 8}, {2, 2, 4}, {1000, 8, 4}} {
		evals := 0
		fails := func(q theorems.Point) (theorems.Verdict, bool) {
			evals++
			v := fixedVerdict(q["a"] < 4)
			return v, failing(v, nil, false)
		}
		asked := 0
		expired := func() bool { asked++; return asked > c.allowed }
		p, _ := shrink(axes, false, theorems.Point{"a": 8, "b": 0}, fixedVerdict(false), expired, fails)
		if evals != c.wantEvals || p["a"] != c.wantA {
			t.Errorf("expired after %d candidates: %d evaluated, shrunk to a = %d; want %d and a = %d", c.allowed, evals, p["a"], c.wantEvals, c.wantA)
		}
	}
}

func TestETA(t *testing.T) {
	const m = time.Minute
	for _, c := range []struct {
		name                    string
		el, cur                 time.Duration
		done, n                 int
		budget, checkTime, want time.Duration
	}{
		{"mean × checks left", 10 * m, 0, 2, 4, time.Hour, 0, 10 * m},
		{"less the current check's time", 10 * m, 2 * m, 2, 4, time.Hour, 0, 6 * m},
		{"capped by -time", 10 * m, 0, 1, 10, 15 * m, 0, 5 * m},
		{"the running check may outlast -time", 29 * m, 4 * m, 3, 4, 30 * m, 8 * m, 4 * m},
		{"past -time between checks", 40 * m, 0, 3, 9, 30 * m, 8 * m, 0},
		{"done", 10 * m, 0, 5, 5, time.Hour, 0, 0},
	} {
		got, ok := eta(c.el, c.cur, c.done, c.n, c.budget, c.checkTime)
		if !ok || got != c.want {
			t.Errorf("%s: eta = %v (ok %v), want %v", c.name, got, ok, c.want)
		}
	}
	if _, ok := eta(time.Minute, time.Minute, 0, 3, time.Hour, 0); ok {
		t.Errorf("eta before the first check ended: ok, want unknown")
	}
	if s := etaString(m, m, 0, 3, 30*m, 8*m); s != "≤ 37m0s (no check finished yet)" {
		t.Errorf("etaString before the first check with budgets = %q", s)
	}
	if s := etaString(m, m, 0, 3, 30*m, 0); !strings.Contains(s, "unknown") {
		t.Errorf("etaString before the first check without -check-time = %q", s)
	}
	// mean (9m − 65s)/1 = 475s; 2 checks left: 950s − 65s = 14m45s (under -time's 21m).
	line := progressLine(progress{id: "Thm4.2(i)", check: 2, checks: 3, cur: 65 * time.Second, el: 9 * m, done: 1,
		timedOut: 1, trainings: 4, budget: 30 * m, checkTime: 8 * m})
	for _, want := range []string{"check 2/3 at 1m5s of its 8m0s budget", "1 timed out", "4 trainings", "elapsed 9m0s", "ETA 14m45s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	line = progressLine(progress{id: "P7", check: 1, checks: 1, shrinking: true, cand: 3, cur: time.Second, el: m, done: 1, budget: m})
	if !strings.Contains(line, "shrinking the failure of check 1/1, candidate 3 at 1s (no per-check budget)") {
		t.Errorf("shrinking progress line = %q", line)
	}
}

// TestCheckTimeFlag: -check-time must be ≥ 0 (a *valid.Error naming it);
// 0 and positive durations are accepted.
func TestCheckTimeFlag(t *testing.T) {
	for _, v := range []string{"-1ns", "-5m"} {
		_, err := parse(&bytes.Buffer{}, []string{"-statement", "P4", "-check-time", v})
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "-check-time" {
			t.Errorf("-check-time %s: err = %v, want a *valid.Error on -check-time", v, err)
		}
	}
	for _, v := range []string{"0", "1ms", "25m"} {
		if _, err := parse(&bytes.Buffer{}, []string{"-statement", "P4", "-check-time", v}); err != nil {
			t.Errorf("-check-time %s: %v", v, err)
		}
	}
}

// TestReplayCheckTime: a replay past its -check-time is an error saying it
// timed out (not "no longer reproduces"); its control is TestHuntReplay.
func TestReplayCheckTime(t *testing.T) {
	f := filepath.Join("..", "..", "results", "hunt", "P4-c2=-1_log2N=1_seed=2.json")
	err := run(&bytes.Buffer{}, []string{"-check-time", "1ms", "-replay", f})
	if !errors.Is(err, theorems.ErrDeadline) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("replay with -check-time 1ms: err = %v, want a timed-out error", err)
	}
}

// ceMachine decodes the machine record of a counterexample file.
func ceMachine(t *testing.T, path string) (cores int, checkSeconds float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ce Counterexample
	if err := json.Unmarshal(b, &ce); err != nil {
		t.Fatal(err)
	}
	if ce.Machine == nil {
		return 0, ce.CheckSeconds
	}
	return ce.Machine.Cores, ce.CheckSeconds
}
