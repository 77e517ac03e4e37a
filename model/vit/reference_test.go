package vit

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"vitadv/internal/check"
)

// Tolerances, each with its reason.
const (
	// tolRef: the kernel and the naive reference evaluate the same
	// arithmetic in different orders (the reference forms W_Q W_Kᵀ).
	tolRef = 1e-10
	// tolFD: closed-form gradient against the five-point central
	// difference with step hFD in float64 (truncation O(h⁴) ≈ 1e-16 times
	// the fifth derivative, rounding ≈ ε·|L|/h ≈ 1e-12·|L|), relative to
	// the gradient's ∞-norm (THEORY P11 asks 1e-5, the core issue 1e-6; we
	// hold it to the tighter one).
	tolFD = 1e-6
	hFD   = 1e-4
)

// refForward is the naive per-sample forward pass: it forms the d×d matrix
// W_Q W_Kᵀ, the full score matrix and the averaged softmax with plain loops.
func refForward(m *Model, x []float64, M int) float64 {
	D, dh := m.D, m.Dh
	wqk := make([]float64, D*D) // W_Q W_Kᵀ
	for i := 0; i < D; i++ {
		for j := 0; j < D; j++ {
			s := 0.0
			for h := 0; h < dh; h++ {
				s += m.Wq(i, h) * m.Wk(j, h)
			}
			wqk[i*D+j] = s
		}
	}
	u := make([]float64, D)
	for i := 0; i < D; i++ {
		for j := 0; j < m.Dv; j++ {
			u[i] += m.Wv[i*m.Dv+j] * m.Wo[j]
		}
	}
	f := 0.0
	for l := 0; l < M; l++ {
		z := make([]float64, M)
		for j := 0; j < M; j++ {
			for a := 0; a < D; a++ {
				for b := 0; b < D; b++ {
					z[j] += x[l*D+a] * wqk[a*D+b] * x[j*D+b]
				}
			}
			z[j] *= m.Scale()
		}
		mx := math.Inf(-1)
		for _, v := range z {
			mx = math.Max(mx, v)
		}
		sum := 0.0
		for j := range z {
			z[j] = math.Exp(z[j] - mx)
			sum += z[j]
		}
		for j := 0; j < M; j++ {
			vj := 0.0
			for k := 0; k < D; k++ {
				vj += x[j*D+k] * u[k]
			}
			f += z[j] / sum * vj / float64(M)
		}
	}
	return f
}

// instance draws a small random model and batch from rapid.
type instance struct {
	m       *Model
	x, y    []float64
	n, M    int
	wscale  float64
	xscale  float64
	trainWo bool
}

func drawInstance(t *rapid.T) instance { return drawInstanceM(t, 1, 5) }

// drawInstanceM draws an instance with M in [minM, maxM].
func drawInstanceM(t *rapid.T, minM, maxM int) instance {
	a := Arch{
		D:           rapid.IntRange(1, 8).Draw(t, "D"),
		Dh:          rapid.IntRange(1, 4).Draw(t, "Dh"),
		Dv:          rapid.IntRange(1, 4).Draw(t, "Dv"),
		ScaleScores: rapid.Bool().Draw(t, "scale"),
		TrainWo:     rapid.Bool().Draw(t, "trainWo"),
	}
	M := rapid.IntRange(minM, maxM).Draw(t, "M")
	n := rapid.IntRange(1, 3).Draw(t, "n")
	// Scales on a log grid: weights 2⁻⁴..2, inputs 2⁻²..2. Beyond that the
	// scores reach the hundreds, softmax saturates and the five-point
	// difference itself (not the closed form) loses accuracy.
	ws := math.Ldexp(1, rapid.IntRange(-4, 1).Draw(t, "log2wscale"))
	xs := math.Ldexp(1, rapid.IntRange(-2, 1).Draw(t, "log2xscale"))
	seed := rapid.Uint64().Draw(t, "seed")
	r := rand.New(rand.NewPCG(seed, 1))
	m, _ := New(a)
	for _, w := range [][]float64{m.WQK, m.Wv, m.Wo} {
		for i := range w {
			w[i] = ws * r.NormFloat64()
		}
	}
	x := make([]float64, n*M*a.D)
	for i := range x {
		x[i] = xs * r.NormFloat64()
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(2*r.IntN(2) - 1)
	}
	return instance{m: m, x: x, y: y, n: n, M: M}
}

// checkInstances runs body on random instances (M = 1..5) and, as a
// subtest, on instances with M = 1 only: one token, whose softmax row is the
// single weight 1 and whose attention gradient G vanishes.
func checkInstances(t *testing.T, body func(t *rapid.T, in instance)) {
	rapid.Check(t, func(t *rapid.T) { body(t, drawInstance(t)) })
	t.Run("M=1", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { body(t, drawInstanceM(t, 1, 1)) })
	})
}

func relErr(got, want, scale float64) float64 {
	return math.Abs(got-want) / math.Max(scale, 1e-300)
}

func TestForwardMatchesReference(t *testing.T) {
	checkInstances(t, func(t *rapid.T, in instance) {
		ws := NewWorkspace(in.m.Arch, in.M, in.n)
		f := in.m.Forward(ws, in.x, in.n)
		for i := 0; i < in.n; i++ {
			want := refForward(in.m, in.x[i*in.M*in.m.D:(i+1)*in.M*in.m.D], in.M)
			if e := relErr(f[i], want, math.Max(1, math.Abs(want))); !check.LE(e, tolRef) {
				t.Fatalf("Forward sample %d = %g, want %g (rel err %g)", i, f[i], want, e)
			}
		}
	})
}

func TestSoftmaxRowsSumToOne(t *testing.T) {
	checkInstances(t, func(t *rapid.T, in instance) {
		ws := NewWorkspace(in.m.Arch, in.M, in.n)
		in.m.Forward(ws, in.x, in.n)
		for r := 0; r < in.n*in.M; r++ {
			s := 0.0
			for j := 0; j < in.M; j++ {
				p := ws.S[r*in.M+j]
				if !(check.GE(p, 0) && check.LE(p, 1)) {
					t.Fatalf("S[%d][%d] = %g outside [0,1]", r, j, p)
				}
				s += p
			}
			if !check.Close(s, 1, 0, 4*float64(in.M)*0x1p-52) {
				t.Fatalf("row %d sums to %.17g, want 1", r, s)
			}
		}
		asum := 0.0
		for _, a := range ws.A[:in.M] {
			asum += a
		}
		if !check.Close(asum, 1, 0, 8*float64(in.M)*0x1p-52) {
			t.Fatalf("attention a sums to %.17g, want 1", asum)
		}
	})
}

// meanLoss is the objective whose gradient LossGrad returns.
func meanLoss(m *Model, x, y []float64, n, M int) float64 {
	ws := NewWorkspace(m.Arch, M, n)
	return m.Loss(ws, x, y, n)
}

// centralDiff returns the five-point central difference of f with respect
// to *p, restoring *p afterwards:
//
//	f' ≈ [f(p−2h) − 8f(p−h) + 8f(p+h) − f(p+2h)] / (12h).
func centralDiff(p *float64, f func() float64) float64 {
	old := *p
	eval := func(k float64) float64 { *p = old + k*hFD; return f() }
	d := (eval(-2) - 8*eval(-1) + 8*eval(1) - eval(2)) / (12 * hFD)
	*p = old
	return d
}

// paramFD returns the central-difference gradient of meanLoss over every
// parameter slot of w (a slice aliasing one of m's parameter arrays).
func paramFD(m *Model, w []float64, x, y []float64, n, M int) []float64 {
	g := make([]float64, len(w))
	for i := range w {
		g[i] = centralDiff(&w[i], func() float64 { return meanLoss(m, x, y, n, M) })
	}
	return g
}

// gradGap returns ‖got − want‖∞ / max(‖want‖∞, 1e-3). The floor keeps the
// relative error meaningful when a gradient is nearly zero: then absolute
// error 1e-9 is what central differences can resolve.
func gradGap(got, want []float64) (gap float64, at int) {
	scale := 1e-3
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range want {
		if e := math.Abs(got[i]-want[i]) / scale; !(e <= gap) { // NaN is the worst gap
			gap, at = e, i
		}
	}
	return gap, at
}

// checkParamGrads compares analytic and finite-difference parameter
// gradients; perturb lets a negative control corrupt the analytic one.
func checkParamGrads(in instance, perturb func(g *Grads)) (string, float64) {
	m := in.m
	ws := NewWorkspace(m.Arch, in.M, in.n)
	g := NewGrads(m.Arch)
	m.LossGrad(ws, in.x, in.y, in.n, g)
	if perturb != nil {
		perturb(g)
	}
	worst, name := 0.0, ""
	check := func(label string, w, ga []float64) {
		fd := paramFD(m, w, in.x, in.y, in.n, in.M)
		if gap, _ := gradGap(ga, fd); !(gap <= worst) {
			worst, name = gap, label
		}
	}
	check("WQK", m.WQK, g.WQK)
	check("Wv", m.Wv, g.Wv)
	if m.TrainWo {
		check("Wo", m.Wo, g.Wo)
	}
	return name, worst
}

func TestParamGradFD(t *testing.T) {
	checkInstances(t, func(t *rapid.T, in instance) {
		if name, gap := checkParamGrads(in, nil); !check.LE(gap, tolFD) {
			t.Fatalf("gradient of %s: relative gap %g > %g", name, gap, tolFD)
		}
	})
}

// TestParamGradFDControl: a gradient perturbed by 1e-3 (relative to its
// scale) in one entry must fail the same checker.
func TestParamGradFDControl(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t)
		which := rapid.IntRange(0, 1).Draw(t, "which")
		_, gap := checkParamGrads(in, func(g *Grads) {
			w := [][]float64{g.WQK, g.Wv}[which]
			scale := 1e-3
			for _, v := range w {
				scale = math.Max(scale, math.Abs(v))
			}
			w[0] += 1e-3 * scale * 10
		})
		if check.LE(gap, tolFD) {
			t.Fatalf("corrupted gradient passed the checker: gap %g <= %g", gap, tolFD)
		}
	})
}

func checkInputGrad(in instance, perturb func(dx []float64)) float64 {
	m := in.m
	ws := NewWorkspace(m.Arch, in.M, in.n)
	dx := make([]float64, len(in.x))
	m.InputGrad(ws, in.x, in.y, in.n, dx)
	if perturb != nil {
		perturb(dx)
	}
	D := m.D
	worst := 0.0
	for s := 0; s < in.n; s++ {
		xs := in.x[s*in.M*D : (s+1)*in.M*D]
		ys := in.y[s : s+1]
		fd := make([]float64, len(xs))
		for i := range xs {
			fd[i] = centralDiff(&xs[i], func() float64 { return meanLoss(m, xs, ys, 1, in.M) })
		}
		if gap, _ := gradGap(dx[s*in.M*D:(s+1)*in.M*D], fd); !(gap <= worst) {
			worst = gap
		}
	}
	return worst
}

func TestInputGradFD(t *testing.T) {
	checkInstances(t, func(t *rapid.T, in instance) {
		if gap := checkInputGrad(in, nil); !check.LE(gap, tolFD) {
			t.Fatalf("input gradient: relative gap %g > %g", gap, tolFD)
		}
	})
}

func TestInputGradFDControl(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t)
		gap := checkInputGrad(in, func(dx []float64) {
			scale := 1e-3
			for _, v := range dx {
				scale = math.Max(scale, math.Abs(v))
			}
			dx[len(dx)-1] += 1e-2 * scale
		})
		if check.LE(gap, tolFD) {
			t.Fatalf("corrupted input gradient passed the checker: gap %g <= %g", gap, tolFD)
		}
	})
}

// TestLogisticExtremes: ℓ and ℓ' stay finite and accurate for |z| ≤ 1e4.
func TestLogisticExtremes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := rapid.Float64Range(-1e4, 1e4).Draw(t, "z")
		l, d := Logistic(z), LogisticDeriv(z)
		if math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			t.Fatalf("Logistic(%g) = %g", z, l)
		}
		if math.IsNaN(d) || d < -1 || d > 0 {
			t.Fatalf("LogisticDeriv(%g) = %g outside [-1,0]", z, d)
		}
		// ℓ(z) − ℓ(−z) = −z exactly in real arithmetic.
		if e := math.Abs(Logistic(z) - Logistic(-z) + z); e > 4*0x1p-52*math.Max(1, math.Abs(z)) {
			t.Fatalf("ℓ(z) − ℓ(−z) + z = %g at z = %g", e, z)
		}
		// ℓ'(z) + ℓ'(−z) = −1.
		if e := math.Abs(LogisticDeriv(z) + LogisticDeriv(-z) + 1); e > 4*0x1p-52 {
			t.Fatalf("ℓ'(z) + ℓ'(−z) + 1 = %g at z = %g", e, z)
		}
	})
	for _, c := range []struct{ z, want float64 }{
		{0, math.Ln2}, {1e4, 0}, {-1e4, 1e4}, {40, math.Exp(-40)},
	} {
		if got := Logistic(c.z); math.Abs(got-c.want) > 1e-15*math.Max(1, c.want) && !(c.want > 0 && math.Abs(got/c.want-1) < 1e-14) {
			t.Errorf("Logistic(%g) = %g, want %g", c.z, got, c.want)
		}
	}
}

// TestInitScale: the Gaussian law's empirical std matches σ₀ = 1/(c√(3d)),
// the torch-uniform law's range is [−1/(c√d), 1/(c√d)].
func TestInitScale(t *testing.T) {
	a := Arch{D: 256, Dh: 128, Dv: 128}
	for _, law := range []Law{Gaussian, TorchUniform} {
		m, err := NewInit(a, Init{Law: law, Shrink: 16}, 3)
		if err != nil {
			t.Fatal(err)
		}
		ss := 0.0
		mx := 0.0
		for _, w := range m.Wv {
			ss += w * w
			mx = math.Max(mx, math.Abs(w))
		}
		std := math.Sqrt(ss / float64(len(m.Wv)))
		want := 1 / (16 * math.Sqrt(3*256))
		// 32768 draws: relative std error of the sample std ≈ 1/√(2·32768) = 0.4%.
		if math.Abs(std/want-1) > 0.02 {
			t.Errorf("law=%s: std(W_V) = %g, want %g", law, std, want)
		}
		if law == TorchUniform && mx > 1/(16*math.Sqrt(256)) {
			t.Errorf("law=%s: max |W_V| = %g beyond the uniform bound", law, mx)
		}
	}
	if _, err := NewInit(a, Init{Law: "laplace", Shrink: 16}, 1); err == nil {
		t.Error("unknown law accepted")
	}
	if _, err := NewInit(Arch{D: 0, Dh: 1, Dv: 1}, DefaultInit(), 1); err == nil {
		t.Error("D = 0 accepted")
	}
}

// TestSoftmaxLargeScores: scores of ±1000 overflow e^z (e^710 is already
// +Inf in float64), so a softmax without the max subtraction returns NaN
// rows. With it, S is finite, sums to 1 per row and is one-hot to the
// last bit here, and f equals the attended token's value.
func TestSoftmaxLargeScores(t *testing.T) {
	m, _ := New(Arch{D: 2, Dh: 1, Dv: 1})
	// W_Q = (1, 0)ᵀ, W_K = (0, 1)ᵀ: z_lj = x_l0 · x_j1.
	m.JoinQK([]float64{1, 0}, []float64{0, 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 2, 3, 1 // u = (2, 3)
	for _, sign := range []float64{1, -1} {
		// Tokens (±1, 1000) and (±1, −1000): every row scores ±1000 and ∓1000.
		x := []float64{sign, 1000, sign, -1000}
		ws := NewWorkspace(m.Arch, 2, 1)
		f := m.Forward(ws, x, 1)[0]
		check.Finite(t, "S", ws.S[:4])
		for l := 0; l < 2; l++ {
			check.Near(t, "row sum", ws.S[2*l]+ws.S[2*l+1], 1, 0, 0)
		}
		j := 0 // attended token: the one whose score x_l0·x_j1 is +1000
		if sign < 0 {
			j = 1
		}
		want := 2*x[2*j] + 3*x[2*j+1] // v_j = x_jᵀu
		check.Near(t, "f", f, want, 1e-15, 0)
		dx := make([]float64, 4)
		g := NewGrads(m.Arch)
		m.Backward(ws, x, 1, []float64{1}, g, dx)
		check.Finite(t, "∂f/∂X", dx)
		check.Finite(t, "∂f/∂WQK", g.WQK)
	}
}
