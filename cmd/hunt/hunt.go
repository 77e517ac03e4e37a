package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

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
}

type constFlags []string

func (c *constFlags) String() string     { return strings.Join(*c, ",") }
func (c *constFlags) Set(s string) error { *c = append(*c, s); return nil }

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("hunt", flag.ContinueOnError)
	id := fs.String("statement", "", "statement ID (see -list)")
	checks := fs.Int("checks", 100, "random points to evaluate")
	seed := fs.Uint64("seed", 1, "search seed: point i is drawn from PCG(seed, i)")
	relax := fs.Bool("relax", false, "draw from the relaxed axis ranges (outside the hypotheses)")
	scaleName := fs.String("scale", "tiny", "instance scale: tiny (d=64, M=4) or paper (d=256, M=8)")
	out := fs.String("out", "results/hunt", "directory for counterexample files and SUMMARY.txt")
	maxFail := fs.Int("max-fail", 3, "stop after this many distinct shrunk counterexamples")
	budget := fs.Duration("time", 5*time.Minute, "stop searching and shrinking after this long")
	replay := fs.String("replay", "", "replay a counterexample file and exit")
	list := fs.Bool("list", false, "list the statements and exit")
	var consts constFlags
	fs.Var(&consts, "const", "override a constant, name=value (JSON name of theorems.Consts; repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, s := range theorems.All() {
			fmt.Fprintf(w, "%-12s %-22s %-9s %s\n", s.ID, s.Func, s.Tag, s.Claim)
		}
		return nil
	}
	if *replay != "" {
		return replayFile(w, *replay)
	}
	st, err := find(*id)
	if err != nil {
		return err
	}
	sc, err := theorems.ScaleByName(*scaleName)
	if err != nil {
		return err
	}
	k := theorems.Defaults()
	if err := setConsts(&k, consts); err != nil {
		return err
	}
	cmd := "go run ./cmd/hunt " + strings.Join(args, " ")
	lab := theorems.NewLab()
	axes := st.Axes(sc, k)
	start := time.Now()
	var found []Counterexample
	seen := map[string]bool{}
	holds, na, fails := 0, 0, 0
	for i := 0; i < *checks && len(found) < *maxFail && time.Since(start) < *budget; i++ {
		r := rand.New(rand.NewPCG(*seed, uint64(i)))
		p := theorems.Point{}
		for _, a := range axes {
			lo, hi := a.Lo, a.Hi
			if *relax {
				lo, hi = a.RelaxLo, a.RelaxHi
			}
			p[a.Name] = lo + r.IntN(hi-lo+1)
		}
		if i > 0 && i%max(1, *checks/10) == 0 {
			el := time.Since(start)
			fmt.Fprintf(os.Stderr, "hunt: %s: %d/%d checks, %d fail, elapsed %s, ETA %s\n", st.ID, i, *checks, fails,
				el.Round(time.Second), (time.Duration(float64(el) / float64(i) * float64(*checks-i))).Round(time.Second))
		}
		v, err := st.Check(lab, sc, p, k)
		var h *theorems.HypothesisError
		switch {
		case errors.As(err, &h):
			na++
			continue
		case err != nil:
			return fmt.Errorf("%s at %s: %w", st.Func, key(p), err)
		case v.Holds():
			holds++
			continue
		case !v.Refuted(): // undecided: no decided bound fails
			na++
			continue
		}
		fails++
		p, v = shrink(lab, st, sc, k, axes, *relax, p, v, start.Add(*budget))
		if seen[key(p)] {
			continue
		}
		seen[key(p)] = true
		ce := Counterexample{Statement: st.ID, Func: st.Func, Tag: st.Tag, Scale: sc, Point: p, Consts: k, Relaxed: *relax,
			Verdict: v.String(), Found: cmd}
		// Re-evaluate (memoized: no new training) to record the instances.
		ce.Instances = lab.Trace(func() { st.Check(lab, sc, p, k) })
		for _, b := range v.Failed() {
			ce.Failed = append(ce.Failed, b.Name)
		}
		name := fileName(st.ID, p, *relax, sc.Name)
		ce.Replay = "go run ./cmd/hunt -replay " + filepath.ToSlash(filepath.Join(*out, name))
		if err := writeCE(*out, name, ce); err != nil {
			return err
		}
		found = append(found, ce)
		fmt.Fprintf(os.Stderr, "hunt: %s: counterexample %s (%d/%d checks, %s)\n", st.ID, key(p), i+1, *checks, time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(w, "%s %s: %d holds, %d n/a (outside hypotheses), %d fail; %d shrunk counterexamples; %s\n",
		st.ID, st.Func, holds, na, fails, len(found), time.Since(start).Round(time.Second))
	for _, ce := range found {
		fmt.Fprintf(w, "  %s\n", ce.Replay)
	}
	return nil
}

// shrink moves each axis of the failing point p toward its simplest index
// while the verdict keeps failing (no error), until no move succeeds or the
// deadline passes (then the point shrunk so far, still failing, is kept).
func shrink(lab *theorems.Lab, st theorems.Statement, sc theorems.Scale, k theorems.Consts, axes []theorems.Axis, relax bool, p theorems.Point, v theorems.Verdict, deadline time.Time) (theorems.Point, theorems.Verdict) {
	fails := func(q theorems.Point) (theorems.Verdict, bool) {
		v, err := st.Check(lab, sc, q, k)
		return v, err == nil && v.Refuted()
	}
	for changed := true; changed && time.Now().Before(deadline); {
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

func fileName(id string, p theorems.Point, relax bool, scale string) string {
	s := strings.NewReplacer("(", "", ")", "", ".", "").Replace(id) + "-" + strings.ReplaceAll(key(p), " ", "_")
	if relax {
		s += "-relaxed"
	}
	if scale != "tiny" {
		s += "-" + scale
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
	if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
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
		fmt.Fprintf(&sb, "%s %s %s%s scale=%s [%s] fails: %s | %s\n", ce.Statement, ce.Func, ce.Tag, rel, ce.Scale.Name,
			key(ce.Point), strings.Join(ce.Failed, "; "), ce.Replay)
	}
	return os.WriteFile(filepath.Join(dir, "SUMMARY.txt"), []byte(sb.String()), 0o644)
}

func replayFile(w io.Writer, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ce Counterexample
	if err := json.Unmarshal(b, &ce); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	st, err := find(ce.Statement)
	if err != nil {
		return err
	}
	v, err := st.Check(theorems.NewLab(), ce.Scale, ce.Point, ce.Consts)
	if err != nil {
		return fmt.Errorf("replay %s: %s(%s) = error %w, want the recorded failing verdict", path, st.Func, key(ce.Point), err)
	}
	fmt.Fprintln(w, v)
	if !v.Refuted() {
		return fmt.Errorf("replay %s: %s(%s) is no longer refuted: the counterexample no longer reproduces", path, st.Func, key(ce.Point))
	}
	fmt.Fprintf(w, "reproduced: %s fails at %s (scale %s)\n", st.Func, key(ce.Point), ce.Scale.Name)
	return nil
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

// setConsts applies name=value overrides by the JSON names of Consts.
func setConsts(k *theorems.Consts, kv []string) error {
	v := reflect.ValueOf(k).Elem()
	t := v.Type()
	for _, s := range kv {
		name, val, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("-const %q: want name=value", s)
		}
		set := false
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if tag != name {
				continue
			}
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Float64:
				x, err := strconv.ParseFloat(val, 64)
				if err != nil {
					return fmt.Errorf("-const %s: %w", s, err)
				}
				f.SetFloat(x)
			case reflect.Int:
				x, err := strconv.Atoi(val)
				if err != nil {
					return fmt.Errorf("-const %s: %w", s, err)
				}
				f.SetInt(int64(x))
			case reflect.String:
				f.SetString(val)
			}
			set = true
		}
		if !set {
			return fmt.Errorf("-const %q: no constant named %q", s, name)
		}
	}
	return nil
}
