// Package data samples the patch-token distribution of Jiang et al.
// (arXiv:2409.19345), inherited by Zhang et al. (arXiv:2604.19724).
//
// An input is X ∈ ℝ^{M×d} (M tokens of dimension d), stored row-major in a flat
// slice. Token 1 carries the class signal (μ₊ for y = +1, μ₋ for y = −1, with
// μ₊ = ‖μ‖e₁ ⊥ μ₋ = ‖μ‖e₂), token 2 is the strong noise ξ₂ ~ N(0, σ₂²I) and
// tokens 3..M are weak noise ~ N(0, σ_w²I). Reference: docs/THEORY.md §1.
//
// # Shapes
//
// A Set of N samples stores its inputs as one flat row-major slice X of
// length N·M·D, the samples' M×D matrices stacked:
//
//	X[(n·M + l)·D + k] = coordinate k of token l of sample n
//
// with every index zero-based, so THEORY's "token 1" (the signal) is l = 0
// and "token 2" (ξ₂) is l = 1. Y and Clean have length N. This is the batch
// layout of package vit: Set.X and Set.N go to vit.Model.Forward as they
// are, and a sub-batch of samples [a, b) is X[a·M·D : b·M·D]. Sample(n)
// returns that block for one sample as a view (no copy).
package data

import (
	"math"
	"math/rand/v2"

	"vitadv/model/rng"
	"vitadv/model/valid"
)

// Config describes one instance of the data distribution.
//
// The signal strength is given by exactly one of MuNorm, SNR2 or SNRW:
//
//	SNR2 = ‖μ‖ / (σ₂ √d)    (against the strong noise token; THEORY §1.2)
//	SNRW = ‖μ‖ / (σ_w √d)   (against a weak token; the axis of Jiang et al. Fig. 1)
type Config struct {
	D      int     `json:"d"`       // token dimension d ≥ 2 (the signals use coordinates 1 and 2)
	M      int     `json:"m"`       // tokens per input, M ≥ 2
	N      int     `json:"n"`       // training points, even, ≥ 2 (balanced: N/2 per class)
	NTest  int     `json:"n_test"`  // test points, even, ≥ 2
	MuNorm float64 `json:"mu_norm"` // ‖μ‖; 0 means "derive from SNR2 or SNRW"
	SNR2   float64 `json:"snr2"`    // alternative to MuNorm
	SNRW   float64 `json:"snrw"`    // alternative to MuNorm
	Sigma2 float64 `json:"sigma2"`  // σ₂, std of the strong noise token (token 2)
	SigmaW float64 `json:"sigma_w"` // σ_w, std of the weak noise tokens 3..M

	// Project removes the components of every noise token along μ₊ and μ₋
	// (the theory's law); false draws i.i.d. N(0, σ²) on all d coordinates
	// as the published scripts do.
	Project bool `json:"project"`
	// AllStrong draws every noise token (2..M) at σ₂ instead of only token 2.
	AllStrong bool `json:"all_strong"`
	// FlipP flips each training label independently with probability FlipP,
	// 0 ≤ FlipP < 0.5. Test labels are never flipped.
	FlipP float64 `json:"flip_p"`
}

// Script returns Jiang et al.'s heatmap sizes (THEORY §2.2, §6.1) at ‖μ‖ = mu
// with N training and 100 test points, without projection, as the scripts do.
func Script(n int, mu float64) Config {
	return Config{D: 1024, M: 16, N: n, NTest: 100, MuNorm: mu, Sigma2: 4, SigmaW: 0.2}
}

// Small returns the CI-scale instance of THEORY §6.5 (d = 256, M = 8,
// σ₂ = 4, σ_w = 0.2) with N training points, 200 test points and the
// projected noise law, at SNR2 = snr2.
func Small(n int, snr2 float64) Config {
	return Config{D: 256, M: 8, N: n, NTest: 200, SNR2: snr2, Sigma2: 4, SigmaW: 0.2, Project: true}
}

// Validate returns a *valid.Error naming the first bad field.
func (c Config) Validate() error {
	if err := valid.First(
		valid.IntMin("D", c.D, 2),
		valid.IntMin("M", c.M, 2),
		valid.EvenIntMin("N", c.N, 2),
		valid.EvenIntMin("NTest", c.NTest, 2),
		valid.NonNeg("MuNorm", c.MuNorm),
		valid.NonNeg("SNR2", c.SNR2),
		valid.NonNeg("SNRW", c.SNRW),
		valid.NonNeg("Sigma2", c.Sigma2),
		valid.NonNeg("SigmaW", c.SigmaW),
		valid.Range("FlipP", c.FlipP, 0, 0.5),
	); err != nil {
		return err
	}
	set := 0
	for _, v := range []float64{c.MuNorm, c.SNR2, c.SNRW} {
		if v > 0 {
			set++
		}
	}
	if set != 1 {
		return &valid.Error{Field: "MuNorm", Value: c.MuNorm, Rule: "exactly one of MuNorm, SNR2, SNRW must be > 0"}
	}
	if c.SNR2 > 0 && c.Sigma2 == 0 {
		return &valid.Error{Field: "Sigma2", Value: c.Sigma2, Rule: "must be > 0 when SNR2 is given"}
	}
	if c.SNRW > 0 && c.SigmaW == 0 {
		return &valid.Error{Field: "SigmaW", Value: c.SigmaW, Rule: "must be > 0 when SNRW is given"}
	}
	return nil
}

// Mu returns ‖μ‖, resolved from whichever of MuNorm, SNR2, SNRW is set.
func (c Config) Mu() float64 {
	sd := math.Sqrt(float64(c.D))
	switch {
	case c.MuNorm > 0:
		return c.MuNorm
	case c.SNR2 > 0:
		return c.SNR2 * c.Sigma2 * sd
	default:
		return c.SNRW * c.SigmaW * sd
	}
}

// SNRStrong returns SNR_2 = ‖μ‖/(σ₂√d) (+Inf when σ₂ = 0).
func (c Config) SNRStrong() float64 { return c.Mu() / (c.Sigma2 * math.Sqrt(float64(c.D))) }

// SNRWeak returns SNR_w = ‖μ‖/(σ_w√d) (+Inf when σ_w = 0).
func (c Config) SNRWeak() float64 { return c.Mu() / (c.SigmaW * math.Sqrt(float64(c.D))) }

// Set is a labelled sample of inputs.
type Set struct {
	N, M, D int
	// X holds the inputs row-major: X[(n*M+l)*D+k] is coordinate k of
	// token l of sample n (tokens and coordinates zero-based).
	X []float64
	// Y holds the observed labels ±1 (after label flips).
	Y []float64
	// Clean holds the labels before flipping; equal to Y when FlipP = 0.
	Clean []float64
	// Mu is ‖μ‖, the norm of the class signals the set was drawn with
	// (Config.Mu()); 0 means unknown (a set built by hand, or loaded from a
	// file written before the norm was stored). Signals needs it.
	Mu float64
}

// Sample returns sample n as an M×D row-major view into s.X: it aliases
// s.X, so writing to it changes the set.
func (s *Set) Sample(n int) []float64 { return s.X[n*s.M*s.D : (n+1)*s.M*s.D] }

// Signals returns μ₊ = ‖μ‖e₁ and μ₋ = ‖μ‖e₂ of the set (fresh slices of
// length D), from s.Mu. A set that does not know its ‖μ‖ (Mu = 0) or has
// a non-finite or negative one gives a *valid.Error on "Mu".
func (s *Set) Signals() (Signals, error) {
	if !(s.Mu > 0) || math.IsInf(s.Mu, 0) {
		return Signals{}, &valid.Error{Field: "Mu", Value: s.Mu, Rule: "must be finite and > 0 (the set does not record its signal norm)"}
	}
	return signals(s.Mu, s.D), nil
}

// Signals are the two class means μ₊ = ‖μ‖e₁ and μ₋ = ‖μ‖e₂ of token 1.
type Signals struct {
	Plus, Minus []float64
}

// SignalsOf returns μ₊ and μ₋ for the configuration (fresh slices).
// Set.Signals gives the same from a drawn or loaded set.
func SignalsOf(c Config) Signals { return signals(c.Mu(), c.D) }

func signals(mu float64, d int) Signals {
	p := make([]float64, d)
	m := make([]float64, d)
	p[0], m[1] = mu, mu
	return Signals{Plus: p, Minus: m}
}

// For returns μ_y: s.Plus for y > 0, else s.Minus (not a copy: it aliases
// the Signals' slice).
func (s Signals) For(y float64) []float64 {
	if y > 0 {
		return s.Plus
	}
	return s.Minus
}

// Draw returns the training set and the test set of c, drawn from the
// independent streams rng.TrainData and rng.TestData of seed. Both sets are
// balanced and alternate labels +1, −1, +1, … .
func Draw(c Config, seed uint64) (train, test *Set, err error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	train = sample(c, c.N, c.FlipP, rng.New(seed, rng.TrainData))
	test = sample(c, c.NTest, 0, rng.New(seed, rng.TestData))
	return train, test, nil
}

// sample draws n balanced points; label flips (probability flip) are drawn
// after all inputs so that flip = 0 and flip > 0 share the same inputs.
func sample(c Config, n int, flip float64, r *rand.Rand) *Set {
	mu := c.Mu()
	s := &Set{N: n, M: c.M, D: c.D, X: make([]float64, n*c.M*c.D), Y: make([]float64, n), Clean: make([]float64, n), Mu: mu}
	for i := 0; i < n; i++ {
		y := 1.0
		if i%2 == 1 {
			y = -1
		}
		s.Y[i], s.Clean[i] = y, y
		x := s.Sample(i)
		if y > 0 {
			x[0] = mu
		} else {
			x[1] = mu
		}
		for l := 1; l < c.M; l++ {
			sd := c.SigmaW
			if l == 1 || c.AllStrong {
				sd = c.Sigma2
			}
			tok := x[l*c.D : (l+1)*c.D]
			for k := range tok {
				tok[k] = sd * r.NormFloat64()
			}
			if c.Project {
				// μ̂₊ = e₁, μ̂₋ = e₂: the projection zeroes coordinates 1 and 2.
				tok[0], tok[1] = 0, 0
			}
		}
	}
	if flip > 0 {
		for i := 0; i < n; i++ {
			if r.Float64() < flip {
				s.Y[i] = -s.Y[i]
			}
		}
	}
	return s
}
