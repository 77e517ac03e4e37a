package attack_test

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/vit"
)

// PGD-20 on a model with W_Q = W_K = 0 (exactly uniform attention) reaches
// the closed-form worst margin y·f_lin(X) − τ‖u‖/√M of docs/THEORY.md §3.3.
func ExamplePGD() {
	const M, tau = 2, 0.5
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1 // u = W_V w_O = (3, 4), ‖u‖ = 5
	x := []float64{1, 0, 0, 1}          // tokens (1, 0) and (0, 1): f = (3 + 4)/2
	y := []float64{1}

	p, err := attack.NewPGD(attack.Config{Set: attack.Frobenius, Tau: tau, Steps: 20}, m.Arch, M, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	xadv := make([]float64, len(x))
	p.Perturb(m, x, y, 1, xadv)
	res := p.Result()
	fmt.Printf("clean margin %.6f\n", y[0]*attack.LinearOutput(m, x))
	fmt.Printf("PGD-20 margin %.6f\n", res.Margin[0])
	fmt.Printf("closed form  %.6f\n", attack.LinearWorstMargin(m, x, y[0], attack.Frobenius, tau))
	fmt.Printf("steps %d, gradient evaluations %d\n", res.Stats.Steps, res.Stats.GradEvals)
	// Output:
	// clean margin 3.500000
	// PGD-20 margin 1.732233
	// closed form  1.732233
	// steps 20, gradient evaluations 20
}
