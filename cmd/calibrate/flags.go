package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"vitadv/model/valid"
	"vitadv/theorems"
)

// Limits of the calibration flags: far above the committed run (4 N × 13 c
// × 5 seeds, 1000 resamples) and low enough that a typo cannot exhaust
// memory or run for days before failing.
const (
	maxSeeds   = 10_000
	maxBoot    = 1_000_000
	maxJ       = 60 // c = 2^(j/2) up to 2^30
	maxN       = 1 << 16
	maxDh      = 1 << 14
	maxJobs    = 1_000_000
	maxWorkers = 1024
)

// flagError returns a *valid.Error naming the flag as the user typed it.
func flagError(name string, v any, rule string) error {
	if name == "" {
		return &valid.Error{Field: "argument", Value: v, Rule: rule}
	}
	return &valid.Error{Field: "-" + name, Value: v, Rule: rule}
}

// helpOK turns flag.ErrHelp into a usage on w and a nil error (exit 0);
// other parse errors pass through.
func helpOK(err error, fs *flag.FlagSet, w io.Writer) error {
	if !errors.Is(err, flag.ErrHelp) {
		return err
	}
	fmt.Fprintln(w, "usage: calibrate [flags]\n\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	return nil
}

// checkFlags validates the parsed command line before any work: every
// flag's range, no stray positional argument (which would make the flag
// package drop every flag after it, -out included), and an -out directory
// that can be created and written (probed with a temporary file).
func checkFlags(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return flagError("", fs.Arg(0), "unexpected argument: flags after it would be ignored (is a flag value missing?)")
	}
	get := func(name string) any { return fs.Lookup(name).Value.(flag.Getter).Get() }
	for _, name := range []string{"scale", "tau-scale"} {
		if _, err := theorems.ScaleByName(get(name).(string)); err != nil {
			return flagError(name, get(name), "must be "+theorems.ScaleNames)
		}
	}
	intIn := func(name string, lo, hi int) error {
		if v := get(name).(int); v < lo || v > hi {
			return flagError(name, v, fmt.Sprintf("must be in [%d, %d]", lo, hi))
		}
		return nil
	}
	if err := valid.First(intIn("seeds", 1, maxSeeds), intIn("tau-seeds", 1, maxSeeds), intIn("boot", 1, maxBoot),
		intIn("jlo", -maxJ, maxJ), intIn("jhi", -maxJ, maxJ), intIn("workers", 1, maxWorkers), intIn("tau-n", 2, maxN)); err != nil {
		return err
	}
	if jlo, jhi := get("jlo").(int), get("jhi").(int); jlo > jhi {
		return flagError("jhi", jhi, fmt.Sprintf("must be >= the -jlo value %d", jlo))
	}
	if n := get("tau-n").(int); n%2 != 0 {
		return flagError("tau-n", n, "must be even")
	}
	if c := get("tau-c").(float64); math.IsNaN(c) || math.IsInf(c, 0) || c <= 0 || c > 1e6 {
		return flagError("tau-c", c, "must be finite, 0 < value <= 1e6")
	}
	ns, err := intList(fs, "n", 2, maxN, true)
	if err != nil {
		return err
	}
	dhs, err := intList(fs, "dh", 1, maxDh, false)
	if err != nil {
		return err
	}
	if len(dhs) < 2 && !get("skip-tau").(bool) {
		// The τ* ratio and the 1/log d_h test compare two widths.
		return flagError("dh", fs.Lookup("dh").Value.String(), "want two or more distinct d_h (the τ sweep compares τ* across widths), or -skip-tau")
	}
	jobs := len(ns) * (get("jhi").(int) - get("jlo").(int) + 1) * get("seeds").(int)
	if !get("skip-tau").(bool) {
		jobs += len(dhs) * get("tau-seeds").(int) * len(theorems.SweepTaus())
	}
	if jobs > maxJobs {
		return flagError("seeds", get("seeds"), fmt.Sprintf("the grid has %d trainings, more than %d", jobs, maxJobs))
	}
	return probeDir(get("out").(string))
}

// intList parses the comma-separated list of flag name, each in [lo, hi]
// (and even if even), no value twice (a repeated N would weight its cells
// twice in the fit; a repeated d_h makes the τ* ratio a meaningless 1).
func intList(fs *flag.FlagSet, name string, lo, hi int, even bool) ([]int, error) {
	s := fs.Lookup(name).Value.String()
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < lo || v > hi || even && v%2 != 0 {
			rule := fmt.Sprintf("want a comma-separated list of integers in [%d, %d]", lo, hi)
			if even {
				rule = fmt.Sprintf("want a comma-separated list of even integers in [%d, %d]", lo, hi)
			}
			return nil, flagError(name, s, rule)
		}
		if slices.Contains(out, v) {
			return nil, flagError(name, s, fmt.Sprintf("%d appears twice: want distinct values", v))
		}
		out = append(out, v)
	}
	return out, nil
}

// probeDir creates dir (if needed) and a temporary file in it, then removes
// the file: an unwritable -out fails now, not after hours of training.
func probeDir(dir string) error {
	if dir == "" {
		return flagError("out", dir, "must name a directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return flagError("out", dir, "cannot create the directory: "+err.Error())
	}
	f, err := os.CreateTemp(dir, ".calibrate-probe-*")
	if err != nil {
		return flagError("out", dir, "cannot write into the directory: "+err.Error())
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
