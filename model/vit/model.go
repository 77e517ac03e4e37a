package vit

import (
	"math"
	"math/rand/v2"

	"vitadv/model/linalg"
	"vitadv/model/rng"
	"vitadv/model/valid"
)

// Arch fixes the shapes and the variant of the model.
type Arch struct {
	D  int `json:"d"`   // token dimension d
	Dh int `json:"d_h"` // query/key width d_h
	Dv int `json:"d_v"` // value width d_v
	// ScaleScores multiplies the attention scores by 1/√d_h (the usual
	// transformer scaling; the paper's model has none).
	ScaleScores bool `json:"scale_scores"`
	// TrainWo makes w_O trainable (frozen in Jiang et al.'s scripts).
	TrainWo bool `json:"train_wo"`
}

// Validate returns a *valid.Error naming the first bad field.
func (a Arch) Validate() error {
	return valid.First(valid.IntMin("D", a.D, 1), valid.IntMin("Dh", a.Dh, 1), valid.IntMin("Dv", a.Dv, 1))
}

// Scale returns the score multiplier s (1 or 1/√d_h).
func (a Arch) Scale() float64 {
	if a.ScaleScores {
		return 1 / math.Sqrt(float64(a.Dh))
	}
	return 1
}

// Model holds the parameters θ = (W_Q, W_K, W_V, w_O), row-major.
type Model struct {
	Arch
	WQK []float64 // D × 2Dh: [W_Q | W_K]
	Wv  []float64 // D × Dv
	Wo  []float64 // Dv
}

// New returns a zero model of architecture a.
func New(a Arch) (*Model, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &Model{Arch: a, WQK: make([]float64, a.D*2*a.Dh), Wv: make([]float64, a.D*a.Dv), Wo: make([]float64, a.Dv)}, nil
}

// Wq returns W_Q[i][j].
func (m *Model) Wq(i, j int) float64 { return m.WQK[i*2*m.Dh+j] }

// Wk returns W_K[i][j].
func (m *Model) Wk(i, j int) float64 { return m.WQK[i*2*m.Dh+m.Dh+j] }

// SplitQK returns copies of W_Q and W_K as separate D×Dh row-major matrices.
func (m *Model) SplitQK() (wq, wk []float64) {
	wq = make([]float64, m.D*m.Dh)
	wk = make([]float64, m.D*m.Dh)
	for i := 0; i < m.D; i++ {
		copy(wq[i*m.Dh:(i+1)*m.Dh], m.WQK[i*2*m.Dh:i*2*m.Dh+m.Dh])
		copy(wk[i*m.Dh:(i+1)*m.Dh], m.WQK[i*2*m.Dh+m.Dh:(i+1)*2*m.Dh])
	}
	return wq, wk
}

// JoinQK writes W_Q and W_K (D×Dh row-major each) into m.WQK.
// It panics if their lengths are not D·Dh.
func (m *Model) JoinQK(wq, wk []float64) {
	if len(wq) != m.D*m.Dh || len(wk) != m.D*m.Dh {
		panic("vit: JoinQK: wrong lengths")
	}
	for i := 0; i < m.D; i++ {
		copy(m.WQK[i*2*m.Dh:i*2*m.Dh+m.Dh], wq[i*m.Dh:(i+1)*m.Dh])
		copy(m.WQK[i*2*m.Dh+m.Dh:(i+1)*2*m.Dh], wk[i*m.Dh:(i+1)*m.Dh])
	}
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := &Model{Arch: m.Arch}
	c.WQK = append([]float64(nil), m.WQK...)
	c.Wv = append([]float64(nil), m.Wv...)
	c.Wo = append([]float64(nil), m.Wo...)
	return c
}

// ValueVector writes u = W_V w_O into dst[:D] (len(dst) ≥ D) and returns
// dst itself (the caller's buffer, not a copy). It is
// the u of Forward bit for bit (the same linalg dot), so closed forms and
// probes built on it see exactly the model's value vector.
func (m *Model) ValueVector(dst []float64) []float64 {
	linalg.DotRows(dst[:m.D], m.Wo, m.Wv, m.Dv)
	return dst
}

// Law is the distribution of the initial weights.
type Law string

const (
	// Gaussian draws W_Q, W_K, W_V i.i.d. N(0, σ₀²) with σ₀ = 1/(c√(3d)),
	// the standard deviation of the scripts' torch-uniform law, and w_O
	// i.i.d. N(0, 1/(3d_v)), again the scripts' standard deviation.
	Gaussian Law = "gaussian"
	// TorchUniform draws W_Q, W_K, W_V ~ U(−1/(c√d), 1/(c√d)) and
	// w_O ~ U(−1/√d_v, 1/√d_v): PyTorch's nn.Linear default, with the
	// weights shrunk by c as in Jiang et al.'s scripts (THEORY §2.3).
	TorchUniform Law = "torch-uniform"
)

// Init is the initialization scheme.
type Init struct {
	Law    Law     `json:"law"`
	Shrink float64 `json:"shrink"` // c: 16 in the heatmap script, 32 in the dynamics script
}

// DefaultInit is Gaussian at the heatmap script's scale (c = 16).
func DefaultInit() Init { return Init{Law: Gaussian, Shrink: 16} }

// Validate returns a *valid.Error naming the first bad field.
func (in Init) Validate() error {
	if in.Law != Gaussian && in.Law != TorchUniform {
		return &valid.Error{Field: "Init.Law", Value: in.Law, Rule: `must be "gaussian" or "torch-uniform"`}
	}
	return valid.Positive("Init.Shrink", in.Shrink)
}

// Sigma0 returns the standard deviation of the entries of W_Q, W_K, W_V.
func (in Init) Sigma0(d int) float64 { return 1 / (in.Shrink * math.Sqrt(3*float64(d))) }

// NewInit returns a model of architecture a initialized by in from the
// rng.Init stream of seed.
func NewInit(a Arch, in Init, seed uint64) (*Model, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	m, err := New(a)
	if err != nil {
		return nil, err
	}
	r := rng.New(seed, rng.Init)
	var draw func(r *rand.Rand, scale float64) float64
	var wscale, oscale float64
	switch in.Law {
	case Gaussian:
		draw = func(r *rand.Rand, s float64) float64 { return s * r.NormFloat64() }
		wscale, oscale = in.Sigma0(a.D), 1/math.Sqrt(3*float64(a.Dv))
	case TorchUniform:
		draw = func(r *rand.Rand, s float64) float64 { return s * (float64(2*float64(r.Float64())) - 1) }
		wscale, oscale = 1/(in.Shrink*math.Sqrt(float64(a.D))), 1/math.Sqrt(float64(a.Dv))
	}
	// Draw order W_Q, W_K, W_V, w_O, each row-major, so that the weights
	// do not depend on the storage layout of WQK.
	wq := make([]float64, a.D*a.Dh)
	wk := make([]float64, a.D*a.Dh)
	for _, w := range [][]float64{wq, wk, m.Wv} {
		for i := range w {
			w[i] = draw(r, wscale)
		}
	}
	for i := range m.Wo {
		m.Wo[i] = draw(r, oscale)
	}
	m.JoinQK(wq, wk)
	return m, nil
}

// Grads has the shape of a model's parameters.
type Grads struct {
	WQK, Wv, Wo []float64
}

// NewGrads returns zero gradients for architecture a.
func NewGrads(a Arch) *Grads {
	return &Grads{WQK: make([]float64, a.D*2*a.Dh), Wv: make([]float64, a.D*a.Dv), Wo: make([]float64, a.Dv)}
}

// Step applies θ ← θ − eta·g (w_O only when TrainWo).
func (m *Model) Step(g *Grads, eta float64) {
	axpy(m.WQK, -eta, g.WQK)
	axpy(m.Wv, -eta, g.Wv)
	if m.TrainWo {
		axpy(m.Wo, -eta, g.Wo)
	}
}

func axpy(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += float64(a * x[i])
	}
}
