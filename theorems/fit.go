package theorems

import (
	"math"
	"math/rand/v2"
	"sort"

	"vitadv/model/linalg"
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
func (f LogitFit) Boundary(n float64) float64 { return linalg.Exp(-(f.A + f.E*math.Log(n)) / f.B) }

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
			z := w[0] + w[1]*x[1] + w[2]*x[2]
			p := 1 / (1 + linalg.Exp(-z))
			yv := 0.0
			if o.Benign {
				yv = 1
			}
			for i := 0; i < 3; i++ {
				g[i] += (yv - p) * x[i]
				for j := 0; j < 3; j++ {
					h[i][j] += p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < 3; i++ {
			g[i] -= fitRidge * w[i]
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
				a[r][j] -= f * a[c][j]
			}
			b[r] -= f * b[c]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < 3; j++ {
			s -= a[r][j] * x[j]
		}
		x[r] = s / a[r][r]
	}
	return x
}

// Bootstrap returns the 2.5% and 97.5% quantiles of stat over B resamples
// of the seeds (cluster bootstrap: all outcomes of one seed move together,
// so the interval reflects seed-to-seed variation), drawn from r.
func Bootstrap(outs []Outcome, B int, r *rand.Rand, stat func([]Outcome) float64) (lo, hi float64) {
	bySeed := map[uint64][]Outcome{}
	var seeds []uint64
	for _, o := range outs {
		if _, ok := bySeed[o.Seed]; !ok {
			seeds = append(seeds, o.Seed)
		}
		bySeed[o.Seed] = append(bySeed[o.Seed], o)
	}
	vals := make([]float64, 0, B)
	for b := 0; b < B; b++ {
		var s []Outcome
		for range seeds {
			s = append(s, bySeed[seeds[r.IntN(len(seeds))]]...)
		}
		v := stat(s)
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return math.NaN(), math.NaN()
	}
	return Quantile(vals, 0.025), Quantile(vals, 0.975)
}

// Quantile returns the q-quantile of v (linear interpolation; v is sorted in place).
func Quantile(v []float64, q float64) float64 {
	sortFloats(v)
	pos := q * float64(len(v)-1)
	i := int(math.Floor(pos))
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	f := pos - float64(i)
	return v[i]*(1-f) + v[i+1]*f
}

func sortFloats(v []float64) { sort.Float64s(v) }

func newRand(seed, i uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, i)) }
