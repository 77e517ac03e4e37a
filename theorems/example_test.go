package theorems_test

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/vit"
	"vitadv/theorems"
)

// Evaluate one statement on one instance: P10, the closed-form worst margin
// of the uniform-attention ("linear collapse") model (docs/THEORY.md §3.3).
// The verdict is the conjunction of its bounds, each with both sides.
func ExampleLinearCollapseMargin() {
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1}) // W_Q = W_K = 0: uniform attention
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1           // u = (3, 4), ‖u‖ = 5
	x := []float64{1, 0, 0, 1}                    // M = 2 tokens
	const y, tau = 1.0, 0.5

	v, err := theorems.LinearCollapseMargin(m, x, y, nil, attack.Frobenius, tau, theorems.Defaults())
	if err != nil { // a *theorems.HypothesisError: the claim does not apply
		fmt.Println(err)
		return
	}
	fmt.Println(v.Statement, "holds:", v.Holds())
	b, _ := v.Bound("y f(X+Δ*) ≤ m*")
	fmt.Printf("%s: %.6f ≤ %.6f\n", b.Name, b.LHS, b.RHS)

	m.JoinQK([]float64{1, 0}, []float64{0, 1}) // attention no longer uniform
	_, err = theorems.LinearCollapseMargin(m, x, y, nil, attack.Frobenius, tau, theorems.Defaults())
	fmt.Println("hypothesis error:", err != nil)
	// Output:
	// P10 LinearCollapseMargin holds: true
	// y f(X+Δ*) ≤ m* (attained): 1.732233 ≤ 1.732233
	// hypothesis error: true
}
