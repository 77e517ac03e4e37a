package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"vitadv/model/valid"
	"vitadv/theorems"
)

// Limits of the search flags.
const (
	maxChecks = 10_000_000
	maxFails  = 10_000
)

// scratchOut is the default -out: a directory git ignores (as vitadv's
// results/tmp), so that a run never changes the committed results/hunt
// unless asked to with -out results/hunt.
const scratchOut = "results/tmp/hunt"

// config is a parsed and validated command line.
type config struct {
	id        string
	checks    int
	seed      uint64
	relax     bool
	scale     theorems.Scale
	out       string
	maxFail   int
	budget    time.Duration
	checkTime time.Duration // per-check (and per shrink candidate) budget; 0: none
	replay    string
	list      bool
	log       string   // JSON-lines run log to append the run's record to ("": none)
	convert   string   // directory whose text batch logs to convert to JSON lines
	constArgs []string // the -const overrides as given (name=value)
	consts    theorems.Consts
	scope     theorems.ScopeConsts // the constants of the statements' scopes (-ceta-theory)
	label     string               // directory whose hunt logs and counterexamples to label with their scopes
	heartbeat time.Duration        // progress line interval
}

type constFlags []string

func (c *constFlags) String() string     { return strings.Join(*c, ",") }
func (c *constFlags) Set(s string) error { *c = append(*c, s); return nil }

// flagErr is a bad command line: a *valid.Error naming the flag ("" for
// a positional argument).
func flagErr(name string, v any, rule string) error {
	if name == "" {
		return &valid.Error{Field: "argument", Value: v, Rule: rule}
	}
	return &valid.Error{Field: "-" + name, Value: v, Rule: rule}
}

// parse parses and validates args before any work. It returns flag.ErrHelp
// (with the usage written to w) for -h.
func parse(w io.Writer, args []string) (*config, error) {
	fs := flag.NewFlagSet("hunt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &config{heartbeat: 10 * time.Second}
	fs.StringVar(&c.id, "statement", "", "statement `ID` (see -list)")
	fs.IntVar(&c.checks, "checks", 100, "random points to evaluate (1 to 10000000)")
	fs.Uint64Var(&c.seed, "seed", 1, "search seed: point i is drawn from PCG(seed, i)")
	fs.BoolVar(&c.relax, "relax", false, "draw from the relaxed axis ranges (outside the hypotheses)")
	scaleName := fs.String("scale", "tiny", "instance `scale`: "+theorems.ScaleNames)
	stepFrac := fs.Float64("step-frac", 0, "train every check at η = `f`·min{‖μ‖⁻², (σ₂²d)⁻¹}, inside THEORY §4.1's step-size hypothesis (f in (0, 1]), to the flow time η·T of the scale's steps at η = 0.1 (theorems.Scale.StepFrac); 0: the scripts' η = 0.1")
	fs.StringVar(&c.out, "out", scratchOut, "`directory` for counterexample files and SUMMARY.txt (the default is git-ignored scratch; -out results/hunt writes the committed tree)")
	fs.IntVar(&c.maxFail, "max-fail", 3, "stop after this many distinct shrunk counterexamples")
	fs.DurationVar(&c.budget, "time", 5*time.Minute, "stop searching and shrinking after this long (> 0; a check under way finishes or hits -check-time)")
	fs.DurationVar(&c.checkTime, "check-time", 0, "abandon a check (or shrink candidate) after this long and count it \"timed out\" (≥ 0; 0: no limit)")
	fs.StringVar(&c.replay, "replay", "", "replay a counterexample `file` and exit")
	fs.BoolVar(&c.list, "list", false, "list the statements and exit")
	fs.StringVar(&c.log, "log", "", "append the run's record (command, scale, tally, counterexamples) to this JSON-lines `file` (report.HuntRecord; the batches write results/hunt/<batch>.jsonl)")
	fs.StringVar(&c.convert, "convert", "", "convert the text batch logs of `directory` (*.txt) to JSON-lines run logs (<batch>.jsonl) and exit")
	c.scope = theorems.DefaultScope()
	fs.Float64Var(&c.scope.CetaTheory, "ceta-theory", c.scope.CetaTheory, "constant of THEORY §4.1's step-size hypothesis η ≤ C·min{‖μ‖⁻², (σ₂²d)⁻¹} the scopes evaluate (theorems.ScopeConsts; > 0)")
	fs.StringVar(&c.label, "label-scope", "", "label the hunt logs (*.txt, then *.jsonl) and counterexample files of `directory` written before the scopes were evaluated, and exit")
	var consts constFlags
	fs.Var(&consts, "const", "override a constant, `name=value` (JSON name of theorems.Consts; repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(w, "usage: hunt -statement ID [flags] | hunt -replay file | hunt -convert dir | hunt -list\n\nflags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, flagErr("", fs.Arg(0), "unexpected argument (flags go before it)")
	}
	if c.checkTime < 0 {
		return nil, flagErr("check-time", c.checkTime, "must be ≥ 0 (0: no limit)")
	}
	if err := c.scope.Validate(); err != nil {
		var ve *valid.Error
		if errors.As(err, &ve) {
			return nil, flagErr("ceta-theory", c.scope.CetaTheory, ve.Rule)
		}
		return nil, err
	}
	if c.list || c.replay != "" || c.convert != "" || c.label != "" {
		return c, nil
	}
	if _, err := find(c.id); err != nil {
		return nil, err
	}
	sc, err := theorems.ScaleByName(*scaleName)
	if err != nil {
		return nil, flagErr("scale", *scaleName, "must be "+theorems.ScaleNames)
	}
	c.scale = sc
	if err := theorems.ValidStepFrac(*stepFrac); err != nil {
		return nil, flagErr("step-frac", *stepFrac, err.Error())
	}
	c.scale.StepFrac = *stepFrac
	if c.checks < 1 || c.checks > maxChecks {
		return nil, flagErr("checks", c.checks, fmt.Sprintf("must be in [1, %d]", maxChecks))
	}
	if c.maxFail < 1 || c.maxFail > maxFails {
		return nil, flagErr("max-fail", c.maxFail, fmt.Sprintf("must be in [1, %d]", maxFails))
	}
	if c.budget <= 0 {
		return nil, flagErr("time", c.budget, "must be > 0")
	}
	if c.out == "" {
		return nil, flagErr("out", c.out, "must name a directory")
	}
	c.constArgs = consts
	c.consts = theorems.Defaults()
	if err := setConsts(&c.consts, consts); err != nil {
		return nil, err
	}
	if err := c.consts.Validate(); err != nil {
		var ve *valid.Error
		if errors.As(err, &ve) {
			return nil, flagErr("const", ve.Field+"="+fmt.Sprint(ve.Value), ve.Rule)
		}
		return nil, err
	}
	return c, nil
}

// setConsts applies name=value overrides by the JSON names of Consts.
func setConsts(k *theorems.Consts, kv []string) error {
	v := reflect.ValueOf(k).Elem()
	t := v.Type()
	for _, s := range kv {
		name, val, ok := strings.Cut(s, "=")
		if !ok {
			return flagErr("const", s, "want name=value")
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
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return flagErr("const", s, "want a finite number after "+name+"=")
				}
				f.SetFloat(x)
			case reflect.Int:
				x, err := strconv.Atoi(val)
				if err != nil {
					return flagErr("const", s, "want an integer after "+name+"=")
				}
				f.SetInt(int64(x))
			case reflect.String:
				f.SetString(val)
			}
			set = true
		}
		if !set {
			return flagErr("const", s, fmt.Sprintf("no constant named %q (JSON names of theorems.Consts)", name))
		}
	}
	return nil
}

// checkAxes returns an error unless every axis range is non-empty (the
// constants decide some ends, e.g. c₂ from C_b).
func checkAxes(axes []theorems.Axis, relax bool) error {
	for _, a := range axes {
		lo, hi := a.Lo, a.Hi
		if relax {
			lo, hi = a.RelaxLo, a.RelaxHi
		}
		if lo > hi {
			return flagErr("const", a.Name, fmt.Sprintf("these constants make axis %s empty: [%d, %d]", a.Name, lo, hi))
		}
	}
	return nil
}

// validateCE checks a counterexample file before replaying it: a known
// statement, a named scale with its exact sizes, valid constants, and a
// point with exactly the statement's axes, each inside the union of its
// default and relaxed ranges.
func validateCE(path string, ce *Counterexample) (theorems.Statement, error) {
	bad := func(field string, v any, rule string) error {
		return fmt.Errorf("%s: %w", path, &valid.Error{Field: field, Value: v, Rule: rule})
	}
	st, err := find(ce.Statement)
	if err != nil {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	ce.Scale.Name = theorems.CurrentScaleName(ce.Scale.Name, ce.Scale.D)
	named, err := theorems.ScaleByName(ce.Scale.Name)
	if err != nil {
		return st, bad("scale.name", ce.Scale.Name, "must be "+theorems.ScaleNames)
	}
	if err := theorems.ValidStepFrac(ce.Scale.StepFrac); err != nil {
		return st, bad("scale.step_frac", ce.Scale.StepFrac, err.Error())
	}
	named.StepFrac = ce.Scale.StepFrac
	if ce.Scale != named {
		return st, bad("scale", fmt.Sprintf("%+v", ce.Scale), fmt.Sprintf("must equal the %s scale %+v", named.Name, named))
	}
	if !(ce.CheckSeconds >= 0) {
		return st, bad("check_seconds", ce.CheckSeconds, "must be ≥ 0")
	}
	if !(ce.ShrinkSeconds >= 0) {
		return st, bad("shrink_seconds", ce.ShrinkSeconds, "must be ≥ 0")
	}
	if err := ce.Consts.Validate(); err != nil {
		return st, fmt.Errorf("%s: consts: %w", path, err)
	}
	if err := ce.scopeConsts().Validate(); ce.CetaTheory != 0 && err != nil {
		return st, bad("ceta_theory", ce.CetaTheory, "must be in (0, 1e6], or absent for THEORY's default")
	}
	axes := st.Axes(ce.Scale, ce.Consts)
	if len(ce.Point) != len(axes) {
		return st, bad("point", ce.Point, fmt.Sprintf("must have the %d axes of %s", len(axes), st.ID))
	}
	for _, a := range axes {
		x, ok := ce.Point[a.Name]
		if !ok {
			return st, bad("point", ce.Point, "lacks axis "+a.Name)
		}
		lo, hi := min(a.Lo, a.RelaxLo), max(a.Hi, a.RelaxHi)
		if x < lo || x > hi {
			return st, bad("point."+a.Name, x, fmt.Sprintf("must be in [%d, %d]", lo, hi))
		}
	}
	return st, nil
}
