package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vitadv/experiment"
	"vitadv/model/data/mnist"
	"vitadv/sweep"
)

// passes is the forward-backward passes per GD step: 1 for clean GD, K+1
// under adversarial training with the PGD-K training attack.
func passes(tauOverMu float64, pgdSteps int) float64 {
	if tauOverMu > 0 {
		return float64(pgdSteps + 1)
	}
	return 1
}

// workOf estimates the run time of an experiment up to a constant:
// Σ over its cells of (training-set size N × passes per step, the
// runner's cell cost) × GD steps × M·d·(d_h + d_v), the flops of one pass
// on one sample. Evaluation and certification are not counted.
func workOf(spec *experimentSpec) float64 {
	s := spec.setup
	unit := float64(float64(s.M) * float64(s.D) * float64(s.Dh+s.Dv) * float64(max(1, spec.job.Steps))) // rounded: no fused multiply-add below (.ci/nofuse)
	w := 0.0
	for _, c := range spec.job.Cells {
		switch {
		case spec.cellN != nil:
			w += float64(unit * spec.cellN(c))
		case spec.job.Cost != nil:
			w += float64(unit * spec.job.Cost(c))
		default:
			w += unit
		}
	}
	return w
}

// plannedRun is one experiment of `all` with its estimated run time.
type plannedRun struct {
	allRun
	cells int
	est   time.Duration // 0: unknown
	ref   bool          // est is the committed file's own recorded time
}

// plan estimates every run of `all` at preset p: a run whose committed
// CSV (under ref) has a sidecar with the same number of cells takes the
// time that sidecar records; any other is its work (workOf) times the
// median seconds per unit of work of the committed ci files of the same
// kind (clean or adversarial phase, tau, dynamics). It returns the runs
// and the source of the estimates in words ("" if none).
//
// How rough: scaled this way, the committed paper-size runs were estimated
// at 23 min (phase/paper-cgrid-clean; recorded 52 min of 1-core time in
// two shards), 2 h 59 min (tau/paper-s400; recorded 51 min) and 1 h 41 min
// (tau/paper-s400-dh64; recorded 8 min, its trainings stopped early): an
// order of magnitude, no better.
func plan(runs []allRun, p experiment.Preset, root, ref string, getenv func(string) string) ([]plannedRun, string) {
	spec := func(r allRun, preset experiment.Preset, root string) (*experimentSpec, error) {
		if r.args[0] == "mnist" {
			// Building the MNIST job loads the images (seconds): its
			// estimate is its recorded time only.
			return nil, mnist.ErrNotFound
		}
		args := append(r.args[1:len(r.args):len(r.args)], "-preset", string(preset), "-results", root)
		s, _, _, _, err := parseExperiment(r.args[0], args, getenv)
		return s, err
	}
	// Seconds per unit of work on the committed ci files, by category:
	// clean runs stop long before their step cap, adversarial ones rarely.
	rates := map[string][]float64{}
	category := func(s *experimentSpec) string {
		if s.at {
			return s.kind + "/at"
		}
		return s.kind + "/clean"
	}
	recorded := func(r allRun, s *experimentSpec) (time.Duration, bool) {
		if ref == "" {
			return 0, false
		}
		m, err := sweep.ReadMeta(filepath.Join(ref, r.csv))
		if err != nil || s != nil && m.Cells != len(s.job.Cells) || m.Computed != m.Cells || !(m.Seconds > 0) {
			return 0, false
		}
		return time.Duration(m.Seconds * float64(time.Second)), true
	}
	for _, r := range allRuns(experiment.CI, ref) {
		s, err := spec(r, experiment.CI, ref)
		if err != nil {
			continue
		}
		if d, ok := recorded(r, s); ok {
			x := d.Seconds() / workOf(s)
			rates[category(s)] = append(rates[category(s)], x)
			rates[""] = append(rates[""], x)
		}
	}
	rateOf := func(s *experimentSpec) float64 {
		r := rates[category(s)]
		if len(r) == 0 {
			r = rates[""]
		}
		if len(r) == 0 {
			return 0
		}
		r = slices.Sorted(slices.Values(r))
		return r[len(r)/2]
	}
	var out []plannedRun
	own, scaled := 0, 0
	for _, r := range runs {
		pr := plannedRun{allRun: r}
		s, err := spec(r, p, root)
		frac := 1.0 // the share of the cells this run computes (allRun.shard)
		if err == nil {
			pr.cells = len(s.job.Cells)
			if r.shard.N > 1 && pr.cells > 0 {
				k := 0
				for _, c := range s.job.Cells {
					if r.shard.Has(c.Index) {
						k++
					}
				}
				frac, pr.cells = float64(k)/float64(pr.cells), k
			}
		}
		if d, ok := recorded(r, s); ok {
			pr.est, pr.ref = time.Duration(float64(d)*frac), true
			own++
		} else if err == nil && rateOf(s) > 0 {
			pr.est = time.Duration(workOf(s) * rateOf(s) * frac * float64(time.Second))
			scaled++
		}
		out = append(out, pr)
	}
	var src []string
	if own > 0 {
		src = append(src, fmt.Sprintf("%d from the run times recorded in %s", own, ref))
	}
	if scaled > 0 {
		src = append(src, fmt.Sprintf("%d scaled from the committed ci run times of the same kind by cells × steps × N·passes × M·d·(d_h+d_v), a rough guide", scaled))
	}
	return out, strings.Join(src, ", ")
}

// total sums the estimates of runs and reports whether every run has one.
func total(runs []plannedRun) (time.Duration, bool) {
	var t time.Duration
	all := true
	for _, r := range runs {
		t += r.est
		all = all && r.est > 0
	}
	return t, all
}

// printPlan writes the plan of `all` before any work: experiments, cells
// and the estimated time.
func printPlan(w io.Writer, preset string, runs []plannedRun, source string) {
	cells := 0
	for _, r := range runs {
		cells += r.cells
	}
	fmt.Fprintf(w, "all: preset %s: %d experiments, %d cells (mnist's not counted)", preset, len(runs), cells)
	t, complete := total(runs)
	switch {
	case t == 0:
		fmt.Fprintf(w, "; no estimate of the time (no committed run times to scale from)\n")
	default:
		more := ""
		if !complete {
			more = " for the experiments that have one"
		}
		est := t.Round(time.Second).String()
		if t < time.Second {
			est = "under a second"
		}
		fmt.Fprintf(w, "; estimated %s%s on a machine like the committed runs' (2 workers; %s)\n", est, more, source)
	}
}

// etaLeft is the time left after the first done runs of plan took el:
// the estimates of the runs left, scaled by how fast the finished ones ran
// against their estimates (0 if unknown).
func etaLeft(runs []plannedRun, done int, el time.Duration) time.Duration {
	doneEst, _ := total(runs[:done])
	left, _ := total(runs[done:])
	if doneEst <= 0 || left <= 0 {
		return 0
	}
	return time.Duration(float64(left) * float64(el) / float64(doneEst)).Round(time.Second)
}
