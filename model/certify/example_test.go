package certify_test

import (
	"fmt"
	"math"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// handModel is the uniform-attention model of docs/THEORY.md §3.3 with
// u = W_V w_O = e₁ − e₂, on which the worst margin has a closed form.
func handModel(d int) *vit.Model {
	m, _ := vit.New(vit.Arch{D: d, Dh: 2, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 1, -1, 1
	return m
}

// Margin is a certified lower bound of the worst margin over the ball: no
// Δ with ‖Δ‖ ≤ τ can push y·f(X+Δ) below it. On the uniform-attention
// model the exact worst margin is y·f(X) − τ‖u‖/√M and the bound meets it
// up to outward rounding.
func ExampleCertifier_Margin() {
	cfg := data.Config{D: 8, M: 4, N: 2, NTest: 2, MuNorm: 2, Sigma2: 0.5, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := handModel(cfg.D)
	c, err := certify.New(m, cfg.M)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := test.Sample(0), test.Y[0]
	for _, tau := range []float64{0, 0.2, 0.5} {
		exact := attack.LinearWorstMargin(m, x, y, attack.Frobenius, tau)
		fmt.Printf("τ = %.1f: certified %.6f ≤ exact worst margin %.6f\n", tau, c.Margin(x, y, attack.Frobenius, tau), exact)
	}
	// Output:
	// τ = 0.0: certified 0.500000 ≤ exact worst margin 0.500000
	// τ = 0.2: certified 0.358579 ≤ exact worst margin 0.358579
	// τ = 0.5: certified 0.146447 ≤ exact worst margin 0.146447
}

// Radius bisects for the largest certified budget; an attack's radius
// (FMN) bounds the true one from above, so the two bracket it. Here the
// closed form is (‖μ‖/M)·√M/‖u‖ = 0.5·2/√2 ≈ 0.7071.
func ExampleCertifier_Radius() {
	cfg := data.Config{D: 8, M: 4, N: 2, NTest: 2, MuNorm: 2, Sigma2: 0.5, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := certify.New(handModel(cfg.D), cfg.M)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := c.Radius(test.Sample(0), test.Y[0], attack.Frobenius, 2, 30)
	fmt.Printf("certified radius %.6f, closed form %.6f\n", r, 0.5*2/math.Sqrt2)
	// Output:
	// certified radius 0.707107, closed form 0.707107
}

// Evaluate certifies a whole set: ErrUB = 1 − certified/N bounds the
// robust 0-1 error from above, the attacks' robust error bounds it from
// below; together they are the robust-error bracket of the results files
// (robust_err_lb, robust_err_ub).
func ExampleCertifier_Evaluate() {
	cfg := data.Config{D: 16, M: 4, N: 2, NTest: 40, MuNorm: 3, Sigma2: 1, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := vit.NewInit(vit.Arch{D: cfg.D, Dh: 4, Dv: 4}, vit.DefaultInit(), 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Wv[0*4+0] += 1 / m.Wo[0] // column 0 of W_V reads x₁ − x₂
	m.Wv[1*4+0] -= 1 / m.Wo[0]
	c, err := certify.New(m, cfg.M)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tau := range []float64{0.1, 0.3, 0.5} {
		res, err := c.Evaluate(test, attack.Frobenius, tau*cfg.Mu())
		if err != nil {
			fmt.Println(err)
			return
		}
		rob, err := attack.RobustEval(m, test, data.SignalsOf(cfg), attack.Frobenius, tau*cfg.Mu(), 1)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("τ = %.1f‖μ‖: %d of %d certified; robust error in [%.3f, %.3f]\n", tau, res.Certified, res.N, rob.Error, res.ErrUB)
	}
	_, err = c.Evaluate(test, attack.Frobenius, -1)
	fmt.Println(err)
	// Output:
	// τ = 0.1‖μ‖: 40 of 40 certified; robust error in [0.000, 0.000]
	// τ = 0.3‖μ‖: 40 of 40 certified; robust error in [0.000, 0.000]
	// τ = 0.5‖μ‖: 0 of 40 certified; robust error in [1.000, 1.000]
	// invalid Tau = -1: must be finite and >= 0
}
