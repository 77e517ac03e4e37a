package report

import (
	"cmp"
	"math"
	"slices"

	"vitadv/model/rng"
	"vitadv/sweep"
	"vitadv/theorems"
)

var nan = math.NaN()

// GridPoint is one (N, c) point of a phase diagram with its replicates.
type GridPoint struct {
	N      int
	C      float64   // N·SNR_2²
	SNR2   float64   // SNR_2 = ‖μ‖/(σ₂√d)
	Vals   []float64 // the plotted metric, one per replicate
	Benign []bool    // the benign indicator, one per replicate
}

// Mean returns the mean of the replicates' metric.
func (g GridPoint) Mean() float64 { return mean(g.Vals) }

// Frac returns the fraction of benign replicates.
func (g GridPoint) Frac() float64 { return fracTrue(g.Benign) }

// gridPoints groups the rows of a phase-type table by (n, c), sorted by N
// then c. benign classifies a row by its metric value.
func gridPoints(t *sweep.Table, metric string, benign func(float64) bool) []GridPoint {
	type key struct {
		n int
		c float64
	}
	idx := map[key]int{}
	var pts []GridPoint
	ns, cs, snr, vs := t.Col("n"), t.Col("c"), t.Col("snr2"), t.Col(metric)
	for i := range ns {
		k := key{int(ns[i]), cs[i]}
		j, ok := idx[k]
		if !ok {
			j = len(pts)
			idx[k] = j
			pts = append(pts, GridPoint{N: k.n, C: k.c, SNR2: snr[i]})
		}
		pts[j].Vals = append(pts[j].Vals, vs[i])
		pts[j].Benign = append(pts[j].Benign, benign(vs[i]))
	}
	slices.SortFunc(pts, func(a, b GridPoint) int {
		return cmp.Or(cmp.Compare(a.N, b.N), cmp.Compare(a.C, b.C))
	})
	return pts
}

// TheoryC is the constant of the boundary curve drawn on every phase
// diagram (theorems.TheoryCb: Jiang et al.'s N·SNR_w² = 1000 read as
// N·SNR_2² = 2.5, docs/THEORY.md §1.2).
const TheoryC = theorems.TheoryCb

// Boundary is the fitted benign/harmful boundary of a phase diagram
// (docs/THEORY.md §5, §8 P2), computed by package theorems: one estimator
// (theorems.FitBoundary, the logistic P(benign) = 1/2 contour) and one
// bootstrap (theorems.BootstrapCells: the replicates of each grid point
// resampled, every run of these sweeps having its own seed).
type Boundary struct {
	N     []int     // the training-set sizes
	CStar []float64 // c*(N) = N·SNR_2*² of a logistic fit at this N alone (theorems.CbOf), NaN when its outcomes are all alike (boundary outside the grid)
	// Slope is d ln‖μ‖*/d ln N of the two-variable fit (theorems.SlopeOf;
	// theory −1/2), with its 95% bootstrap interval.
	Slope, SlopeLo, SlopeHi float64
	SlopeN                  int // number of N the fit uses
	SlopeBoot               theorems.BootCI
	SlopeErr                error // the bootstrap's refusal, if any
	// CB is the N·SNR_2² at which the one-variable fit (theorems.CbOf)
	// crosses 1/2 (benign iff N·SNR_2² ≥ C_b), with its 95% interval.
	CB, CBLo, CBHi float64
	CBBoot         theorems.BootCI
	CBErr          error
	Boot           int // bootstrap resamples
	// Outcomes are the runs as the theorems see them.
	Outcomes []theorems.Outcome
}

// bootstrapResamples is the number of bootstrap resamples behind every
// interval (enough for stable 2.5%/97.5% percentiles of a slope).
const bootstrapResamples = 400

// Outcomes converts grid points to theorems.Outcome (Seed = replicate index).
func Outcomes(pts []GridPoint) []theorems.Outcome {
	var outs []theorems.Outcome
	for _, p := range pts {
		for r, b := range p.Benign {
			outs = append(outs, theorems.Outcome{N: p.N, C: p.C, Seed: uint64(r), Benign: b})
		}
	}
	return outs
}

// FitBoundary fits the boundary of the grid points (see Boundary). The
// bootstrap is seeded by seed (same seed, same interval).
func FitBoundary(pts []GridPoint, seed uint64) Boundary {
	outs := Outcomes(pts)
	b := Boundary{Boot: bootstrapResamples, Outcomes: outs}
	byN := map[int][]theorems.Outcome{}
	for _, o := range outs {
		if _, ok := byN[o.N]; !ok {
			b.N = append(b.N, o.N)
		}
		byN[o.N] = append(byN[o.N], o)
	}
	slices.Sort(b.N)
	for _, n := range b.N {
		b.CStar = append(b.CStar, theorems.CbOf(byN[n]))
	}
	b.SlopeN = len(b.N)
	b.Slope = theorems.SlopeOf(outs)
	b.CB = theorems.CbOf(outs)
	b.SlopeBoot, b.SlopeErr = theorems.BootstrapCells(outs, b.Boot, seed, theorems.SlopeOf)
	b.CBBoot, b.CBErr = theorems.BootstrapCells(outs, b.Boot, rng.Derive(seed, 1), theorems.CbOf)
	b.SlopeLo, b.SlopeHi = b.SlopeBoot.Lo, b.SlopeBoot.Hi
	b.CBLo, b.CBHi = b.CBBoot.Lo, b.CBBoot.Hi
	return b
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return nan
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// meanStd returns the mean and the sample standard deviation (0 for one
// value).
func meanStd(v []float64) (m, sd float64) {
	m = mean(v)
	if len(v) < 2 {
		return m, 0
	}
	ss := 0.0
	for _, x := range v {
		ss += float64((x - m) * (x - m))
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

func fracTrue(v []bool) float64 {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return float64(n) / float64(len(v))
}
