package theorems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"vitadv/model/linalg"
	"vitadv/model/rng"
	"vitadv/model/valid"
)

// LogitFit is the logistic model P(benign) = σ(A + B·ln c + E·ln N) of a
// phase-diagram sweep (THEORY §5.2).
type LogitFit struct {
	A, B, E float64
	Iter    int // Newton iterations used
}

// Slope returns d ln‖μ‖*/d ln N = −1/2 − E/(2B) of the P = 1/2 contour.
func (f LogitFit) Slope() float64 { return -0.5 - f.E/(2*f.B) }

// Boundary returns c* with P(benign) = 1/2 at N: ln c* = −(A + E·ln N)/B.
func (f LogitFit) Boundary(n float64) float64 {
	return linalg.Exp(-(f.A + float64(f.E*math.Log(n))) / f.B)
}

// fitRidge is the ridge penalty on B and E: it keeps the fit finite when the
// outcomes are perfectly separated in ln c (common away from the boundary),
// while moving the P = 1/2 contour by far less than the grid spacing.
const fitRidge = 1e-2

// FitBoundary fits LogitFit by Newton's method on the penalized
// log-likelihood (ridge fitRidge on B, E). If every outcome has one N, E is
// fixed at 0.
func FitBoundary(outs []Outcome) LogitFit {
	oneN := true
	for _, o := range outs {
		if o.N != outs[0].N {
			oneN = false
		}
	}
	var w [3]float64
	it := 0
	for ; it < 100; it++ {
		var g [3]float64
		var h [3][3]float64
		for _, o := range outs {
			x := [3]float64{1, math.Log(o.C), math.Log(float64(o.N))}
			if oneN {
				x[2] = 0
			}
			z := w[0] + float64(w[1]*x[1]) + float64(w[2]*x[2])
			p := 1 / (1 + linalg.Exp(-z))
			yv := 0.0
			if o.Benign {
				yv = 1
			}
			for i := 0; i < 3; i++ {
				g[i] += float64((yv - p) * x[i])
				for j := 0; j < 3; j++ {
					h[i][j] += float64(p * (1 - p) * x[i] * x[j])
				}
			}
		}
		for i := 1; i < 3; i++ {
			g[i] -= float64(fitRidge * w[i])
			h[i][i] += fitRidge
		}
		h[0][0] += 1e-12
		if oneN {
			h[2][2] += 1
		}
		d := solve3(h, g)
		mx := 0.0
		for i := range w {
			w[i] += d[i]
			mx = math.Max(mx, math.Abs(d[i]))
		}
		if mx < 1e-10 {
			break
		}
	}
	return LogitFit{A: w[0], B: w[1], E: w[2], Iter: it}
}

// solve3 solves h·x = g by Gaussian elimination with partial pivoting.
func solve3(h [3][3]float64, g [3]float64) [3]float64 {
	a := h
	b := g
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 3; r++ {
			f := a[r][c] / a[c][c]
			for j := c; j < 3; j++ {
				a[r][j] -= float64(f * a[c][j])
			}
			b[r] -= float64(f * b[c])
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < 3; j++ {
			s -= float64(a[r][j] * x[j])
		}
		x[r] = s / a[r][r]
	}
	return x
}

// MaxBootDrop is the largest fraction of bootstrap resamples whose
// statistic may be undefined (NaN, or ±Inf when infinities are not kept)
// before Bootstrap refuses to return an interval: the percentiles of the
// remaining resamples would describe a conditional distribution, not the
// statistic's.
const MaxBootDrop = 0.05

// BootCI is a 95% percentile bootstrap interval with its bookkeeping: how
// many resamples were drawn, kept and dropped, and why.
type BootCI struct {
	Lo, Hi   float64 // 2.5% and 97.5% quantiles of the kept resamples (NaN when refused)
	B        int     // resamples drawn
	Kept     int     // resamples whose statistic entered the quantiles
	NaN      int     // dropped: the statistic was NaN (undefined on the resample)
	Inf      int     // dropped: the statistic was ±Inf (keepInf false)
	Censored int     // kept: the statistic was ±Inf (keepInf true; a censored value, e.g. a τ* beyond the sweep)
}

// Dropped returns the number of resamples left out of the quantiles.
func (c BootCI) Dropped() int { return c.NaN + c.Inf }

// BootError is Bootstrap's refusal: more than MaxBootDrop of the resamples
// had an undefined statistic.
type BootError struct {
	B, NaN, Inf int
}

func (e *BootError) Error() string {
	return fmt.Sprintf("bootstrap: %d of %d resamples dropped (NaN %d, ±Inf %d), more than %g: no interval", e.NaN+e.Inf, e.B, e.NaN, e.Inf, MaxBootDrop)
}

// Bootstrap is the one resampling routine behind every interval of the
// module: a stratified percentile bootstrap. Stratum s has strata[s] units
// (indices 0..strata[s]−1); each of the B resamples draws strata[s] indices
// with replacement within every stratum, from rng.New(seed, rng.Bootstrap)
// (same seed, same interval), and evaluates stat(pick), pick[s] being the
// indices drawn in stratum s. One stratum of n seeds is a cluster bootstrap
// over seeds; one stratum per grid cell resamples the replicates of each
// cell.
//
// A NaN statistic is dropped and counted; so is ±Inf unless keepInf, in
// which case it is kept as a censored value (it sorts to the end, and a
// quantile that reaches it is infinite). When more than MaxBootDrop·B are
// dropped, Bootstrap returns the counts, NaN bounds and a *BootError. B ≤ 0,
// no strata or an empty stratum is a *valid.Error.
func Bootstrap(strata []int, B int, seed uint64, keepInf bool, stat func(pick [][]int) float64) (BootCI, error) {
	ci := BootCI{Lo: math.NaN(), Hi: math.NaN(), B: B}
	if B <= 0 {
		return ci, &valid.Error{Field: "B", Value: B, Rule: "bootstrap resamples must be ≥ 1"}
	}
	if len(strata) == 0 {
		return ci, &valid.Error{Field: "strata", Value: 0, Rule: "at least one stratum"}
	}
	for s, n := range strata {
		if n <= 0 {
			return ci, &valid.Error{Field: fmt.Sprintf("strata[%d]", s), Value: n, Rule: "every stratum needs ≥ 1 unit"}
		}
	}
	r := rng.New(seed, rng.Bootstrap)
	pick := make([][]int, len(strata))
	for s, n := range strata {
		pick[s] = make([]int, n)
	}
	vals := make([]float64, 0, B)
	for b := 0; b < B; b++ {
		for s, n := range strata {
			for i := range pick[s] {
				pick[s][i] = r.IntN(n)
			}
		}
		v := stat(pick)
		switch {
		case math.IsNaN(v):
			ci.NaN++
			continue
		case math.IsInf(v, 0) && !keepInf:
			ci.Inf++
			continue
		case math.IsInf(v, 0):
			ci.Censored++
		}
		vals = append(vals, v)
	}
	ci.Kept = len(vals)
	if float64(ci.Dropped()) > MaxBootDrop*float64(B) || ci.Kept == 0 {
		return ci, &BootError{B: B, NaN: ci.NaN, Inf: ci.Inf}
	}
	ci.Lo, ci.Hi = Quantile(vals, 0.025), Quantile(vals, 0.975)
	return ci, nil
}

// BootstrapSeeds is the cluster bootstrap of a sweep over seeds: the
// outcomes of one seed move together (in calibrate every cell of seed s
// shares its draws, so outcomes within a seed are correlated). Infinite
// statistics are dropped.
func BootstrapSeeds(outs []Outcome, B int, seed uint64, stat func([]Outcome) float64) (BootCI, error) {
	bySeed := map[uint64][]Outcome{}
	var seeds []uint64
	for _, o := range outs {
		if _, ok := bySeed[o.Seed]; !ok {
			seeds = append(seeds, o.Seed)
		}
		bySeed[o.Seed] = append(bySeed[o.Seed], o)
	}
	var s []Outcome
	return Bootstrap([]int{len(seeds)}, B, seed, false, func(pick [][]int) float64 {
		s = s[:0]
		for _, i := range pick[0] {
			s = append(s, bySeed[seeds[i]]...)
		}
		return stat(s)
	})
}

// BootstrapCells resamples the replicates of each (N, c) cell
// independently (one stratum per cell): the design of the experiment
// sweeps, whose every run has its own derived seed. Infinite statistics are
// dropped.
func BootstrapCells(outs []Outcome, B int, seed uint64, stat func([]Outcome) float64) (BootCI, error) {
	type key struct {
		n int
		c float64
	}
	idx := map[key]int{}
	var cells [][]Outcome
	for _, o := range outs {
		k := key{o.N, o.C}
		j, ok := idx[k]
		if !ok {
			j = len(cells)
			idx[k] = j
			cells = append(cells, nil)
		}
		cells[j] = append(cells[j], o)
	}
	strata := make([]int, len(cells))
	for j, c := range cells {
		strata[j] = len(c)
	}
	s := make([]Outcome, 0, len(outs))
	return Bootstrap(strata, B, seed, false, func(pick [][]int) float64 {
		s = s[:0]
		for j, p := range pick {
			for _, i := range p {
				s = append(s, cells[j][i])
			}
		}
		return stat(s)
	})
}

// BootstrapMean is the bootstrap of the mean of v (one stratum); infinite
// values are censored observations and propagate (a resample containing
// +Inf has mean +Inf).
func BootstrapMean(v []float64, B int, seed uint64) (BootCI, error) {
	return Bootstrap([]int{len(v)}, B, seed, true, func(pick [][]int) float64 {
		return meanOf(v, pick[0])
	})
}

// BootstrapRatio is the bootstrap of mean(x)/mean(y), resampling x and y
// independently (two strata); infinite ratios are kept as censored.
func BootstrapRatio(x, y []float64, B int, seed uint64) (BootCI, error) {
	return Bootstrap([]int{len(x), len(y)}, B, seed, true, func(pick [][]int) float64 {
		return meanOf(x, pick[0]) / meanOf(y, pick[1])
	})
}

func meanOf(v []float64, idx []int) float64 {
	s := 0.0
	for _, i := range idx {
		s += v[i]
	}
	return s / float64(len(idx))
}

// CbOf is the 1-D boundary estimate C_b of a phase sweep: the P(benign) =
// 1/2 point of FitBoundary with the N term dropped (every outcome given the
// same N), c* = exp(−A/B). NaN unless both outcomes are present and B > 0.
func CbOf(outs []Outcome) float64 {
	pos := 0
	one := make([]Outcome, len(outs))
	for i, x := range outs {
		x.N = 1
		one[i] = x
		if x.Benign {
			pos++
		}
	}
	if pos == 0 || pos == len(outs) {
		return math.NaN()
	}
	f := FitBoundary(one)
	if !(f.B > 0) {
		return math.NaN()
	}
	return f.Boundary(1)
}

// tally returns the number of distinct N and of benign outcomes in outs.
func tally(outs []Outcome) (distinctN, benign int) {
	ns := map[int]bool{}
	for _, o := range outs {
		ns[o.N] = true
		if o.Benign {
			benign++
		}
	}
	return len(ns), benign
}

// SlopeOf is the P2 slope d ln‖μ‖*/d ln N of FitBoundary's P = 1/2
// contour; NaN with fewer than two N, one outcome only, or B ≤ 0.
func SlopeOf(outs []Outcome) float64 {
	nN, pos := tally(outs)
	if nN < 2 || pos == 0 || pos == len(outs) {
		return math.NaN()
	}
	f := FitBoundary(outs)
	if !(f.B > 0) {
		return math.NaN()
	}
	return f.Slope()
}

// Quantile returns the q-quantile of v (linear interpolation between order
// statistics; v is sorted in place). Interpolating towards an infinite
// order statistic gives that infinity (never Inf·0 = NaN). NaN for empty v.
func Quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	sortFloats(v)
	pos := float64(q * float64(len(v)-1))
	i := int(math.Floor(pos))
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	f := pos - float64(i)
	switch {
	case f == 0 || v[i] == v[i+1]:
		return v[i]
	case math.IsInf(v[i], -1):
		return v[i]
	case math.IsInf(v[i+1], 1):
		return v[i+1]
	}
	return float64(v[i]*(1-f)) + float64(v[i+1]*f)
}

func sortFloats(v []float64) { sort.Float64s(v) }

func newRand(seed, i uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, i)) }
