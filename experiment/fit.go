package experiment

import (
	"cmp"
	"math"
	"slices"

	"vitadv/model/linalg"
	"vitadv/model/rng"
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
func gridPoints(t *Table, metric string, benign func(float64) bool) []GridPoint {
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

// Boundary is the fitted benign/harmful boundary of a phase diagram
// (docs/THEORY.md §5, §8 P2).
type Boundary struct {
	N     []int     // the training-set sizes
	CStar []float64 // critical c*(N) = N·SNR_2*², NaN when censored by the grid
	// Slope is the least-squares slope of log SNR_2*(N) — equivalently of
	// log ‖μ‖*(N) at fixed σ₂, d — against log N over the uncensored N
	// (theory −1/2), with a 95% bootstrap interval over replicates.
	Slope, SlopeLo, SlopeHi float64
	SlopeN                  int // number of N the slope uses
	// CB is the logistic-regression midpoint of the benign indicator in
	// log c (benign iff N·SNR_2² ≥ C_b), with a 95% bootstrap interval.
	CB, CBLo, CBHi float64
	Boot           int // bootstrap resamples
}

// bootstrapResamples is the number of bootstrap resamples behind every
// interval (enough for stable 2.5%/97.5% percentiles of a slope).
const bootstrapResamples = 400

// FitBoundary fits the boundary of the grid points (see Boundary). The
// bootstrap draws from rng.New(seed, rng.Bootstrap).
func FitBoundary(pts []GridPoint, seed uint64) Boundary {
	b := Boundary{Boot: bootstrapResamples}
	b.N, b.CStar = crossings(pts)
	b.Slope, b.SlopeN = slope(b.N, b.CStar)
	b.CB = logisticMidpoint(pts)
	r := rng.New(seed, rng.Bootstrap)
	var slopes, cbs []float64
	res := make([]GridPoint, len(pts))
	for k := 0; k < b.Boot; k++ {
		for i, p := range pts {
			q := p
			q.Benign = make([]bool, len(p.Benign))
			for j := range q.Benign {
				q.Benign[j] = p.Benign[r.IntN(len(p.Benign))]
			}
			res[i] = q
		}
		ns, cs := crossings(res)
		if s, n := slope(ns, cs); n >= 2 && !math.IsNaN(s) {
			slopes = append(slopes, s)
		}
		if c := logisticMidpoint(res); !math.IsNaN(c) {
			cbs = append(cbs, c)
		}
	}
	b.SlopeLo, b.SlopeHi = percentiles(slopes)
	b.CBLo, b.CBHi = percentiles(cbs)
	return b
}

// crossings returns, per N, the c at which the benign fraction crosses 1/2:
// the smallest grid index k with fraction ≥ 1/2 at k and every larger c,
// interpolated linearly in log c between k−1 and k. It is NaN when every
// point is benign (boundary below the grid) or the top point is not
// (above it).
func crossings(pts []GridPoint) ([]int, []float64) {
	var ns []int
	var cs []float64
	for lo := 0; lo < len(pts); {
		hi := lo
		for hi < len(pts) && pts[hi].N == pts[lo].N {
			hi++
		}
		row := pts[lo:hi]
		k := len(row)
		for k > 0 && row[k-1].Frac() >= 0.5 {
			k--
		}
		c := nan
		if k > 0 && k < len(row) {
			p0, p1 := row[k-1].Frac(), row[k].Frac()
			l0, l1 := math.Log(row[k-1].C), math.Log(row[k].C)
			c = linalg.Exp(l0 + (0.5-p0)/(p1-p0)*(l1-l0))
		}
		ns = append(ns, pts[lo].N)
		cs = append(cs, c)
		lo = hi
	}
	return ns, cs
}

// slope fits log √(c*/N) = a + s·log N by least squares over the finite
// c*; it returns s and the number of points (NaN if fewer than 2).
func slope(ns []int, cs []float64) (float64, int) {
	var x, y []float64
	for i, c := range cs {
		if !math.IsNaN(c) {
			x = append(x, math.Log(float64(ns[i])))
			y = append(y, 0.5*math.Log(c/float64(ns[i])))
		}
	}
	if len(x) < 2 {
		return nan, len(x)
	}
	mx, my := mean(x), mean(y)
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	if sxx == 0 {
		return nan, len(x)
	}
	return sxy / sxx, len(x)
}

// logisticMidpoint fits P(benign) = σ(a + b·log c) by Newton's method
// (with a small ridge on b so that perfectly separated data still give a
// finite fit) and returns exp(−a/b), the c at which P = 1/2. NaN when all
// outcomes agree or the fit has b ≤ 0.
func logisticMidpoint(pts []GridPoint) float64 {
	var x, y []float64
	for _, p := range pts {
		for _, v := range p.Benign {
			x = append(x, math.Log(p.C))
			y = append(y, b2f(v))
		}
	}
	if len(y) == 0 || mean(y) == 0 || mean(y) == 1 {
		return nan
	}
	const ridge = 1e-2 // on b, in units of (log c)⁻²: negligible unless the data separate
	a, b := 0.0, 0.0
	for it := 0; it < 100; it++ {
		var ga, gb, haa, hab, hbb float64
		for i := range x {
			p := 1 / (1 + linalg.Exp(-(a + b*x[i])))
			w := p * (1 - p)
			ga += y[i] - p
			gb += (y[i] - p) * x[i]
			haa += w
			hab += w * x[i]
			hbb += w * x[i] * x[i]
		}
		gb -= ridge * b
		hbb += ridge
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a, b = a+da, b+db
		if math.Abs(da)+math.Abs(db) < 1e-10 {
			break
		}
	}
	if b <= 0 {
		return nan
	}
	return linalg.Exp(-a / b)
}

// percentiles returns the 2.5% and 97.5% percentiles (NaN if empty).
func percentiles(v []float64) (lo, hi float64) {
	if len(v) == 0 {
		return nan, nan
	}
	s := slices.Clone(v)
	slices.Sort(s)
	at := func(q float64) float64 { return s[int(math.Round(q*float64(len(s)-1)))] }
	return at(0.025), at(0.975)
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
		ss += (x - m) * (x - m)
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

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
