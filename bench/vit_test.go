package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// size is one benchmark shape: n samples of M tokens in ℝ^d, widths d_h, d_v.
type size struct {
	N, M, D, Dh, Dv int
}

func (s size) String() string {
	return fmt.Sprintf("N=%d/M=%d/d=%d/dh=%d", s.N, s.M, s.D, s.Dh)
}

// sizes: the paper's heatmap (THEORY §2.2, d_v = d_h as in the script),
// and two theory-small shapes at the corners of M ≤ 8, d ≤ 256, N ≤ 50.
var sizes = []size{
	{N: 20, M: 16, D: 1024, Dh: 512, Dv: 512},
	{N: 10, M: 4, D: 64, Dh: 32, Dv: 32},
	{N: 50, M: 8, D: 256, Dh: 128, Dv: 128},
}

// PGD and training settings shared with the peer (torch_vit.py defaults):
// τ = 4 in Frobenius norm per sample, α = 2.5τ/K, η = 0.1.
const (
	pgdTau   = 4.0
	pgdSteps = 10
	eta      = 0.1
)

// Flop counts, 2 per multiply-add, of the contractions in model/vit's
// kernels (GEMMs, scores, attention sums); exp, log and divisions are not
// counted. t = N·M stacked tokens.
func (s size) t() float64 { return float64(s.N * s.M) }

// fwdFlops: u = W_V w_O, [Q|K] = X W_QK, v = X u, scores q_lᵀk_j, f = aᵀv.
func (s size) fwdFlops() float64 {
	t, d, dh, dv, m := s.t(), float64(s.D), float64(s.Dh), float64(s.Dv), float64(s.M)
	return 2*d*dv + 2*t*d*2*dh + 2*t*d + 2*t*m*dh + 2*t
}

// bwdSharedFlops: v̄_l = Σ_j S_lj v_j and the rows of Ĝ K and Ĝᵀ Q.
func (s size) bwdSharedFlops() float64 {
	t, dh, m := s.t(), float64(s.Dh), float64(s.M)
	return 2*t*m + 2*t*m*2*dh
}

// paramFlops: ∂W_QK = Xᵀ[ĜK | ĜᵀQ], r = Xᵀα, ∂W_V = r w_Oᵀ.
func (s size) paramFlops() float64 {
	t, d, dh, dv := s.t(), float64(s.D), float64(s.Dh), float64(s.Dv)
	return 2*d*2*dh*t + 2*t*d + d*dv
}

// inputFlops: ∂X = α uᵀ + [ĜK | ĜᵀQ] W_QKᵀ.
func (s size) inputFlops() float64 {
	t, d, dh := s.t(), float64(s.D), float64(s.Dh)
	return t*d + 2*t*2*dh*d
}

// pgdUpdateFlops: X+Δ, two Frobenius norms, the step and the projection.
func (s size) pgdUpdateFlops() float64 { return 6 * s.t() * float64(s.D) }

func (s size) inputGradFlops() float64 {
	return s.fwdFlops() + s.bwdSharedFlops() + s.inputFlops()
}
func (s size) pgdStepFlops() float64 { return s.inputGradFlops() + s.pgdUpdateFlops() }
func (s size) lossGradFlops() float64 {
	return s.fwdFlops() + s.bwdSharedFlops() + s.paramFlops()
}
func (s size) atStepFlops(k int) float64 {
	d := float64(s.D)
	return float64(k)*s.pgdStepFlops() + s.lossGradFlops() + 2*d*(2*float64(s.Dh)+float64(s.Dv))
}

// fixture is a model, a batch drawn like the peer's make_data (token 1
// carries ±μ on coordinate 0 or 1, token 2 is N(0, σ₂²), the rest
// N(0, σ_w²)), and every buffer a PGD or AT step needs.
type fixture struct {
	size
	m            *vit.Model
	ws           *vit.Workspace
	g            *vit.Grads
	x, y         []float64
	delta, xcur  []float64
	dx           []float64
	tau, stepLen float64
}

func newFixture(b *testing.B, s size) *fixture {
	b.Helper()
	m, err := vit.NewInit(vit.Arch{D: s.D, Dh: s.Dh, Dv: s.Dv}, vit.Init{Law: vit.TorchUniform, Shrink: 16}, 1)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	const mu, sigma2, sigmaW = 40, 4, 0.2
	x := make([]float64, s.N*s.M*s.D)
	y := make([]float64, s.N)
	for i := 0; i < s.N; i++ {
		y[i] = float64(1 - 2*(i%2))
		for l := 0; l < s.M; l++ {
			tok := x[(i*s.M+l)*s.D : (i*s.M+l+1)*s.D]
			for k := range tok {
				switch l {
				case 0:
				case 1:
					tok[k] = sigma2 * r.NormFloat64()
				default:
					tok[k] = sigmaW * r.NormFloat64()
				}
			}
			if l == 0 {
				tok[i%2] = mu
			}
		}
	}
	return &fixture{size: s, m: m, ws: vit.NewWorkspace(m.Arch, s.M, s.N), g: vit.NewGrads(m.Arch),
		x: x, y: y, delta: make([]float64, len(x)), xcur: make([]float64, len(x)), dx: make([]float64, len(x)),
		tau: pgdTau, stepLen: 2.5 * pgdTau / pgdSteps}
}

// pgdStep is one ℓ2 PGD step on every sample, as in the peer's pgd_l2:
//
//	g_i = ∂ℓ(y_i f(X_i+Δ_i))/∂X_i,  Δ_i ← Δ_i + α g_i/‖g_i‖_F,
//	Δ_i ← Δ_i · min(1, τ/‖Δ_i‖_F).
func (f *fixture) pgdStep() {
	copy(f.xcur, f.x)
	linalg.Axpy(f.xcur, 1, f.delta) // X + Δ
	f.m.InputGrad(f.ws, f.xcur, f.y, f.N, f.dx)
	per := f.M * f.D
	for s := 0; s < f.N; s++ {
		g := f.dx[s*per : (s+1)*per]
		d := f.delta[s*per : (s+1)*per]
		gn := math.Max(norm(g), 1e-30)
		linalg.Axpy(d, f.stepLen/gn, g)
		if dn := norm(d); dn > f.tau {
			linalg.Scal(d, f.tau/dn)
		}
	}
}

// pgd runs K steps from Δ = 0 and leaves X + Δ in f.xcur. Like
// attack.PGD, it freezes the workspace on the model for the attack (W_QK
// packed once; bit-identical, vit.Workspace.Freeze).
func (f *fixture) pgd(k int) {
	f.ws.Freeze(f.m)
	defer f.ws.Thaw()
	clear(f.delta)
	for range k {
		f.pgdStep()
	}
	copy(f.xcur, f.x)
	linalg.Axpy(f.xcur, 1, f.delta)
}

// atStep is one adversarial-training step: PGD-K, then θ ← θ − η∇L(X+Δ).
func (f *fixture) atStep(k int) {
	f.pgd(k)
	f.m.LossGrad(f.ws, f.xcur, f.y, f.N, f.g)
	f.m.Step(f.g, eta)
}

// settle brings a benchmark to its steady state before the timed loop: a
// call (first-touch page faults, GEMM workers and their buffers), a
// garbage collection (so that one triggered by the set-up's allocations
// does not run inside the loop and empty the runtime's caches, whose refill
// shows up as a few 112-byte allocations: channel waiters), and a second
// call to refill them.
func settle(call func()) {
	call()
	runtime.GC()
	call()
}

func norm(v []float64) float64 { return math.Sqrt(linalg.Dot(v, v)) }

// benchSizes runs body once per size as a key=value sub-benchmark, after
// settle, and reports GFLOP/s.
func benchSizes(b *testing.B, flops func(size) float64, body func(f *fixture)) {
	for _, s := range sizes {
		b.Run(s.String(), func(b *testing.B) {
			f := newFixture(b, s)
			settle(func() { body(f) })
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				body(f)
			}
			reportGFLOPS(b, flops(s))
			cpu.report(b, flops(s)*float64(b.N))
		})
	}
}

func BenchmarkForward(b *testing.B) {
	benchSizes(b, size.fwdFlops, func(f *fixture) { f.m.Forward(f.ws, f.x, f.N) })
}

// BenchmarkForwardBackward: mean loss and its parameter gradient.
func BenchmarkForwardBackward(b *testing.B) {
	benchSizes(b, size.lossGradFlops, func(f *fixture) { f.m.LossGrad(f.ws, f.x, f.y, f.N, f.g) })
}

// BenchmarkInputGrad: per-sample losses and ∂ℓ/∂X, the PGD oracle.
func BenchmarkInputGrad(b *testing.B) {
	benchSizes(b, size.inputGradFlops, func(f *fixture) { f.m.InputGrad(f.ws, f.x, f.y, f.N, f.dx) })
}

func BenchmarkPGDStep(b *testing.B) {
	benchSizes(b, size.pgdStepFlops, func(f *fixture) { f.pgdStep() })
}

// BenchmarkPGD: PGD-10 from Δ = 0 as the PyTorch peer's "pgd" runs it
// (fixture.pgd, the loop cmd/peercmp compares); attack.PGD.Perturb, the
// attack the suite uses, is BenchmarkAttackPGD.
func BenchmarkPGD(b *testing.B) {
	benchSizes(b, func(s size) float64 { return pgdSteps * s.pgdStepFlops() }, func(f *fixture) { f.pgd(pgdSteps) })
}

// BenchmarkATStep: PGD-10 + one GD step (the peer's "at_step").
func BenchmarkATStep(b *testing.B) {
	benchSizes(b, func(s size) float64 { return s.atStepFlops(pgdSteps) }, func(f *fixture) { f.atStep(pgdSteps) })
}
