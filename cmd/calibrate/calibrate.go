package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"vitadv/internal/machine"
	"vitadv/model/linalg"
	"vitadv/sweep"
	"vitadv/theorems"
)

type phaseRow struct {
	N        int
	C        float64
	Seed     uint64
	Steps    int
	Conv     bool
	TestLoss float64
	TestErr  float64
	Benign   bool
}

type collapseRow struct {
	Dh      int
	TauRel  float64
	Seed    uint64
	A1      float64
	Entropy float64
	Loss    float64
}

// scratchOut is the default -out: a directory git ignores (as vitadv's
// results/tmp), so that a run never rewrites the committed
// results/calibrate unless asked to with -out results/calibrate.
const scratchOut = "results/tmp/calibrate"

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	scaleName := fs.String("scale", "tiny", "scale of the phase grid: "+theorems.ScaleNames)
	tauScaleName := fs.String("tau-scale", "tiny", "scale of the τ sweep (its d_h is replaced by each -dh)")
	seeds := fs.Int("seeds", 5, "seeds per (N, c) cell of the phase grid")
	ns := fs.String("n", "4,8,16,32", "training-set sizes N of the phase grid")
	jlo := fs.Int("jlo", -6, "smallest c index: c = 2^(j/2)")
	jhi := fs.Int("jhi", 6, "largest c index")
	tauSeeds := fs.Int("tau-seeds", 3, "seeds per d_h of the τ sweep")
	dhs := fs.String("dh", "8,64", "the two (or more) d_h of the τ sweep")
	tauN := fs.Int("tau-n", 16, "N of the τ-sweep cell")
	tauC := fs.Float64("tau-c", 16, "N·SNR₂² of the τ-sweep cell")
	workers := fs.Int("workers", 2, "parallel trainings")
	boot := fs.Int("boot", 1000, "bootstrap resamples")
	out := fs.String("out", scratchOut, "output directory (the default is git-ignored scratch; -out results/calibrate rewrites the committed files)")
	skipTau := fs.Bool("skip-tau", false, "skip the τ sweep")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return helpOK(err, fs, w)
	}
	if err := checkFlags(fs); err != nil {
		return err
	}
	sc, err := theorems.ScaleByName(*scaleName)
	if err != nil {
		return err
	}
	tsc, err := theorems.ScaleByName(*tauScaleName)
	if err != nil {
		return err
	}
	nList, err := ints(*ns)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	dhList, err := ints(*dhs)
	if err != nil {
		return fmt.Errorf("-dh: %w", err)
	}
	command := "go run ./cmd/calibrate " + strings.Join(args, " ")
	command = strings.TrimSpace(command)
	k := theorems.Defaults()
	lab := theorems.NewLab()

	// Jobs: the phase grid, then the τ sweep.
	type job struct {
		inst theorems.Instance
		tag  string
	}
	var jobs []job
	for _, n := range nList {
		for j := *jlo; j <= *jhi; j++ {
			for s := 1; s <= *seeds; s++ {
				jobs = append(jobs, job{sc.Cell(n, linalg.Pow(2, float64(j)/2), 0, uint64(s)), "phase"})
			}
		}
	}
	taus := theorems.SweepTaus()
	if !*skipTau {
		for _, dh := range dhList {
			s2 := tsc
			s2.Dh = dh
			for s := 1; s <= *tauSeeds; s++ {
				for _, t := range taus {
					jobs = append(jobs, job{s2.Cell(*tauN, *tauC, t, uint64(s)).Fixed(tsc.MechSteps), "tau"})
				}
			}
		}
	}
	// Run every job (memoized in lab) on the suite's worker pool
	// (sweep.Each); progress on stderr with an ETA that weighs each run by
	// its cost (runCost), so that the τ-sweep runs after the phase grid are
	// not costed like phase runs.
	start := time.Now()
	var firstErr error
	done := 0
	insts := make([]theorems.Instance, len(jobs))
	for i, jb := range jobs {
		insts[i] = jb.inst
	}
	etas := newETA(insts)
	steps := make([]int, len(jobs)) // written by job i's worker, read by its done call
	sweep.Each(len(jobs), *workers, func(i int) error {
		r, err := lab.Train(jobs[i].inst)
		steps[i] = jobs[i].inst.Train.MaxSteps
		if err == nil {
			steps[i] = r.Result.Steps
		}
		return err
	}, func(i int, err error) error {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		done++
		etas.finish(jobs[i].inst, steps[i])
		el := time.Since(start)
		eta := etas.eta(el)
		if done%max(1, len(jobs)/40) == 0 || done == len(jobs) {
			fmt.Fprintf(os.Stderr, "calibrate: %d/%d runs (%s) elapsed %s ETA %s\n", done, len(jobs), jobs[i].tag, el.Round(time.Second), eta.Round(time.Second))
		}
		return nil // every run is attempted, as before; the first error is returned after them
	})
	if firstErr != nil {
		return firstErr
	}

	// Phase grid: rows, 1-D fit for C_b, 2-D fit for the slope.
	var rows []phaseRow
	var outs []theorems.Outcome
	for _, jb := range jobs {
		if jb.tag != "phase" {
			continue
		}
		r, _ := lab.Train(jb.inst)
		l := r.Last()
		c := k.NSNR2(jb.inst.Data)
		b := l.TestLoss < k.LossCut
		rows = append(rows, phaseRow{N: jb.inst.Data.N, C: c, Seed: jb.inst.Seed, Steps: r.Result.Steps, Conv: r.Result.Converged, TestLoss: l.TestLoss, TestErr: l.TestErr, Benign: b})
		outs = append(outs, theorems.Outcome{N: jb.inst.Data.N, C: c, Seed: jb.inst.Seed, Benign: b})
	}
	var consts []theorems.Calibrated
	fits, err := theorems.CalibratePhase(outs, *boot, 7, command)
	if err != nil {
		return err
	}
	for _, f := range fits {
		consts = append(consts, f.Calibrated)
	}
	all := fits
	// Per-N boundary c*(N) from the 2-D fit, as a shape check.
	fit := theorems.FitBoundary(outs)

	// τ sweep: τ* per (d_h, seed); C1 = τ*·ln d_h; ratio of τ* between d_h.
	var crow []collapseRow
	star := map[int][]float64{}
	if !*skipTau {
		for _, dh := range dhList {
			s2 := tsc
			s2.Dh = dh
			for s := 1; s <= *tauSeeds; s++ {
				a1 := make([]float64, len(taus))
				for i, t := range taus {
					r, _ := lab.Train(s2.Cell(*tauN, *tauC, t, uint64(s)).Fixed(tsc.MechSteps))
					l := r.Last()
					a1[i] = l.A1
					crow = append(crow, collapseRow{Dh: dh, TauRel: t, Seed: uint64(s), A1: l.A1, Entropy: l.Entropy, Loss: r.Result.Loss})
				}
				star[dh] = append(star[dh], theorems.CollapseStar(taus, a1, tsc.M))
			}
		}
		fits, err := theorems.CalibrateCollapse(dhList, star, *boot, 7, command)
		if err != nil {
			return err
		}
		for _, f := range fits {
			consts = append(consts, f.Calibrated)
		}
		all = append(all, fits...)
	}
	if err := checkConsts(consts); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	run := fmt.Sprintf("machine: %s\nwall: %s (the runs; fits and files after them not included)\n", machine.Current(), time.Since(start).Round(time.Second))
	if err := writeText(filepath.Join(*out, "calibrate.txt"), command, run, sc, tsc, nList, *seeds, dhList, *tauSeeds, *tauN, *tauC, rows, fit, consts, crow); err != nil {
		return err
	}
	if err := writeCSVs(*out, rows, crow, consts); err != nil {
		return err
	}
	for _, f := range all {
		note := ""
		if f.NoInterval != "" {
			note = "; not decidable: " + f.NoInterval
		}
		fmt.Fprintf(w, "%s (bootstrap: %d resamples, %d dropped as NaN, %d as ±Inf, %d censored at ±Inf kept%s)\n", f.Calibrated, f.Boot.B, f.Boot.NaN, f.Boot.Inf, f.Boot.Censored, note)
	}
	return nil
}

func writeText(path, command, run string, sc, tsc theorems.Scale, ns []int, seeds int, dhs []int, tauSeeds, tauN int, tauC float64, rows []phaseRow, fit theorems.LogitFit, consts []theorems.Calibrated, crow []collapseRow) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "command: %s\n%s", command, run)
	fmt.Fprintf(&sb, "phase-scale: %s\nd: %d\nM: %d\nd_h: %d\nd_v: %d\nn_test: %d\n", sc.Name, sc.D, sc.M, sc.Dh, sc.Dv, sc.NTest)
	fmt.Fprintf(&sb, "tau-scale: %s (d=%d M=%d d_v=%d, d_h per sweep)\n", tsc.Name, tsc.D, tsc.M, tsc.Dv)
	fmt.Fprintf(&sb, "noise: sigma2=4 sigma_w=0.2 projected\ninit: gaussian shrink=16\noptimizer: GD eta=0.1 stop at train loss < 0.01, max %d steps\n", sc.MaxSteps)
	fmt.Fprintf(&sb, "benign: test logistic loss < 0.2\nphase-seeds: %d\ntau-sweep: N=%d c=%g, fixed %d steps, PGD-10 Frobenius training attack, seeds %d, d_h %v\n", seeds, tauN, tauC, tsc.MechSteps, tauSeeds, dhs)
	fmt.Fprintf(&sb, "fit: P(benign) = sigmoid(%.4f + %.4f ln c + %.4f ln N)\n\n", fit.A, fit.B, fit.E)
	// Phase grid: benign fraction and mean test loss per cell.
	type cellKey struct {
		n int
		c float64
	}
	agg := map[cellKey][]phaseRow{}
	var keys []cellKey
	for _, r := range rows {
		k := cellKey{r.N, r.C}
		if _, ok := agg[k]; !ok {
			keys = append(keys, k)
		}
		agg[k] = append(agg[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].n != keys[j].n {
			return keys[i].n < keys[j].n
		}
		return keys[i].c < keys[j].c
	})
	for _, k := range keys {
		var b, l, e, conv float64
		for _, r := range agg[k] {
			if r.Benign {
				b++
			}
			if r.Conv {
				conv++
			}
			l += r.TestLoss
			e += r.TestErr
		}
		n := float64(len(agg[k]))
		fmt.Fprintf(&sb, "BenchmarkPhase/N=%d/c=%.4g %d %.4f benign-frac %.4f test-loss %.4f test-err %.4f converged-frac\n", k.n, k.c, len(agg[k]), b/n, l/n, e/n, conv/n)
	}
	sb.WriteString("\n")
	for _, r := range crow {
		fmt.Fprintf(&sb, "BenchmarkCollapse/dh=%d/tau=%.2f/seed=%d 1 %.4f a1 %.4f entropy %.4g robust-train-loss\n", r.Dh, r.TauRel, r.Seed, r.A1, r.Entropy, r.Loss)
	}
	sb.WriteString("\n")
	for _, c := range consts {
		fmt.Fprintf(&sb, "BenchmarkCalibrated/%s 1 %.4f estimate %.4f lo95 %.4f hi95\n", benchName(c.Name), c.Estimate, c.Lo, c.Hi)
	}
	return writeFile(path, []byte(sb.String()))
}

// benchName turns a constant's name into a benchmark-name component.
func benchName(s string) string {
	s, _, _ = strings.Cut(s, " (")
	r := strings.NewReplacer(" ", "_", "/", "÷", "=", "-")
	return "name=" + r.Replace(s)
}

func writeCSVs(dir string, rows []phaseRow, crow []collapseRow, consts []theorems.Calibrated) error {
	var sb strings.Builder
	sb.WriteString("n,c,seed,steps,converged,test_loss,test_err,benign\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "%d,%.6g,%d,%d,%v,%.6f,%.4f,%v\n", r.N, r.C, r.Seed, r.Steps, r.Conv, r.TestLoss, r.TestErr, r.Benign)
	}
	if err := writeFile(filepath.Join(dir, "phase.csv"), []byte(sb.String())); err != nil {
		return err
	}
	sb.Reset()
	sb.WriteString("d_h,tau_rel,seed,a1,entropy,robust_train_loss\n")
	for _, r := range crow {
		fmt.Fprintf(&sb, "%d,%.4f,%d,%.6f,%.6f,%.6g\n", r.Dh, r.TauRel, r.Seed, r.A1, r.Entropy, r.Loss)
	}
	if err := writeFile(filepath.Join(dir, "collapse.csv"), []byte(sb.String())); err != nil {
		return err
	}
	sb.Reset()
	sb.WriteString("name,estimate,lo95,hi95,command\n")
	for _, c := range consts {
		fmt.Fprintf(&sb, "%q,%.6g,%.6g,%.6g,%q\n", c.Name, c.Estimate, c.Lo, c.Hi, c.Command)
	}
	return writeFile(filepath.Join(dir, "constants.csv"), []byte(sb.String()))
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
