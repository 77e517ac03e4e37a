package attack

import (
	"math"

	"vitadv/model/valid"
	"vitadv/model/vit"
)

// FMNConfig configures the fast minimum-norm attack (Pintor et al.,
// NeurIPS 2021, "Fast Minimum-norm Adversarial Attacks through Adaptive
// Norm Constraints", Algorithm 1) in the gauge of a perturbation set.
type FMNConfig struct {
	Set   Set `json:"set"`
	Steps int `json:"steps"` // iterations K ≥ 1
	// Gamma0, GammaK: the budget-adaptation factor γ_k, cosine-annealed
	// from Gamma0 to GammaK (the paper: 0.05 → 0.001); 0 means those.
	Gamma0, GammaK float64
	// Alpha0, AlphaK: the step α_k relative to the current budget ε_k,
	// cosine-annealed (1 → 0.01 here; the paper's absolute α_0 = 1 assumes
	// inputs in [0, 1]); 0 means those.
	Alpha0, AlphaK float64
}

// Validate returns a *valid.Error naming the first bad field.
func (c FMNConfig) Validate() error {
	return valid.First(c.Set.Validate(), valid.IntMin("Steps", c.Steps, 1),
		valid.NonNeg("Gamma0", c.Gamma0), valid.NonNeg("GammaK", c.GammaK),
		valid.NonNeg("Alpha0", c.Alpha0), valid.NonNeg("AlphaK", c.AlphaK))
}

// FMN is the fast minimum-norm attack on the margin L(Δ) = y·f(X+Δ): each
// iteration adapts a budget ε_k in the set's gauge ‖·‖_B (Set.Norm),
//
//	ε_k = min(ε_{k−1}, ‖Δ*‖_B)·(1 − γ_k)     if X+Δ_{k−1} is adversarial (L ≤ 0)
//	ε_k = ‖Δ_{k−1}‖_B + L/‖∇L‖_*             if no adversarial point is known yet
//	ε_k = ε_{k−1}·(1 + γ_k)                  otherwise,
//
// (Δ* the smallest adversarial perturbation so far; ‖·‖_* the dual gauge, so
// L/‖∇L‖_* is the first-order distance to the boundary), then steps
// Δ_k = Π_{B(ε_k)}(Δ_{k−1} − α_k ε_k·dir(∇L)) with the set's steepest-descent
// direction. Radii returns ‖Δ*‖_B per sample (+Inf if no adversarial
// point was found): an upper bound of each point's robust radius.
type FMN struct {
	cfg    FMNConfig
	set    Set
	arch   vit.Arch
	M, cap int
	ws     *vit.Workspace

	cur, grad, xcur []float64
	coef            []float64
	epsB, radius    []float64
	n               int
}

// NewFMN validates cfg and returns an FMN for batches of at most capacity
// samples of M tokens under arch.
func NewFMN(cfg FMNConfig, arch vit.Arch, M, capacity int) (*FMN, error) {
	if err := valid.First(cfg.Validate(), arch.Validate(), valid.IntMin("M", M, 1), valid.IntMin("capacity", capacity, 1)); err != nil {
		return nil, err
	}
	if cfg.Gamma0 == 0 {
		cfg.Gamma0 = 0.05
	}
	if cfg.GammaK == 0 {
		cfg.GammaK = 0.001
	}
	if cfg.Alpha0 == 0 {
		cfg.Alpha0 = 1
	}
	if cfg.AlphaK == 0 {
		cfg.AlphaK = 0.01
	}
	t := capacity * M * arch.D
	f := &FMN{cfg: cfg, set: cfg.Set.orDefault(), arch: arch, M: M, cap: capacity, ws: vit.NewWorkspace(arch, M, capacity),
		cur: make([]float64, t), grad: make([]float64, t), xcur: make([]float64, t),
		coef: make([]float64, capacity), epsB: make([]float64, capacity), radius: make([]float64, capacity)}
	f.cfg.Set = f.set
	return f, nil
}

// Radii returns ‖Δ*‖_B per sample of the last Perturb (+Inf where no
// adversarial point was found), aliasing the FMN's buffer.
func (f *FMN) Radii() []float64 { return f.radius[:f.n] }

// dualNorm returns the dual gauge of g (one M×D sample) for the set:
// ‖g‖_F (Frobenius), ‖g_0‖ (SignalToken), Σ_l ‖g_l‖ (PerToken), ‖g‖₁ (Linf).
func (s Set) dualNorm(g []float64, M int) float64 {
	D := tokenDim(g, M)
	switch s.orDefault() {
	case Frobenius:
		return norm2(g)
	case SignalToken:
		return norm2(g[:D])
	case PerToken:
		t := 0.0
		for l := 0; l < M; l++ {
			t += norm2(g[l*D : (l+1)*D])
		}
		return t
	case Linf:
		t := 0.0
		for _, v := range g {
			t += math.Abs(v)
		}
		return t
	}
	panic("attack: unknown Set " + string(s))
}

// cosine anneals from a to b over k = 0..K−1.
func cosine(a, b float64, k, K int) float64 {
	if K <= 1 {
		return a
	}
	return b + float64((a-b)*(1+math.Cos(math.Pi*float64(k)/float64(K-1)))/2)
}

// Perturb writes, for each of the n samples, the smallest adversarial point
// found (X+Δ*) into xadv, or the last iterate where none was found. It
// panics as PGD.Perturb does on bad shapes.
func (f *FMN) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	S := f.M * f.arch.D
	if n < 1 || n > f.cap {
		panic("attack: FMN.Perturb: batch size outside [1, capacity]")
	}
	if len(x) < n*S || len(y) < n || len(xadv) < n*S {
		panic("attack: FMN.Perturb: x, y or xadv too short")
	}
	if &xadv[0] == &x[0] {
		panic("attack: FMN.Perturb: xadv must not alias x")
	}
	t := n * S
	x, xadv = x[:t], xadv[:t]
	cur, grad, xcur := f.cur[:t], f.grad[:t], f.xcur[:t]
	f.n = n
	clear(cur)
	copy(xcur, x)
	copy(xadv, x)
	for i := 0; i < n; i++ {
		f.coef[i] = y[i]
		f.radius[i] = math.Inf(1)
		f.epsB[i] = math.Inf(1)
	}
	K := f.cfg.Steps
	for k := 0; k <= K; k++ {
		fx := m.Forward(f.ws, xcur, n)
		for i := 0; i < n; i++ {
			if mg := y[i] * fx[i]; mg <= 0 {
				d := cur[i*S : (i+1)*S]
				if r := f.set.Norm(d, f.M); r < f.radius[i] {
					f.radius[i] = r
					copy(xadv[i*S:(i+1)*S], xcur[i*S:(i+1)*S])
				}
			}
		}
		if k == K {
			break
		}
		m.Backward(f.ws, xcur, n, f.coef, nil, grad) // ∇ of L = y f
		gam := cosine(f.cfg.Gamma0, f.cfg.GammaK, k, K)
		alp := cosine(f.cfg.Alpha0, f.cfg.AlphaK, k, K)
		for i := 0; i < n; i++ {
			lo, hi := i*S, (i+1)*S
			g, d := grad[lo:hi], cur[lo:hi]
			mg := y[i] * fx[i]
			switch {
			case mg <= 0:
				f.epsB[i] = math.Min(f.epsB[i], f.radius[i]) * (1 - gam)
			case math.IsInf(f.radius[i], 1):
				gn := f.set.dualNorm(g, f.M)
				if gn > 0 {
					f.epsB[i] = f.set.Norm(d, f.M) + mg/gn // ‖Δ_{k−1}‖_B, needed only here
				}
			default:
				f.epsB[i] *= 1 + gam
			}
			e := f.epsB[i]
			if math.IsInf(e, 1) || math.IsNaN(e) {
				continue // zero gradient and never adversarial: nothing to follow
			}
			f.set.ascentTo(g, g, f.M)
			step := alp * e
			for j := range d {
				d[j] -= float64(step * g[j])
			}
			f.set.Project(d, f.M, e)
			xc, x0 := xcur[lo:hi], x[lo:hi]
			for j, v := range d {
				xc[j] = x0[j] + v
			}
		}
	}
}
