package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"vitadv/experiment"
	"vitadv/model/data/mnist"
	"vitadv/model/valid"
	"vitadv/report"
	"vitadv/sweep"
)

// run executes the command line args, writing results to w and progress to
// stderr.
func run(w io.Writer, args []string) error {
	return runEnv(w, os.Stderr, args, os.Getenv)
}

const synopsis = `vitadv <command> [flags]

commands:
  all       every experiment of a preset, then the report (default -preset ci);
            computes into a scratch directory under results/tmp (resuming
            the last unfinished one; -fresh starts anew) and compares every
            CSV with the committed one in results/ (-results results writes
            into the committed tree instead)
  phase     N × SNR phase diagram, clean GD (-tau 0) or adversarial training
  tau       robust error, attention entropy and steps vs τ/‖μ‖
  dynamics  per-step trajectories in a benign and a harmful cell
  mnist     MNIST 0 vs 1 over N and the noise level
  merge     merge <experiment> [its flags] [shard files]: combine shards
  report    rebuild the figures and results/REPORT.md from the CSV files
  list      the CSV files all computes at a preset, one per line, relative to
            the results root (-preset ci: the committed ci results that make
            check compares)

Run vitadv <command> -h for the flags of a command.
`

// runEnv is run with the progress writer and the environment made explicit
// (for tests).
func runEnv(w, progress io.Writer, args []string, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(w, synopsis)
		return &FlagError{Reason: "missing command (see vitadv -h)"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "phase", "tau", "dynamics", "mnist":
		return runExperiment(w, progress, cmd, rest, getenv, false)
	case "merge":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return &FlagError{Command: "merge", Reason: "want the experiment to merge first: merge phase|tau|dynamics|mnist [flags] [files]"}
		}
		switch rest[0] {
		case "phase", "tau", "dynamics", "mnist":
			return runExperiment(w, progress, rest[0], rest[1:], getenv, true)
		}
		return &FlagError{Command: "merge", Value: rest[0], Reason: "unknown experiment: want phase, tau, dynamics or mnist"}
	case "report":
		return runReport(w, rest)
	case "all":
		return runAll(w, progress, rest, getenv)
	case "list":
		return runList(w, rest)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(w, synopsis)
		return nil
	}
	fmt.Fprint(w, synopsis)
	return &FlagError{Value: cmd, Reason: "unknown command (see vitadv -h)"}
}

// scratchRoot is the default results root of the experiment commands: a
// directory git ignores, so that a run never changes the committed
// results/ unless asked to with -results results.
const scratchRoot = "results/tmp"

// committedRoot is the committed results tree.
const committedRoot = "results"

// common holds the flags every experiment shares.
type common struct {
	preset   string
	results  string
	out      string
	shard    string
	workers  int
	maxCells int
	figures  bool
	cpuprof  string
}

func (c *common) define(fs *flagSet, p experiment.Preset) {
	c.preset = string(p)
	c.results = scratchRoot
	c.workers = min(2, runtime.GOMAXPROCS(0))
	c.figures = true
	fs.String(&c.preset, "preset", "size preset: smoke (d = 16, seconds: tests), ci (d = 128, minutes on 2 cores) or paper (THEORY §6 sizes, for many machines)")
	fs.String(&c.results, "results", "root of the results tree; the output is <results>/<experiment>/<preset>[-variant].csv; the default is git-ignored scratch, -results results writes the committed tree")
	fs.String(&c.out, "out", "output path x or x.csv (writes x.csv and x.json); overrides -results")
	fs.String(&c.shard, "shard", "run only shard i of n (i/n, 0-based); default from $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT or $JOB_COMPLETION_INDEX/$VITADV_SHARDS")
	fs.Int(&c.workers, "workers", "cells run concurrently")
	fs.Int(&c.maxCells, "max-cells", "stop after computing this many new cells (0: all); rerun to continue")
	fs.Bool(&c.figures, "figures", "draw the figures when the run is complete")
	fs.String(&c.cpuprof, "cpuprofile", "write a CPU profile of the run to this file (go tool pprof)")
}

// experimentSpec is a parsed experiment command.
type experimentSpec struct {
	job  *sweep.Job
	kind string
	out  string // base path
	// setup and cellN estimate the run time (workOf): the sizes, and the
	// training-set size times the passes per step of a cell (nil: job.Cost).
	setup experiment.Setup
	cellN func(sweep.Cell) float64
	at    bool // adversarial training (some τ > 0)
}

// parseExperiment defines the flags of kind, parses args and builds the
// job. It returns the common flags and the positional arguments too.
//
// The flags are parsed once, in two phases: args are parsed into flags
// whose defaults are the ci preset's; then the flags are defined afresh
// with the defaults of the preset given (and, for phase, of the -tau
// given, which sets the step cap), and the value of every flag the user
// set (fs.Visit) is applied to them.
func parseExperiment(kind string, args []string, getenv func(string) string) (*experimentSpec, *common, *flagSet, []string, error) {
	first := defineExperiment(kind, experiment.CI, 0, getenv)
	perr := first.fs.parse(args)
	if perr != nil && !errors.Is(perr, flag.ErrHelp) {
		return nil, first.c, first.fs, nil, perr
	}
	p, err := presetValue(kind, first.c.preset)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tau := 0.0
	if kind == "phase" {
		tau = *first.tau
	}
	d := defineExperiment(kind, p, tau, getenv)
	var serr error
	first.fs.Visit(func(f *flag.Flag) {
		if err := d.fs.Set(f.Name, f.Value.String()); err != nil && serr == nil {
			serr = err
			if d.fs.first != nil {
				serr = d.fs.first
			}
		}
	})
	if serr != nil {
		return nil, nil, nil, nil, serr
	}
	fs, c := d.fs, d.c
	if perr != nil { // -h: the usage shows the defaults of the preset given before it
		return nil, c, fs, nil, perr
	}
	if kind == "mnist" {
		// d is (28/pool)², so -d (and the synthetic noise flags, which
		// mnist does not define) cannot be honoured.
		var bad *FlagError
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "d" && bad == nil {
				bad = &FlagError{Command: kind, Flag: "d", Value: f.Value.String(), Reason: "mnist sets d = (28/pool)² (784, 196 or 49): use -pool 1, 2 or 4"}
			}
		})
		if bad != nil {
			return nil, nil, nil, nil, bad
		}
	}
	if c.workers < 1 || c.workers > 1024 {
		return nil, nil, nil, nil, &FlagError{Command: kind, Flag: "workers", Value: strconv.Itoa(c.workers), Reason: "must be in [1, 1024]"}
	}
	if c.maxCells < 0 {
		return nil, nil, nil, nil, &FlagError{Command: kind, Flag: "max-cells", Value: strconv.Itoa(c.maxCells), Reason: "must be >= 0"}
	}
	job, name, err := d.build()
	if err != nil {
		return nil, nil, nil, nil, fs.check(err)
	}
	out := strings.TrimSuffix(c.out, ".csv")
	if c.out != "" && (out == "" || strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator))) {
		return nil, nil, nil, nil, &FlagError{Command: kind, Flag: "out", Value: c.out, Reason: "want a file path such as dir/name or dir/name.csv"}
	}
	if c.out == "" {
		if c.results == "" {
			return nil, nil, nil, nil, &FlagError{Command: kind, Flag: "results", Value: "", Reason: "must name a directory"}
		}
		out = filepath.Join(c.results, kind, name)
	} else {
		// The progress label names the file written (ci-d256-clean, not
		// the preset's ci-clean).
		job.Name = kind + " " + filepath.Base(out)
	}
	return &experimentSpec{job: job, kind: kind, out: out, setup: *d.setup, cellN: d.cellN, at: d.at()}, c, fs, first.fs.Args(), nil
}

// experimentFlags are the flags of one experiment command bound to its
// configuration, built from a preset.
type experimentFlags struct {
	fs    *flagSet
	c     *common
	tau   *float64 // phase: the training budget -tau (nil otherwise)
	build func() (*sweep.Job, string, error)
	setup *experiment.Setup
	cellN func(sweep.Cell) float64
	at    func() bool
}

// defineExperiment defines the flags of kind with the defaults of preset p
// (for phase, at the training budget tau, which sets the step cap).
func defineExperiment(kind string, p experiment.Preset, tau float64, getenv func(string) string) *experimentFlags {
	fs := newFlagSet(kind)
	c := &common{}
	c.define(fs, p)
	d := &experimentFlags{fs: fs, c: c}
	var build func() (*sweep.Job, string, error)
	var setup *experiment.Setup
	var cellN func(sweep.Cell) float64
	var at func() bool
	switch kind {
	case "phase":
		cfg := experiment.PhasePreset(p, tau)
		d.tau = &cfg.TauOverMu
		setup, at = &cfg.Setup, func() bool { return cfg.TauOverMu > 0 }
		defineSteps(fs, &cfg.Setup, &cfg.StepAxis)
		defineSetup(fs, &cfg.Setup, true)
		defineCascade(fs, &cfg.Setup)
		fs.Ints(&cfg.N, "n", "training-set sizes N (even), comma-separated")
		fs.Floats(&cfg.C, "c", "targets c = N·SNR_2², comma-separated (‖μ‖ = σ₂√d·√(c/N))")
		fs.Floats(&cfg.Mu, "mu", "signal norms ‖μ‖ instead of -c (Jiang et al.'s layout)")
		fs.Int(&cfg.Reps, "reps", "replicates per grid point")
		fs.Float(&cfg.TauOverMu, "tau", "training budget τ/‖μ‖ (ℓ₂ Frobenius ball); 0 = clean GD")
		fs.Uint64(&cfg.Seed, "seed", "master seed (cell i uses rng.Derive(seed, i))")
		build = func() (*sweep.Job, string, error) {
			// A preset laid out in ‖μ‖ (paper) would silently ignore an
			// explicit -c: -c replaces the preset's ‖μ‖ grid, and -c with
			// -mu is ambiguous.
			setC, setMu := false, false
			fs.Visit(func(f *flag.Flag) {
				setC = setC || f.Name == "c"
				setMu = setMu || f.Name == "mu"
			})
			if setC && setMu {
				return nil, "", &valid.Error{Field: "c", Value: "with -mu", Rule: "give the grid either as -c (N·SNR_2²) or as -mu (‖μ‖), not both"}
			}
			if setC {
				cfg.Mu = nil
			}
			if err := cfg.Validate(); err != nil {
				return nil, "", err
			}
			name := experiment.Name(p, cfg.Variant())
			return cfg.Job("phase " + name), name, nil
		}
	case "tau":
		cfg := experiment.TauPreset(p)
		setup, at = &cfg.Setup, func() bool { return true }
		defineSteps(fs, &cfg.Setup, &cfg.StepAxis)
		defineSetup(fs, &cfg.Setup, true)
		defineCascade(fs, &cfg.Setup)
		fs.Int(&cfg.N, "n", "training-set size N")
		fs.Float(&cfg.C, "c", "c = N·SNR_2² of the cell")
		fs.Float(&cfg.Mu, "mu", "signal norm ‖μ‖ instead of -c (0: use -c)")
		fs.Floats(&cfg.TauOverMu, "taus", "budgets τ/‖μ‖, comma-separated")
		fs.Float(&cfg.Eps, "eps", "record the first step with robust training loss below this (P6's ε)")
		fs.Int(&cfg.Reps, "reps", "replicates per budget (paired: same data at every τ)")
		fs.Uint64(&cfg.Seed, "seed", "master seed")
		build = func() (*sweep.Job, string, error) {
			if err := cfg.Validate(); err != nil {
				return nil, "", err
			}
			name := experiment.Name(p, "")
			return cfg.Job("tau " + name), name, nil
		}
	case "dynamics":
		cfg := experiment.DynamicsPreset(p)
		setup, at = &cfg.Setup, func() bool { return cfg.TauOverMu > 0 }
		cellN = func(sweep.Cell) float64 { return float64(cfg.N) * passes(cfg.TauOverMu, cfg.PGDSteps) }
		defineSetup(fs, &cfg.Setup, true)
		fs.Int(&cfg.N, "n", "training-set size N of both cells")
		fs.Float(&cfg.CBenign, "c-benign", "c = N·SNR_2² of the benign cell")
		fs.Float(&cfg.CHarmful, "c-harmful", "c = N·SNR_2² of the harmful cell")
		fs.Int(&cfg.Seeds, "seeds", "seeds per cell")
		fs.Int(&cfg.Every, "every", "log every this many steps (must divide -steps)")
		fs.Float(&cfg.TauOverMu, "tau", "training budget τ/‖μ‖; 0 = clean GD")
		fs.Uint64(&cfg.Seed, "seed", "master seed")
		build = func() (*sweep.Job, string, error) {
			if err := cfg.Validate(); err != nil {
				return nil, "", err
			}
			variant := ""
			if cfg.TauOverMu > 0 {
				variant = experiment.AtTau(cfg.TauOverMu)
			}
			name := experiment.Name(p, variant)
			return cfg.Job("dynamics " + name), name, nil
		}
	case "mnist":
		cfg := experiment.MNISTPreset(p)
		setup, at = &cfg.Setup, func() bool { return cfg.TauOverMu > 0 }
		cellN = func(c sweep.Cell) float64 {
			n, _ := strconv.Atoi(c.Param[0])
			return float64(n) * passes(cfg.TauOverMu, cfg.PGDSteps)
		}
		defineSetup(fs, &cfg.Setup, false)
		defineCascade(fs, &cfg.Setup)
		fs.Int(&cfg.Pool, "pool", "average-pool factor of the 28×28 images: 1 (d = 784), 2 (d = 196) or 4 (d = 49)")
		fs.Bool(&cfg.Center, "center", "subtract the mean 0/1 training image before rescaling to ‖μ‖")
		fs.Float(&cfg.Mu, "mu", "norm ‖μ‖ of the image token")
		fs.Floats(&cfg.Sigma2, "noise", "noise levels σ₂ of token 2, comma-separated (σ_w = σ₂·weak-ratio)")
		fs.Float(&cfg.WeakRatio, "weak-ratio", "σ_w/σ₂")
		fs.Ints(&cfg.N, "n", "training-set sizes N (even), comma-separated")
		fs.Int(&cfg.Reps, "reps", "replicates per grid point")
		fs.Float(&cfg.TauOverMu, "tau", "training budget τ/‖μ‖; 0 = clean GD")
		fs.Uint64(&cfg.Seed, "seed", "master seed")
		build = func() (*sweep.Job, string, error) {
			if err := cfg.Validate(); err != nil {
				return nil, "", err
			}
			dir, err := mnist.Find(getenv)
			if err != nil {
				return nil, "", err
			}
			variant := ""
			if cfg.TauOverMu > 0 {
				variant = experiment.AtTau(cfg.TauOverMu)
			}
			name := experiment.Name(p, variant)
			job, err := cfg.Job("mnist "+name, dir)
			cfg.Setup.D = cfg.Dim()
			return job, name, err
		}
	}
	d.build, d.setup, d.cellN, d.at = build, setup, cellN, at
	return d
}

// defineSteps binds the step-size axis of the τ sweep and the phase
// diagram (issue 17): -eta as a list, -flow-time, -early-steps,
// -adv-attention. Call it
// after defineSetup (it replaces the single -eta).
func defineSteps(fs *flagSet, s *experiment.Setup, ax *experiment.StepAxis) {
	fs.Etas(&s.Eta, &ax.Etas, "eta", "GD step sizes η, comma-separated; two or more make η an axis of the sweep (cells paired across η)")
	fs.Float(&ax.FlowTime, "flow-time", "end every run at gradient-flow time η·T (at most ⌈η·T/η⌉ steps per η, replacing -steps) or at -target,\nwhichever comes first; adds the columns flow_time, flow_time_reached and censored; 0 = off")
	fs.Int(&ax.Early, "early-steps", "write each cell's trajectory to <out>.traj/: a probe at every GD step up to this one, then log-spaced (×5/4); 0 = off")
	fs.Bool(&ax.AdvAttention, "adv-attention", "also measure the attention on the test inputs after the evaluation PGD (one run from 0):\nadds the columns a1_adv, a2_adv, entropy_adv and max_a_adv")
}

// defineSetup binds the shared model and optimizer flags (and the noise
// flags unless the experiment has its own).
func defineSetup(fs *flagSet, s *experiment.Setup, noise bool) {
	fs.Int(&s.D, "d", "token dimension d")
	fs.Int(&s.M, "m", "tokens per input M")
	fs.Int(&s.Dh, "dh", "query/key width d_h")
	fs.Int(&s.Dv, "dv", "value width d_v")
	if noise {
		fs.Float(&s.Sigma2, "sigma2", "std σ₂ of the strong noise token")
		fs.Float(&s.SigmaW, "sigma-w", "std σ_w of the weak noise tokens")
		fs.Bool(&s.Project, "project", "project the noise off span(μ₊, μ₋) (theory) instead of i.i.d. (scripts)")
	}
	fs.Int(&s.NTest, "ntest", "test points (even)")
	fs.Float(&s.Shrink, "init-shrink", "initialization shrink c: σ₀ = 1/(c√(3d))")
	if fs.Lookup("eta") == nil { // the τ sweep and the phase diagram bind a list (defineSteps)
		fs.Float(&s.Eta, "eta", "GD step size η")
	}
	fs.Int(&s.MaxSteps, "steps", "most GD steps (dynamics: exactly this many)")
	fs.Float(&s.Target, "target", "stop once the (robust) training loss is below this; 0 = never")
	fs.Int(&s.PGDSteps, "pgd-steps", "PGD steps K of the training attack (α = 2.5τ/K, zero start)")
	fs.Int(&s.EvalSteps, "eval-steps", "PGD steps of the evaluation attack")
	fs.Int(&s.EvalRestarts, "eval-restarts", "runs of the evaluation PGD (one from 0, the rest random)")
	fs.Int(&s.APGDSteps, "apgd-steps", "iterations of the evaluation APGD (one run from 0); 0 = no APGD")
	fs.String((*string)(&s.Set), "set", "perturbation set of the training and evaluation attacks: frobenius (ℓ₂ ball on X), signal-token, per-token or linf")
}

// defineCascade binds -eval-cascade, the evaluation protocol's strong
// stage (experiment.Setup.Cascade), and -cert-joint, its certificate
// (experiment.Setup.Joint), and -cert-deep, its last stage on the
// undecided points (experiment.Setup.DeepNodes), for the experiments that evaluate a
// robust-error bracket (phase, tau, mnist; mnist with its signal-free
// variant, cell.Protocol.NoSignals).
func defineCascade(fs *flagSet, s *experiment.Setup) {
	fs.Bool(&s.Cascade, "eval-cascade", "evaluate the bracket with the cascade: after PGD, APGD, midpoint and erase, the strong attack\n(attack.DefaultStrong) on the test points neither broken nor certified (issue 18); adds the column\neval_cascade; recorded in the sidecar's \"eval\"; mnist (no signal tokens) then uses the signal-free\nprotocol: no midpoint attack, and adds apgd_steps before eval_cascade")
	fs.Bool(&s.Joint, "cert-joint", "certify the upper ends with the joint bounds as well as the interval bound\n(certify.Certifier.SetJoint: first-order, split, row-share and top-shift bounds; issue 18); adds the\ncolumn cert_joint; recorded in the sidecar's \"eval\"; on by default where -eval-cascade is")
	fs.Int(&s.DeepNodes, "cert-deep", "certify the test points left undecided (neither broken nor certified) once more with this\nbranch-and-bound budget (cell.Protocol.DeepNodes; issue 18; 4096 decides most MNIST rows); 0 = off;\nadds the column cert_deep; recorded in the sidecar's \"eval\"")
}

// shardFrom returns the shard from -shard or, if unset, from the batch
// system's environment.
func shardFrom(cmd, flagValue string, getenv func(string) string) (sweep.Shard, error) {
	parse := func(name, i, n string) (sweep.Shard, error) {
		iv, err1 := strconv.Atoi(strings.TrimSpace(i))
		nv, err2 := strconv.Atoi(strings.TrimSpace(n))
		if err1 != nil || err2 != nil || nv < 1 || iv < 0 || iv >= nv {
			val := i + "/" + n
			return sweep.Shard{}, &FlagError{Command: cmd, Flag: name, Value: val, Reason: "want i/n with 0 <= i < n"}
		}
		return sweep.Shard{I: iv, N: nv}, nil
	}
	if flagValue != "" {
		i, n, ok := strings.Cut(flagValue, "/")
		if !ok {
			return sweep.Shard{}, &FlagError{Command: cmd, Flag: "shard", Value: flagValue, Reason: "want i/n with 0 <= i < n"}
		}
		return parse("shard", i, n)
	}
	if id := getenv("SLURM_ARRAY_TASK_ID"); id != "" {
		n := getenv("SLURM_ARRAY_TASK_COUNT")
		if n == "" {
			return sweep.Shard{}, &FlagError{Command: cmd, Flag: "$SLURM_ARRAY_TASK_COUNT", Reason: "unset while $SLURM_ARRAY_TASK_ID is set"}
		}
		if lo := getenv("SLURM_ARRAY_TASK_MIN"); lo != "" { // arrays may start at 1
			a, err1 := strconv.Atoi(id)
			b, err2 := strconv.Atoi(lo)
			if err1 == nil && err2 == nil {
				id = strconv.Itoa(a - b)
			}
		}
		return parse("$SLURM_ARRAY_TASK_ID", id, n)
	}
	if id := getenv("JOB_COMPLETION_INDEX"); id != "" {
		n := getenv("VITADV_SHARDS")
		if n == "" {
			return sweep.Shard{}, &FlagError{Command: cmd, Flag: "$VITADV_SHARDS", Reason: "unset while $JOB_COMPLETION_INDEX is set (give the Job's completions)"}
		}
		return parse("$JOB_COMPLETION_INDEX", id, n)
	}
	return sweep.Whole, nil
}

// canonical returns the command line without the flags that do not change
// the results (shard, workers, max-cells, figures).
func canonical(kind string, args []string) string {
	out := []string{"vitadv", kind}
	skip := map[string]bool{"shard": true, "workers": true, "max-cells": true, "figures": true, "cpuprofile": true}
	for i := 0; i < len(args); i++ {
		name, _, has := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if strings.HasPrefix(args[i], "-") && skip[name] {
			if !has && name != "figures" {
				i++
			}
			continue
		}
		out = append(out, args[i])
	}
	return strings.Join(out, " ")
}

func runExperiment(w, progress io.Writer, kind string, args []string, getenv func(string) string, merge bool) error {
	spec, c, fs, rest, err := parseExperiment(kind, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fs.usage(w, kind+" [flags]")
		return nil
	}
	if err != nil {
		return err
	}
	if merge {
		path, err := sweep.Merge(spec.job, spec.out, rest, canonical(kind, args))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "merged %s\n", path)
		return figures(w, spec, path, c.figures)
	}
	if len(rest) > 0 {
		return &FlagError{Command: kind, Flag: "", Value: rest[0], Reason: "unexpected argument (flags go before it? see -h)"}
	}
	shard, err := shardFrom(kind, c.shard, getenv)
	if err != nil {
		return err
	}
	stop, err := startProfile(kind, c.cpuprof)
	if err != nil {
		return err
	}
	defer stop()
	sum, err := sweep.Execute(spec.job, sweep.Options{Out: spec.out, Shard: shard, Workers: c.workers,
		MaxCells: c.maxCells, Progress: progress, Command: canonical(kind, args)})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d/%d cells in %s (%d resumed, %d computed in %v)\n", spec.job.Name, sum.Done, sum.Total, sum.Path,
		sum.Resumed, sum.Computed, sum.Elapsed.Round(time.Millisecond))
	if !sum.Complete || shard.N > 1 {
		return nil
	}
	return figures(w, spec, sum.Path, c.figures)
}

// startProfile starts a CPU profile written to path (none if path is
// empty) and returns the function that stops it and closes the file. The
// file is created before any work starts, so a bad path fails at once.
func startProfile(cmd, path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, &FlagError{Command: cmd, Flag: "cpuprofile", Value: path, Reason: err.Error()}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, &FlagError{Command: cmd, Flag: "cpuprofile", Value: path, Reason: err.Error()}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// figures draws the figures of a complete CSV file.
func figures(w io.Writer, spec *experimentSpec, csv string, draw bool) error {
	if !draw {
		return nil
	}
	files, err := report.Render(spec.kind, csv)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
	return nil
}

func runReport(w io.Writer, args []string) error {
	fs := newFlagSet("report")
	results := committedRoot
	fs.String(&results, "results", "root of the results tree")
	if err := fs.parse(args); errors.Is(err, flag.ErrHelp) {
		fs.usage(w, "report [-results dir]")
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &FlagError{Command: "report", Value: fs.Arg(0), Reason: "unexpected argument"}
	}
	if st, err := os.Stat(results); err != nil || !st.IsDir() {
		return &FlagError{Command: "report", Flag: "results", Value: results, Reason: "no such directory (run an experiment into it first)"}
	}
	files, err := report.Report(results)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
	return nil
}

// allRun is one experiment command of `all`: its arguments and the CSV it
// writes, relative to the results root. A run with sample n > 1 is one
// whose cells evaluate with the cascade (issue 18): the quick main job
// computes only its shard 0/n (the cells i ≡ 0 mod n, spread over the
// grid) and compares those rows with the committed file; -full, and every
// run into an explicit -results root (make results, make check),
// computes all of its cells.
type allRun struct {
	args   []string
	csv    string
	sample int
	shard  sweep.Shard // the part this invocation computes (zero: whole)
}

// allRuns lists the experiments of `all` at preset p: the clean and
// adversarial phase diagrams, the τ sweep, the dynamics and MNIST; at the
// ci preset also the committed variants (d = 256 phase diagram, the long
// τ sweep, and the τ sweep on the other perturbation sets), so that `all`
// regenerates every committed CSV. Variants write through -out, which
// is relative to root.
func allRuns(p experiment.Preset, root string) []allRun {
	name := func(v string) string { return experiment.Name(p, v) }
	// sample is the quick main job's 1-in-n sample of the cells of a
	// cascade run at the ci preset (allRun.sample), chosen so that the
	// main job stays within 3 minutes on 2 cores (README); 0 elsewhere.
	sample := func(n int) int {
		if p == experiment.CI {
			return n
		}
		return 0
	}
	runs := []allRun{{args: []string{"phase", "-tau", "0"}, csv: "phase/" + name("clean") + ".csv"}}
	for _, t := range experiment.PhaseTaus() {
		runs = append(runs, allRun{args: []string{"phase", "-tau", strconv.FormatFloat(t, 'g', -1, 64)}, csv: "phase/" + name(experiment.AtTau(t)) + ".csv", sample: sample(phaseSample)})
	}
	runs = append(runs, allRun{args: []string{"tau"}, csv: "tau/" + name("") + ".csv", sample: sample(tauSample)}, allRun{args: []string{"dynamics"}, csv: "dynamics/" + name("") + ".csv"},
		allRun{args: []string{"mnist"}, csv: "mnist/" + name("") + ".csv"})
	if p != experiment.CI {
		return runs
	}
	variant := func(csv string, sample int, args ...string) allRun {
		out := filepath.Join(root, strings.TrimSuffix(csv, ".csv"))
		return allRun{args: append(args, "-out", out), csv: csv, sample: sample}
	}
	return append(runs,
		variant("phase/ci-d256-clean.csv", 0, "phase", "-d", "256", "-dh", "128", "-dv", "128", "-n", "2,4,6,8,10,12,14,16,18,20",
			"-c", "0.05,0.1,0.2,0.35,0.5,0.75,1,1.5,2,3,5,10", "-reps", "3"),
		variant("tau/ci-long.csv", tauLongSample, "tau", "-reps", "5", "-steps", "400"),
		variant("tau/ci-per-token.csv", tauSample, "tau", "-set", "per-token"),
		variant("tau/ci-signal-token.csv", tauSample, "tau", "-set", "signal-token"),
	)
}

// The quick main job's samples of the ci cascade runs (allRun.sample):
// every phaseSample-th cell of the adversarial phase diagrams, every
// tauSample-th of the τ sweeps (cells are ordered by τ, then replicate:
// the first replicate at every other budget) and every tauLongSample-th
// of the long τ sweep.
const (
	phaseSample   = 8
	tauSample     = 4
	tauLongSample = 10
)

// runList prints the CSV files of allRuns at a preset, one per line: the
// one list of the committed results, which `all` computes and compares and
// the Makefile's results and check targets read.
func runList(w io.Writer, args []string) error {
	fs := newFlagSet("list")
	preset := string(experiment.CI)
	fs.String(&preset, "preset", "size preset: smoke, ci or paper")
	if err := fs.parse(args); errors.Is(err, flag.ErrHelp) {
		fs.usage(w, "list [-preset ci]")
		return nil
	} else if err != nil {
		return err
	}
	p, err := presetValue("list", preset)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &FlagError{Command: "list", Value: fs.Arg(0), Reason: "unexpected argument"}
	}
	for _, r := range allRuns(p, committedRoot) {
		fmt.Fprintln(w, r.csv)
	}
	return nil
}

// runAll runs every experiment of a preset and then the report. Without
// -results it computes into a fresh scratch directory and compares each
// CSV with the committed one under -compare (byte for byte; per cell on a
// difference), failing if any differs.
func runAll(w, progress io.Writer, args []string, getenv func(string) string) error {
	fs := newFlagSet("all")
	preset, results, compare := string(experiment.CI), "", committedRoot
	workers := min(2, runtime.GOMAXPROCS(0))
	fs.String(&preset, "preset", "size preset: smoke, ci or paper")
	fs.String(&results, "results", "root of the results tree (default: a new scratch directory under results/tmp; -results results rewrites the committed tree)")
	fs.String(&compare, "compare", "compare every CSV with the one under this root (\"\": do not compare)")
	fs.Int(&workers, "workers", "cells run concurrently")
	cpuprof := ""
	fs.String(&cpuprof, "cpuprofile", "write a CPU profile of the whole run to this file (go tool pprof)")
	fresh := false
	fs.Bool(&fresh, "fresh", "without -results: start a new scratch directory instead of resuming the last unfinished run")
	full := false
	fs.Bool(&full, "full", "without -results: compute every cell of every file; by default the files evaluated with the cascade\n(the ci adversarial ones) are computed on a fixed sample of their cells, compared row for row\n(with -results every cell is computed)")
	if err := fs.parse(args); errors.Is(err, flag.ErrHelp) {
		fs.usage(w, "all [-preset ci] [-results dir] [-compare results] [-workers n] [-fresh] [-full] [-cpuprofile file]")
		return nil
	} else if err != nil {
		return err
	}
	if _, err := presetValue("all", preset); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &FlagError{Command: "all", Value: fs.Arg(0), Reason: "unexpected argument"}
	}
	if workers < 1 || workers > 1024 {
		return &FlagError{Command: "all", Flag: "workers", Value: strconv.Itoa(workers), Reason: "must be in [1, 1024]"}
	}
	if compare != "" {
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "compare" })
		if st, err := os.Stat(compare); err != nil || !st.IsDir() {
			if explicit {
				return &FlagError{Command: "all", Flag: "compare", Value: compare, Reason: "no such directory"}
			}
			fmt.Fprintf(w, "all: no %s directory here: nothing to compare with\n", compare)
			compare = ""
		}
	}
	scratch := results == ""
	if scratch {
		dir, resumed, err := pickScratch(scratchRoot, preset, fresh)
		if err != nil {
			return err
		}
		lock, err := sweep.Lock(filepath.Join(dir, scratchLockBase))
		if err != nil {
			return err
		}
		defer lock.Unlock()
		results = dir
		if resumed {
			fmt.Fprintf(w, "all: resuming the unfinished %s run in %s (finished cells are kept; -fresh starts a new one)\n", preset, results)
		} else {
			fmt.Fprintf(w, "all: computing every %s experiment from scratch into %s (git-ignored; -results results writes the committed tree)\n", preset, results)
		}
		fmt.Fprintf(w, "all: if interrupted, `%s` resumes this run\n", resumeCommand(preset, full))
		stopSignals := onInterrupt(progress, func() string {
			return fmt.Sprintf("all: interrupted; finished cells are kept in %s: `%s` resumes the run", results, resumeCommand(preset, full))
		})
		defer stopSignals()
	}
	if same, _ := sameDir(results, compare); same {
		compare = ""
	}
	stop, err := startProfile("all", cpuprof)
	if err != nil {
		return err
	}
	defer stop()
	base := []string{"-preset", preset, "-workers", strconv.Itoa(workers), "-results", results}
	runs := allRuns(experiment.Preset(preset), results)
	if scratch && !full {
		for i := range runs {
			if runs[i].sample > 1 {
				runs[i].shard = sweep.Shard{I: 0, N: runs[i].sample}
			}
		}
	}
	ref := committedRoot
	if st, err := os.Stat(ref); err != nil || !st.IsDir() {
		ref = ""
	}
	planned, source := plan(runs, experiment.Preset(preset), results, ref, getenv)
	printPlan(w, preset, planned, source)
	if t, _ := total(planned); t > time.Hour {
		fmt.Fprintf(w, "all: that is %.0f h of 2-core time: Ctrl-C stops it at any time and the same command resumes it; the experiment commands shard it across machines (-shard i/n, deploy/README.md)\n", t.Hours())
	}
	start := time.Now()
	var skipped []string
	for i, r := range runs {
		args := append(r.args[1:len(r.args):len(r.args)], base...)
		if r.shard.N > 1 {
			args = append(args, "-shard", r.shard.String())
		}
		t0 := time.Now()
		err := runExperiment(w, progress, r.args[0], args, getenv, false)
		if errors.Is(err, mnist.ErrNotFound) {
			fmt.Fprintf(w, "skipping mnist: %v\n", err)
			skipped = append(skipped, r.csv)
			continue
		}
		if err != nil {
			return err
		}
		eta := "unknown"
		if d := etaLeft(planned, i+1, time.Since(start)); d > 0 || i+1 == len(runs) {
			eta = d.String()
		}
		fmt.Fprintf(progress, "all: %d/%d %s done in %v (total %v, ETA of the rest %s)\n", i+1, len(runs), r.csv, time.Since(t0).Round(time.Second), time.Since(start).Round(time.Second), eta)
	}
	if err := runReport(w, []string{"-results", results}); err != nil {
		return err
	}
	if scratch {
		if err := os.WriteFile(filepath.Join(results, completeMarker), nil, 0o644); err != nil {
			return err
		}
		cleanScratch(w, scratchRoot, preset, results)
	}
	if compare == "" {
		return nil
	}
	return compareRuns(w, runs, skipped, results, compare)
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) (bool, error) {
	if b == "" {
		return false, nil
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// compareRuns compares each computed CSV with its counterpart under ref and
// prints one line per file and a verdict; it returns an error if any file
// differs.
func compareRuns(w io.Writer, runs []allRun, skipped []string, root, ref string) error {
	fmt.Fprintf(w, "\ncomparison with %s:\n", ref)
	same, differ, fresh, sampled := 0, 0, 0, 0
	for _, r := range runs {
		if slices.Contains(skipped, r.csv) {
			fmt.Fprintf(w, "  %-28s skipped (no MNIST data: see vitadv mnist -h)\n", r.csv)
			continue
		}
		path := filepath.Join(root, r.csv)
		if r.shard.N > 1 {
			path = r.shard.Path(strings.TrimSuffix(path, ".csv"))
		}
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		want, err := os.ReadFile(filepath.Join(ref, r.csv))
		switch {
		case os.IsNotExist(err):
			fmt.Fprintf(w, "  %-28s new (no file to compare with)\n", r.csv)
			fresh++
			continue
		case err != nil:
			return err
		}
		rows := bytes.Count(want, []byte("\n")) - 1
		if r.shard.N > 1 {
			want = shardRows(want, r.shard)
		}
		if bytes.Equal(got, want) {
			if r.shard.N > 1 {
				fmt.Fprintf(w, "  %-28s identical on the %d of %d rows recomputed (cells i ≡ %d mod %d, with the cascade)\n", r.csv, bytes.Count(got, []byte("\n"))-1, rows, r.shard.I, r.shard.N)
				sampled++
			} else {
				fmt.Fprintf(w, "  %-28s identical (%d rows)\n", r.csv, rows)
			}
			same++
			continue
		}
		differ++
		fmt.Fprintf(w, "  %-28s DIFFERS: %s\n", r.csv, describeDiff(got, want))
	}
	checked := same + differ
	if checked == 0 {
		// Nothing to compare is not a failure (the smoke preset has no
		// committed CSVs), but it must not read like a verdict either.
		fmt.Fprintf(w, "nothing compared: none of the %d CSV files has a counterpart in %s (only the ci preset's are committed), so no reproduction was checked; scratch run in %s\n", len(runs), ref, root)
		return nil
	}
	if differ > 0 {
		return fmt.Errorf("all: %d of %d CSV files differ from %s (see above; the scratch run is in %s)", differ, checked, ref, root)
	}
	fmt.Fprintf(w, "verified: %d of %d CSV files reproduce %s byte for byte", same, len(runs), ref)
	if n := len(skipped) + fresh; n > 0 {
		fmt.Fprintf(w, " (%d not compared)", n)
	}
	if sampled > 0 {
		fmt.Fprintf(w, ", %d of them on the sample of their rows this quick run recomputed (-full, or make check, recomputes every row)", sampled)
	}
	fmt.Fprintf(w, "; scratch run in %s\n", root)
	return nil
}

// shardRows returns the header of the CSV file b and its rows whose cell
// (first field) is in shard s, in file order: the bytes the shard file of
// the same job holds.
func shardRows(b []byte, s sweep.Shard) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	var out strings.Builder
	for i, l := range lines {
		if l == "" {
			continue
		}
		c, _, _ := strings.Cut(l, ",")
		if n, err := strconv.Atoi(c); i == 0 || err == nil && s.Has(n) {
			out.WriteString(l)
		}
	}
	return []byte(out.String())
}

// describeDiff summarizes how two CSV files differ: rows that differ and
// the first differing row and column.
func describeDiff(got, want []byte) string {
	g := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	h := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(g) == 0 || len(h) == 0 || g[0] != h[0] {
		return "different header (another version of the columns)"
	}
	header := strings.Split(g[0], ",")
	n, first := 0, ""
	for i := 1; i < max(len(g), len(h)); i++ {
		if i < len(g) && i < len(h) && g[i] == h[i] {
			continue
		}
		n++
		if first != "" {
			continue
		}
		if i >= len(g) || i >= len(h) {
			first = fmt.Sprintf("row counts %d vs %d", len(g)-1, len(h)-1)
			continue
		}
		a, b := strings.Split(g[i], ","), strings.Split(h[i], ",")
		for k := 0; k < min(len(a), len(b), len(header)); k++ {
			if a[k] != b[k] {
				first = fmt.Sprintf("first at row %d column %s: %s here, %s committed", i, header[k], a[k], b[k])
				break
			}
		}
	}
	return fmt.Sprintf("%d of %d rows differ, %s", n, len(h)-1, first)
}
