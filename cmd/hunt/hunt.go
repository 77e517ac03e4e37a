package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"vitadv/internal/machine"
	"vitadv/model/store"
	"vitadv/report"
	"vitadv/theorems"
)

// Counterexample is the self-contained content of one instance file.
type Counterexample struct {
	Statement string          `json:"statement"` // statement ID, e.g. "P4"
	Func      string          `json:"func"`      // theorems function
	Tag       theorems.Tag    `json:"tag"`
	Scale     theorems.Scale  `json:"scale"`
	Point     theorems.Point  `json:"point"`
	Consts    theorems.Consts `json:"consts"`
	Relaxed   bool            `json:"relaxed"` // drawn outside the default hypothesis ranges
	Verdict   string          `json:"verdict"` // the failing verdict as printed
	// Instances are the trainings the verdict rests on (data law, model,
	// optimizer, budget, seed), for reference: replay re-derives them from
	// Scale and Point. Statements that build their models without training
	// (A, D, P10, untrained P8/Thm 4.2(iii) points) list none.
	Instances []theorems.Instance `json:"instances"`
	Failed    []string            `json:"failed"` // names of the failing bounds
	Found     string              `json:"found"`  // the command that found it
	Replay    string              `json:"replay"` // the command that replays it
	// Machine is the computer the hunt ran on, CheckSeconds the wall time
	// there of the search check that failed (before shrinking; trainings
	// memoized by earlier checks were not redone, so a cold replay may take
	// longer) and ShrinkSeconds that of shrinking it. Files written before
	// they were recorded lack them.
	Machine       *machine.Info `json:"machine,omitempty"`
	CheckSeconds  float64       `json:"check_seconds,omitempty"`
	ShrinkSeconds float64       `json:"shrink_seconds,omitempty"`
	// Outside lists the hypotheses of the statement's scope
	// (theorems.HuntScope) the point violates, with their values: a
	// counterexample found there is a finding about practice, not a
	// refutation (issue 17). Empty when the point is inside or the
	// statement has no scope.
	Outside []theorems.Condition `json:"outside,omitempty"`
	// CetaTheory is the step-size constant the scope was evaluated with
	// when -ceta-theory set one; 0 (absent): THEORY's default
	// (theorems.DefaultScope).
	CetaTheory float64 `json:"ceta_theory,omitempty"`
}

// scopeConsts returns the scope constants the file's "outside" field was
// evaluated with.
func (ce *Counterexample) scopeConsts() theorems.ScopeConsts {
	s := theorems.DefaultScope()
	if ce.CetaTheory != 0 {
		s.CetaTheory = ce.CetaTheory
	}
	return s
}

func run(w io.Writer, args []string) error {
	c, err := parse(w, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.list {
		for _, s := range theorems.All() {
			fmt.Fprintf(w, "%-12s %-22s %-9s %s\n", s.ID, s.Func, s.Tag, s.Claim)
		}
		return nil
	}
	if c.replay != "" {
		return replayFile(w, c.replay, c.heartbeat, c.checkTime)
	}
	if c.label != "" {
		wrote, err := labelDir(c.label)
		for _, f := range wrote {
			fmt.Fprintln(w, "wrote", f)
		}
		return err
	}
	if c.convert != "" {
		wrote, err := report.ConvertHuntDir(c.convert)
		for _, f := range wrote {
			fmt.Fprintln(w, "wrote", f)
		}
		return err
	}
	st, _ := find(c.id)
	sc, k := c.scale, c.consts
	cmd := "go run ./cmd/hunt " + strings.Join(args, " ")
	lab := theorems.NewLab()
	axes := st.Axes(sc, k)
	if err := checkAxes(axes, c.relax); err != nil {
		return err
	}
	start := time.Now()
	var found []Counterexample
	seen := map[string]bool{}
	holds, undecided, timedOut, na, fails := 0, 0, 0, 0, 0
	// The checks outside the statement's hypotheses (theorems.HuntScope at
	// each point), tallied apart: findings about practice.
	out := &report.HuntOutside{Replays: []string{}}
	var outScopes []theorems.Scope
	scopeAt := func(q theorems.Point) (theorems.Scope, bool, error) {
		sco, ok, err := theorems.HuntScope(st.ID, sc, q, k, c.scope)
		if err != nil {
			return sco, false, fmt.Errorf("%s at %s: the scope: %w", st.Func, key(q), err)
		}
		return sco, ok && !sco.Inside(), nil
	}
	// State the heartbeat goroutine reads.
	var (
		cur, done, nfail, ntimed atomic.Int64
		evalStart                atomic.Int64 // UnixNano of the evaluation under way (0: none)
		shrinking                atomic.Bool
		cands                    atomic.Int64 // shrink candidates evaluated
	)
	stop := heartbeat(c.heartbeat, func() string {
		now := time.Now()
		var curEl time.Duration
		if t := evalStart.Load(); t != 0 {
			curEl = now.Sub(time.Unix(0, t))
		}
		return progressLine(progress{id: st.ID, check: int(cur.Load()) + 1, checks: c.checks, shrinking: shrinking.Load(), cand: int(cands.Load()),
			cur: curEl, el: now.Sub(start), done: int(done.Load()), fails: int(nfail.Load()), timedOut: int(ntimed.Load()),
			trainings: lab.Started(), budget: c.budget, checkTime: c.checkTime})
	})
	defer stop()
	// evaluate checks st at q under the per-check budget and returns its
	// wall time; timedOut reports a check abandoned at its deadline (its
	// verdict and error are void).
	evaluate := func(q theorems.Point) (v theorems.Verdict, timedOut bool, wall time.Duration, err error) {
		t0 := time.Now()
		evalStart.Store(t0.UnixNano())
		if c.checkTime > 0 {
			lab.SetDeadline(t0.Add(c.checkTime))
		}
		before := lab.Stopped()
		v, err = st.Check(lab, sc, q, k)
		lab.SetDeadline(time.Time{})
		evalStart.Store(0)
		return v, errors.Is(err, theorems.ErrDeadline) || lab.Stopped() > before, time.Since(t0), err
	}
	for i := 0; i < c.checks && len(found) < c.maxFail && time.Since(start) < c.budget; i++ {
		cur.Store(int64(i))
		p := theorems.DrawPoint(axes, c.relax, c.seed, i)
		if i > 0 && i%max(1, c.checks/10) == 0 {
			el := time.Since(start)
			fmt.Fprintf(os.Stderr, "hunt: %s: %d/%d checks, %d fail, %d timed out, elapsed %s, ETA %s\n", st.ID, i, c.checks, fails, timedOut,
				el.Round(time.Second), etaString(el, 0, i, c.checks, c.budget, c.checkTime))
		}
		v, timed, checkWall, err := evaluate(p)
		done.Store(int64(i + 1))
		var h *theorems.HypothesisError
		if errors.As(err, &h) && !timed {
			na++
			continue
		}
		scope, outside, serr := scopeAt(p)
		if serr != nil {
			return serr
		}
		if outside {
			outScopes = append(outScopes, scope)
		}
		tally := func(all, o *int) {
			*all++
			if outside {
				*o++
			}
		}
		switch {
		case timed:
			tally(&timedOut, &out.TimedOut)
			ntimed.Store(int64(timedOut))
			continue
		case err != nil:
			return fmt.Errorf("%s at %s: %w", st.Func, key(p), err)
		case v.Holds():
			tally(&holds, &out.Holds)
			continue
		case !v.Refuted(): // undecided: no decided bound fails (e.g. a bracket straddles its threshold)
			tally(&undecided, &out.Undecided)
			continue
		}
		tally(&fails, &out.Fails)
		nfail.Store(int64(fails))
		shrinkStart := time.Now()
		shrinking.Store(true)
		cands.Store(0)
		candTimedOut := 0
		timedOutAt := map[string]bool{} // not retried: it would time out again
		expired := func() bool { return time.Since(start) >= c.budget }
		p, v = shrink(axes, c.relax, p, v, expired, func(q theorems.Point) (theorems.Verdict, bool) {
			if timedOutAt[key(q)] {
				return theorems.Verdict{}, false
			}
			// A candidate on the other side of the hypotheses is no
			// shrink of this failure: an outside finding stays outside,
			// a refutation inside stays inside.
			if _, o, err := scopeAt(q); err != nil || o != outside {
				return theorems.Verdict{}, false
			}
			cands.Add(1)
			v, timed, _, err := evaluate(q)
			if timed {
				candTimedOut++
				timedOutAt[key(q)] = true
			}
			return v, failing(v, err, timed)
		})
		shrinking.Store(false)
		shrinkWall := time.Since(shrinkStart)
		if candTimedOut > 0 {
			fmt.Fprintf(os.Stderr, "hunt: %s: shrinking: %d of %d candidates timed out (treated as not failing)\n", st.ID, candTimedOut, cands.Load())
		}
		if seen[key(p)] {
			continue
		}
		seen[key(p)] = true
		mach := machine.Current()
		ce := Counterexample{Statement: st.ID, Func: st.Func, Tag: st.Tag, Scale: sc, Point: p, Consts: k, Relaxed: c.relax,
			Verdict: v.String(), Found: cmd, Machine: &mach, CheckSeconds: checkWall.Seconds(), ShrinkSeconds: shrinkWall.Seconds()}
		if c.scope != theorems.DefaultScope() {
			ce.CetaTheory = c.scope.CetaTheory
		}
		if outside {
			shrunk, _, err := scopeAt(p)
			if err != nil {
				return err
			}
			ce.Outside = shrunk.Violated
		}
		// Re-evaluate (memoized: no new training, no deadline needed) to
		// record the instances.
		ce.Instances = lab.Trace(func() { st.Check(lab, sc, p, k) })
		for _, b := range v.Failed() {
			ce.Failed = append(ce.Failed, b.Name)
		}
		name := fileName(st.ID, p, c.relax, sc)
		ce.Replay = "go run ./cmd/hunt -replay " + filepath.ToSlash(filepath.Join(c.out, name))
		if err := writeCE(c.out, name, ce); err != nil {
			return err
		}
		found = append(found, ce)
		fmt.Fprintf(os.Stderr, "hunt: %s: counterexample %s (%d/%d checks, %s)\n", st.ID, key(p), i+1, c.checks, time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(w, "%s %s: %d holds, %d undecided, %d timed out, %d n/a (outside hypotheses), %d fail; %d shrunk counterexamples; %s\n",
		st.ID, st.Func, holds, undecided, timedOut, na, fails, len(found), time.Since(start).Round(time.Second))
	for _, ce := range found {
		if len(ce.Outside) > 0 {
			out.Replays = append(out.Replays, strings.TrimPrefix(ce.Replay, "go run ./cmd/hunt -replay "))
		}
	}
	if out.Checks() > 0 {
		out.Violated = theorems.MergeScopes(st.ID, outScopes).Violated
		fmt.Fprintln(w, report.FormatOutside(out))
	} else {
		out = nil
	}
	for _, ce := range found {
		fmt.Fprintf(w, "  %s\n", ce.Replay)
	}
	if c.log != "" {
		rec := report.HuntRecord{Command: recordedCommand(args), Statement: st.ID, Func: st.Func, Scale: sc, Relaxed: c.relax,
			Consts: c.constArgs, Holds: holds, Undecided: undecided, TimedOut: timedOut, NA: na, Fails: fails,
			Replays: []string{}, Elapsed: time.Since(start).Round(time.Second).String(), Outside: out}
		for _, ce := range found {
			rec.Replays = append(rec.Replays, strings.TrimPrefix(ce.Replay, "go run ./cmd/hunt -replay "))
		}
		if err := report.AppendHuntRecord(c.log, rec); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, machineLine(time.Since(start)))
	return nil
}

// recordedCommand is the command of a run as its run log records it: the
// arguments without -out and -log (where the files go is not part of what
// was run), the form the batch logs print after "$ ".
func recordedCommand(args []string) string {
	var keep []string
	for i := 0; i < len(args); i++ {
		k, _, eq := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if strings.HasPrefix(args[i], "-") && (k == "out" || k == "log") {
			if !eq {
				i++
			}
			continue
		}
		keep = append(keep, args[i])
	}
	return strings.Join(append([]string{"go run ./cmd/hunt"}, keep...), " ")
}

// heartbeat prints line() to stderr every interval until the returned stop
// function is called, so that a long training is never silent.
func heartbeat(every time.Duration, line func() string) (stop func()) {
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintln(os.Stderr, line())
			}
		}
	}()
	return func() { close(done) }
}

// shrink moves each axis of the failing point p toward its simplest index
// while the verdict keeps failing (fails(q) true: refuted without error; a
// candidate that errs or times out is not a failure), until no move
// succeeds or expired() — asked before every candidate, so that no
// candidate starts after the hunt's -time — is true; then the point shrunk
// so far, still failing, is kept.
func shrink(axes []theorems.Axis, relax bool, p theorems.Point, v theorems.Verdict, expired func() bool, fails func(theorems.Point) (theorems.Verdict, bool)) (theorems.Point, theorems.Verdict) {
	for changed := true; changed; {
		changed = false
		for _, a := range axes {
			lo, hi := a.Lo, a.Hi
			if relax {
				lo, hi = a.RelaxLo, a.RelaxHi
			}
			target := min(max(0, lo), hi)
			for p[a.Name] != target {
				q := theorems.Point{}
				for kk, vv := range p {
					q[kk] = vv
				}
				// Jump halfway first, then one step.
				cur := p[a.Name]
				moved := false
				for _, next := range []int{target, cur + (target-cur)/2, cur + sign(target-cur)} {
					if next == cur {
						continue
					}
					if expired() {
						return p, v
					}
					q[a.Name] = next
					if nv, ok := fails(q); ok {
						p, v, moved, changed = q, nv, true, true
						break
					}
				}
				if !moved {
					break
				}
			}
		}
	}
	return p, v
}

// failing reports whether an evaluation is a confirmed failure: refuted,
// without error, and not timed out (a shrink candidate abandoned at its
// budget is treated as not failing, so the shrinker keeps the last
// confirmed failure).
func failing(v theorems.Verdict, err error, timedOut bool) bool {
	return !timedOut && err == nil && v.Refuted()
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func key(p theorems.Point) string {
	var ks []string
	for k := range p {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%s=%d", k, p[k]))
	}
	return strings.Join(parts, " ")
}

func fileName(id string, p theorems.Point, relax bool, sc theorems.Scale) string {
	s := strings.NewReplacer("(", "", ")", "", ".", "").Replace(id) + "-" + strings.ReplaceAll(key(p), " ", "_")
	if relax {
		s += "-relaxed"
	}
	if sc.Name != "tiny" {
		s += "-" + sc.Name
	}
	if sc.StepFrac != 0 {
		s += "-stepfrac" + strconv.FormatFloat(sc.StepFrac, 'g', -1, 64)
	}
	return s + ".json"
}

func writeCE(dir, name string, ce Counterexample) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(ce, "", "  ")
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return err
	}
	return updateSummary(dir)
}

// updateSummary rewrites SUMMARY.txt with one line per counterexample file,
// sorted by file name (deterministic, no timestamps).
func updateSummary(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	var sb strings.Builder
	sb.WriteString("# One line per shrunk counterexample: statement, tag, point, failing bounds, replay command.\n")
	sb.WriteString("# Written by cmd/hunt; see theorems/STATEMENTS.md for the status of each statement.\n")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var ce Counterexample
		if err := json.Unmarshal(b, &ce); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		rel := ""
		if ce.Relaxed {
			rel = " (relaxed)"
		}
		if len(ce.Outside) > 0 {
			rel += " (outside the hypotheses: " + theorems.Scope{Conditions: ce.Outside, Violated: ce.Outside}.Short() + ")"
		}
		scale := ce.Scale.Name
		if ce.Scale.StepFrac != 0 {
			scale += " step-frac=" + strconv.FormatFloat(ce.Scale.StepFrac, 'g', -1, 64)
		}
		fmt.Fprintf(&sb, "%s %s %s%s scale=%s [%s] fails: %s | %s\n", ce.Statement, ce.Func, ce.Tag, rel, scale,
			key(ce.Point), strings.Join(ce.Failed, "; "), ce.Replay)
	}
	return store.WriteFileAtomic(filepath.Join(dir, "SUMMARY.txt"), func(w io.Writer) error {
		_, err := io.WriteString(w, sb.String())
		return err
	})
}

// maxReplayBytes bounds a counterexample file (the committed ones are a
// few kB).
const maxReplayBytes = 1 << 20

// replayFile re-evaluates a counterexample file and fails unless its
// verdict still fails; a positive checkTime abandons the evaluation (an
// error) after that long.
func replayFile(w io.Writer, path string, every, checkTime time.Duration) error {
	ce, st, err := loadCE(path)
	if err != nil {
		return err
	}
	lab := theorems.NewLab()
	start := time.Now()
	stop := heartbeat(every, func() string {
		el := time.Since(start)
		n, total := lab.Started(), len(ce.Instances)
		if total < n {
			return fmt.Sprintf("hunt: replay %s: training %d (the file lists %d instances: no ETA), elapsed %s", filepath.Base(path), n, total, el.Round(time.Second))
		}
		eta := "after the first training"
		if done := n - 1; done > 0 {
			eta = (time.Duration(float64(el) / float64(done) * float64(total-done))).Round(time.Second).String()
		}
		return fmt.Sprintf("hunt: replay %s: training %d of the file's %d instances, elapsed %s, ETA %s", filepath.Base(path), n, total, el.Round(time.Second), eta)
	})
	if checkTime > 0 {
		lab.SetDeadline(start.Add(checkTime))
	}
	v, err := st.Check(lab, ce.Scale, ce.Point, ce.Consts)
	stop()
	if errors.Is(err, theorems.ErrDeadline) {
		return fmt.Errorf("replay %s: timed out after -check-time %s: %w", path, checkTime, err)
	}
	if err != nil {
		return fmt.Errorf("replay %s: %s(%s) = error %w, want the recorded failing verdict", path, st.Func, key(ce.Point), err)
	}
	fmt.Fprintln(w, v)
	if !v.Refuted() {
		return fmt.Errorf("replay %s: %s(%s) is no longer refuted: the counterexample no longer reproduces", path, st.Func, key(ce.Point))
	}
	fmt.Fprintf(w, "reproduced: %s fails at %s (scale %s)\n", st.Func, key(ce.Point), ce.Scale.Name)
	fmt.Fprintln(w, machineLine(time.Since(start)))
	return nil
}

// loadCE reads and validates a counterexample file (strict JSON: unknown
// fields and trailing data are errors).
func loadCE(path string) (*Counterexample, theorems.Statement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, theorems.Statement{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxReplayBytes+1))
	if err != nil {
		return nil, theorems.Statement{}, err
	}
	if len(b) > maxReplayBytes {
		return nil, theorems.Statement{}, fmt.Errorf("%s: larger than %d bytes: not a counterexample file", path, maxReplayBytes)
	}
	var ce Counterexample
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ce); err != nil {
		return nil, theorems.Statement{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, theorems.Statement{}, fmt.Errorf("%s: trailing data after the JSON value", path)
	}
	st, err := validateCE(path, &ce)
	return &ce, st, err
}

func find(id string) (theorems.Statement, error) {
	var ids []string
	for _, s := range theorems.All() {
		if s.ID == id || s.Func == id {
			return s, nil
		}
		ids = append(ids, s.ID)
	}
	return theorems.Statement{}, fmt.Errorf("unknown -statement %q; one of %s", id, strings.Join(ids, ", "))
}
