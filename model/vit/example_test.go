package vit_test

import (
	"fmt"

	"vitadv/model/data"
	"vitadv/model/vit"
)

// Build a model, run it on a batch and take the gradients. Inputs are flat
// row-major slices: the n samples of M tokens of dimension D are stacked
// as n·M rows of D, so coordinate k of token l of sample i is
// x[(i·M+l)·D+k]; data.Set.X has exactly this layout.
func Example() {
	set, _, err := data.Draw(data.Config{D: 8, M: 4, N: 6, NTest: 2, MuNorm: 3, Sigma2: 1, SigmaW: 0.1}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := vit.NewInit(vit.Arch{D: set.D, Dh: 4, Dv: 4}, vit.DefaultInit(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	// One workspace per (architecture, M, largest batch); reuse it.
	ws := vit.NewWorkspace(m.Arch, set.M, set.N)

	f := m.Forward(ws, set.X, set.N) // aliases ws.F: copy it to keep it past the next pass
	fmt.Printf("f has %d entries, f[0] = %.4f\n", len(f), f[0])
	fmt.Printf("attention of sample 0 (a_j, sums to 1): %.3f\n", ws.A[:set.M])

	g := vit.NewGrads(m.Arch) // ∇_θ of the mean logistic loss
	loss := m.LossGrad(ws, set.X, set.Y, set.N, g)
	fmt.Printf("loss %.4f, ∂L/∂WQK has %d = D·2Dh entries\n", loss, len(g.WQK))

	dx := make([]float64, len(set.X)) // ∂ℓ(y_i f(X_i))/∂X_i, same layout as X
	m.InputGrad(ws, set.X, set.Y, set.N, dx)
	fmt.Printf("input gradient: %d = N·M·D entries\n", len(dx))

	m.Step(g, 0.1) // θ ← θ − 0.1·∇L
	fmt.Printf("loss after one step %.4f\n", m.Loss(ws, set.X, set.Y, set.N))
	// Output:
	// f has 6 entries, f[0] = 0.0035
	// attention of sample 0 (a_j, sums to 1): [0.250 0.250 0.250 0.250]
	// loss 0.6900, ∂L/∂WQK has 64 = D·2Dh entries
	// input gradient: 192 = N·M·D entries
	// loss after one step 0.6881
}

// The initialization law: W_Q, W_K, W_V ~ N(0, σ₀²) with σ₀ from Init (the
// scripts' shrink factor c), w_O fixed; the same seed gives the same
// weights, and an invalid architecture is a *valid.Error, not a panic.
func ExampleNewInit() {
	a := vit.Arch{D: 64, Dh: 8, Dv: 8}
	in := vit.DefaultInit()
	m1, err := vit.NewInit(a, in, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	m2, _ := vit.NewInit(a, in, 3)
	fmt.Printf("law %s, shrink %g, σ₀ = %.4f at d = %d\n", in.Law, in.Shrink, in.Sigma0(a.D), a.D)
	fmt.Println("same seed, same weights:", m1.WQK[5] == m2.WQK[5] && m1.Wv[7] == m2.Wv[7])
	fmt.Printf("%d query/key, %d value, %d output weights\n", len(m1.WQK), len(m1.Wv), len(m1.Wo))
	_, err = vit.New(vit.Arch{D: 64, Dh: 0, Dv: 8})
	fmt.Println(err)
	// Output:
	// law gaussian, shrink 16, σ₀ = 0.0045 at d = 64
	// same seed, same weights: true
	// 1024 query/key, 512 value, 8 output weights
	// invalid Dh = 0: must be >= 1
}

// With W_Q = W_K = 0 the attention is exactly uniform and the model is
// linear in X: f(X) = (1/M) Σ_l x_lᵀu with u = W_V w_O (ValueVector), the
// linear-collapse regime of docs/THEORY.md §3.3.
func ExampleModel_ValueVector() {
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1
	u := m.ValueVector(make([]float64, m.D)) // dst of length D
	x := []float64{1, 0, 0, 1}               // M = 2 tokens (1, 0), (0, 1)
	ws := vit.NewWorkspace(m.Arch, 2, 1)
	f := m.Forward(ws, x, 1)[0]
	fmt.Println("u =", u, "f(X) =", f, "= (3 + 4)/2")
	m.JoinQK([]float64{1, 0}, []float64{0, 1}) // W_Q = e₁, W_K = e₂: token 2 scores higher
	f = m.Forward(ws, x, 1)[0]
	fmt.Printf("attention %.4f, f(X) = %.4f\n", ws.A[:2], f)
	// Output:
	// u = [3 4] f(X) = 3.5 = (3 + 4)/2
	// attention [0.3845 0.6155], f(X) = 3.6155
}
