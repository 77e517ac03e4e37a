package vit

import (
	"math"

	"vitadv/model/linalg"
)

// Workspace holds every intermediate of a forward and backward pass over a
// batch of up to Cap samples of M tokens. It is allocated once and reused, so
// that passes allocate nothing. A Workspace is not safe for concurrent use.
//
// After Forward(ws, x, n) the first n samples' entries are valid:
type Workspace struct {
	Cap, M int
	Arch   Arch

	QK []float64 // (n·M) × 2Dh, row t = n·M+l holds [q_l | k_l] of sample n
	U  []float64 // D: u = W_V w_O
	V  []float64 // n·M: v_{n,j} = x_{n,j}ᵀ u
	S  []float64 // n·M·M: S_{n,l,j}, row-softmax of the scores
	A  []float64 // n·M: a_{n,j} = (1/M) Σ_l S_{n,l,j}
	F  []float64 // n: f(X_n)

	// Backward scratch.
	GQK   []float64 // (n·M) × 2Dh: [Ĝ_n K_n | Ĝ_nᵀ Q_n]
	G     []float64 // M·M: Ĝ of the current sample
	Alpha []float64 // n·M: coef_n · a_{n,j}
	R     []float64 // D: Xᵀα
	Coef  []float64 // n: ∂L/∂f_n
	Loss  []float64 // n: per-sample losses from the last loss call

	// Between Freeze(m) and Thaw: W_QK of frozen packed once, as op(B) of
	// the forward product X·W_QK and of the input gradient's G_QK·W_QKᵀ.
	frozen     *Model
	wqkN, wqkT linalg.PackedB
}

// Freeze packs m's W_QK into ws once for the passes that follow: until
// Thaw, Forward and the input gradient of Backward on m read the packed
// panels instead of packing W_QK in every product (PGD-10 at the paper's
// size packs it 20 times per attack otherwise). The results are
// bit-identical (linalg.GemmPackedB). The caller must not change m's
// weights before Thaw; attack.PGD freezes for the duration of one Perturb,
// in which only the input moves.
func (ws *Workspace) Freeze(m *Model) {
	dh2 := 2 * m.Dh
	ws.wqkN.Pack(false, m.D, dh2, m.WQK, dh2) // op(B) = W_QK, D × 2Dh
	ws.wqkT.Pack(true, dh2, m.D, m.WQK, dh2)  // op(B) = W_QKᵀ, 2Dh × D
	ws.frozen = m
}

// Thaw ends Freeze: passes pack W_QK in every product again.
func (ws *Workspace) Thaw() { ws.frozen = nil }

// NewWorkspace returns a workspace for batches of at most capacity samples
// of m tokens under architecture a. It panics if capacity < 1 or m < 1.
func NewWorkspace(a Arch, m, capacity int) *Workspace {
	if capacity < 1 || m < 1 {
		panic("vit: NewWorkspace: capacity and m must be >= 1")
	}
	t := capacity * m
	return &Workspace{
		Cap: capacity, M: m, Arch: a,
		QK: make([]float64, t*2*a.Dh), U: make([]float64, a.D), V: make([]float64, t),
		S: make([]float64, t*m), A: make([]float64, t), F: make([]float64, capacity),
		GQK: make([]float64, t*2*a.Dh), G: make([]float64, m*m), Alpha: make([]float64, t),
		R: make([]float64, a.D), Coef: make([]float64, capacity), Loss: make([]float64, capacity),
	}
}

func (m *Model) check(ws *Workspace, x []float64, n int) {
	if ws.Arch.D != m.D || ws.Arch.Dh != m.Dh || ws.Arch.Dv != m.Dv {
		panic("vit: workspace built for another architecture")
	}
	if n < 1 || n > ws.Cap {
		panic("vit: batch size out of workspace range")
	}
	if len(x) < n*ws.M*m.D {
		panic("vit: input shorter than n·M·D")
	}
}

// Forward computes f(X_n) for the n samples stacked in x (n·M·D, row-major)
// and returns ws.F[:n], a view into the workspace that the next pass
// overwrites (copy it to keep it). All attention quantities are left in ws.
func (m *Model) Forward(ws *Workspace, x []float64, n int) []float64 {
	m.check(ws, x, n)
	M, D, dh2 := ws.M, m.D, 2*m.Dh
	t := n * M
	x = x[:t*D]
	m.ValueVector(ws.U)
	if ws.frozen == m {
		linalg.GemmPackedB(false, t, 1, x, D, &ws.wqkN, 0, ws.QK[:t*dh2], dh2)
	} else {
		linalg.Gemm(false, false, t, dh2, D, 1, x, D, m.WQK, dh2, 0, ws.QK[:t*dh2], dh2)
	}
	linalg.DotRows(ws.V[:t], ws.U, x, D) // v_r = x_rᵀ u
	scale := m.Scale()
	invM := 1 / float64(M)
	for s := 0; s < n; s++ {
		qk := ws.QK[s*M*dh2 : (s+1)*M*dh2]
		S := ws.S[s*M*M : (s+1)*M*M]
		a := ws.A[s*M : (s+1)*M]
		for j := range a {
			a[j] = 0
		}
		for l := 0; l < M; l++ {
			q := qk[l*dh2 : l*dh2+m.Dh]
			row := S[l*M : (l+1)*M]
			linalg.DotRows(row, q, qk[m.Dh:], dh2) // q_lᵀ k_j for every j
			mx := math.Inf(-1)
			for j := range row {
				z := scale * row[j]
				row[j] = z
				if z > mx {
					mx = z
				}
			}
			for j, z := range row {
				row[j] = z - mx
			}
		}
		linalg.ExpTo(S, S) // the M² exponentials of the sample at once (vector assembly where the CPU has it; the same bits as linalg.Exp)
		for l := 0; l < M; l++ {
			row := S[l*M : (l+1)*M]
			sum := 0.0
			for _, e := range row {
				sum += e
			}
			inv := 1 / sum
			for j := range row {
				row[j] *= inv
				a[j] += float64(row[j] * invM)
			}
		}
		ws.F[s] = dot(a, ws.V[s*M:(s+1)*M])
	}
	return ws.F[:n]
}

// Backward propagates coef (coef[i] = ∂L/∂f(X_i), length ≥ n) through the
// last Forward on the same x and n. If g is non-nil it receives
// Σ_i coef_i ∂f_i/∂θ (overwritten; g.Wo only when TrainWo, else zero). If dx
// is non-nil (length ≥ n·M·D) it receives coef_i ∂f_i/∂X_i for every i:
//
//	G_lj     = (s/M) S_lj (v_j − v̄_l)                    (M×M, v̄_l = Σ_k S_lk v_k)
//	         = (s/M) S_lj [δ_j − Σ_k S_lk δ_k],  δ_k = v_k − v_{j*},  j* = argmax_j S_lj
//	∂f/∂W_Q  = Xᵀ G K,   ∂f/∂W_K = Xᵀ Gᵀ Q,   ∂f/∂W_V = Xᵀ a w_Oᵀ,   ∂f/∂w_O = W_Vᵀ Xᵀ a
//	∂f/∂X    = a uᵀ + G K W_Qᵀ + Gᵀ Q W_Kᵀ
//
// Reference: docs/THEORY.md §2.4. G is evaluated in the second,
// cancellation-free form (the two are equal since Σ_k S_lk = 1): the δ_k are
// formed first, and δ_{j*} = 0 exactly. The first form cancels
// catastrophically when row l is nearly one-hot: v̄_l ≈ v_{j*} to within
// e^{−spread}, so G_{l j*} = S_{l j*}(v_{j*} − v̄_l) keeps an absolute error
// u·|v| against a value of order e^{−spread}·|v|, and ∂f/∂W_Q, ∂f/∂W_K and
// the rows of ∂f/∂X of unattended tokens are lost (u = 2⁻⁵³).
//
// Accuracy, measured against the 1536-bit reference of package vitref
// (highprec_test.go): every block B of the result (f, ∂f/∂W_Q, ∂f/∂W_K,
// ∂f/∂W_V, ∂f/∂w_O, ∂f/∂X and each token row of ∂f/∂X) satisfies
//
//	‖B̂ − B‖∞ ≤ 16·u·(1 + max_lj |z_lj|) · max(‖B‖∞, ‖B̃‖∞),
//
// with z the attention scores and B̃ the same expression with every factor
// replaced by the sum of the absolute values of its terms (no cancellation;
// B̃ is as small as B on a near one-hot row). The u·max|z| term is the
// conditioning of softmax: a score rounded to u·|z| moves e^z by that
// relative amount. It holds while the results stay in the normal range
// (score spreads up to about 700 with O(1) factors). On near one-hot
// instances (spreads 30, 100, 700, score offsets up to 2000, M = 1, 2, 4)
// the largest measured error is 0.23 of this bound. There the first form's
// relative errors in ∂f/∂W_Q, ∂f/∂W_K and per-token ∂f/∂X reached 9e-4
// (spread 30) and 0.34 (spreads 100, 700); this form's are ≤ 8e-14.
func (m *Model) Backward(ws *Workspace, x []float64, n int, coef []float64, g *Grads, dx []float64) {
	m.check(ws, x, n)
	M, D, dh, dh2 := ws.M, m.D, m.Dh, 2*m.Dh
	t := n * M
	x = x[:t*D]
	c := m.Scale() / float64(M)
	for s := 0; s < n; s++ {
		qk := ws.QK[s*M*dh2 : (s+1)*M*dh2]
		gqk := ws.GQK[s*M*dh2 : (s+1)*M*dh2]
		S := ws.S[s*M*M : (s+1)*M*M]
		v := ws.V[s*M : (s+1)*M]
		cs := coef[s] * c
		for l := 0; l < M; l++ {
			row := S[l*M : (l+1)*M]
			grow := ws.G[l*M : (l+1)*M]
			js := 0 // j* = argmax_j S_lj (the first, on ties)
			for j, p := range row {
				if p > row[js] {
					js = j
				}
			}
			for j := range grow {
				grow[j] = v[j] - v[js] // δ_j = v_j − v_{j*}: exact to one rounding
			}
			sl := dot(row, grow) // Σ_k S_lk δ_k = v̄_l − v_{j*}, no large cancellation
			for j, p := range row {
				grow[j] = cs * p * (grow[j] - sl)
			}
		}
		for i := range gqk {
			gqk[i] = 0
		}
		for l := 0; l < M; l++ {
			gk := gqk[l*dh2 : l*dh2+dh]                             // row l of Ĝ K
			gq := gqk[l*dh2+dh : (l+1)*dh2]                         // row l of Ĝᵀ Q
			linalg.AxpyRows(gk, ws.G[l*M:(l+1)*M], 1, qk[dh:], dh2) // Σ_j Ĝ_lj k_j
			linalg.AxpyRows(gq, ws.G[l:], M, qk, dh2)               // Σ_j Ĝ_jl q_j
		}
		for j := 0; j < M; j++ {
			ws.Alpha[s*M+j] = coef[s] * ws.A[s*M+j]
		}
	}
	gqk := ws.GQK[:t*dh2]
	if g != nil {
		linalg.Gemm(true, false, D, dh2, t, 1, x, D, gqk, dh2, 0, g.WQK, dh2)
		r := ws.R
		for k := range r {
			r[k] = 0
		}
		linalg.AxpyRows(r, ws.Alpha[:t], 1, x, D) // r = Xᵀα
		for k := 0; k < D; k++ {
			row := g.Wv[k*m.Dv : (k+1)*m.Dv]
			for j := range row {
				row[j] = r[k] * m.Wo[j]
			}
		}
		for j := range g.Wo {
			g.Wo[j] = 0
		}
		if m.TrainWo {
			for k := 0; k < D; k++ {
				axpyK(g.Wo, r[k], m.Wv[k*m.Dv:(k+1)*m.Dv])
			}
		}
	}
	if dx != nil {
		dx = dx[:t*D]
		for i := 0; i < t; i++ { // row i = α_i uᵀ
			row := dx[i*D : (i+1)*D]
			copy(row, ws.U)
			linalg.Scal(row, ws.Alpha[i])
		}
		if ws.frozen == m {
			linalg.GemmPackedB(false, t, 1, gqk, dh2, &ws.wqkT, 1, dx, D)
		} else {
			linalg.Gemm(false, true, t, D, dh2, 1, gqk, dh2, m.WQK, dh2, 1, dx, D)
		}
	}
}

// Logistic returns ℓ(z) = log(1 + e^{−z}), computed without overflow for
// any finite z (ℓ(z) ≈ −z for z ≪ 0, ≈ e^{−z} for z ≫ 0).
func Logistic(z float64) float64 {
	if z > 0 {
		return math.Log1p(linalg.Exp(-z))
	}
	return -z + math.Log1p(linalg.Exp(z))
}

// LogisticDeriv returns ℓ'(z) = −1/(1 + e^{z}) = −σ(−z), in [−1, 0].
func LogisticDeriv(z float64) float64 {
	if z > 0 {
		e := linalg.Exp(-z)
		return -e / (1 + e)
	}
	return -1 / (1 + linalg.Exp(z))
}

// Loss runs Forward and returns the mean logistic loss (1/n) Σ ℓ(y_i f_i);
// per-sample losses are left in ws.Loss[:n] and f in ws.F[:n] (until the
// next pass on ws).
func (m *Model) Loss(ws *Workspace, x, y []float64, n int) float64 {
	f := m.Forward(ws, x, n)
	sum := 0.0
	for i, fi := range f {
		ws.Loss[i] = Logistic(y[i] * fi)
		sum += ws.Loss[i]
	}
	return sum / float64(n)
}

// LossGrad returns the mean logistic loss and writes its gradient with
// respect to the parameters into g.
func (m *Model) LossGrad(ws *Workspace, x, y []float64, n int, g *Grads) float64 {
	loss := m.Loss(ws, x, y, n)
	for i := 0; i < n; i++ {
		ws.Coef[i] = y[i] * LogisticDeriv(y[i]*ws.F[i]) / float64(n)
	}
	m.Backward(ws, x, n, ws.Coef, g, nil)
	return loss
}

// InputGrad writes ∂ℓ(y_i f(X_i))/∂X_i for every sample i into dx (the
// gradient of each sample's own loss, not of the mean; dx has x's layout)
// and returns the per-sample losses ws.Loss[:n], a view into the workspace
// that the next pass overwrites.
func (m *Model) InputGrad(ws *Workspace, x, y []float64, n int, dx []float64) []float64 {
	m.Loss(ws, x, y, n)
	for i := 0; i < n; i++ {
		ws.Coef[i] = y[i] * LogisticDeriv(y[i]*ws.F[i])
	}
	m.Backward(ws, x, n, ws.Coef, nil, dx)
	return ws.Loss[:n]
}

// dot and axpyK are the kernels' vector loops, through linalg (SIMD under
// GOEXPERIMENT=simd).
func dot(a, b []float64) float64 { return linalg.Dot(a, b) }

func axpyK(dst []float64, a float64, x []float64) { linalg.Axpy(dst, a, x) }
