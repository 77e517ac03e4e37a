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
