package attack_test

import (
	"fmt"
	"math"

	"vitadv/model/attack"
	"vitadv/model/data"
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

// Attack a whole data set: PGD-20 with restarts in the Frobenius ball, plus
// the exact midpoint attack, worst case per point (the evaluation protocol of
// docs/THEORY.md §3.2). The model here is built by hand: attention is
// uniform (W_Q = W_K = 0) and u = W_V w_O = e₁ − e₂ reads the two signals.
func ExampleEvaluate() {
	cfg := data.Config{D: 8, M: 4, N: 2, NTest: 20, MuNorm: 2, Sigma2: 0.5, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, _ := test.Signals()
	m, _ := vit.New(vit.Arch{D: cfg.D, Dh: 2, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 1, -1, 1

	// Every margin is y·f = ‖μ‖/M = 0.5 (the noise is orthogonal to u), and
	// the best ℓ₂ attack removes τ‖u‖/√M = 0.707·τ (docs/THEORY.md §3.3).
	const batch = 10
	for _, tau := range []float64{0.5, 1} {
		pgd, err := attack.NewPGD(attack.EvalConfig(attack.Frobenius, tau, 1), m.Arch, test.M, batch)
		if err != nil {
			fmt.Println(err)
			return
		}
		mid, err := attack.NewMidpoint(sig, test.M, attack.Frobenius, tau)
		if err != nil {
			fmt.Println(err)
			return
		}
		r, err := attack.Evaluate(m, test, batch, pgd, mid)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("τ=%.1f: N=%d clean error %.2f, robust error %.2f, robust loss %.4f ≥ clean loss %.4f, points won by PGD/midpoint %v\n",
			tau, r.N, r.CleanError, r.Error, r.Loss, r.CleanLoss, r.Wins)
	}
	// Output:
	// τ=0.5: N=20 clean error 0.00, robust error 0.00, robust loss 0.6226 ≥ clean loss 0.4741, points won by PGD/midpoint [20 0]
	// τ=1.0: N=20 clean error 0.00, robust error 1.00, robust loss 0.8021 ≥ clean loss 0.4741, points won by PGD/midpoint [20 0]
}

// The perturbation sets of docs/THEORY.md §3.1: Project maps Δ into the
// ball B(τ) of the set, Norm is the set's norm; Δ = (3, 4) per token has
// Frobenius norm √50 and ℓ∞ norm 4.
func ExampleSet_Project() {
	const M, tau = 2, 1.0
	for _, set := range []attack.Set{attack.Frobenius, attack.PerToken, attack.Linf} {
		d := []float64{3, 4, 3, 4}
		n := set.Norm(d, M)
		set.Project(d, M, tau)
		fmt.Printf("%-9s ‖Δ‖ = %.4f → %.4f, Δ = %.4f\n", set, n, set.Norm(d, M), d)
	}
	// Output:
	// frobenius ‖Δ‖ = 7.0711 → 1.0000, Δ = [0.4243 0.5657 0.4243 0.5657]
	// per-token ‖Δ‖ = 5.0000 → 1.0000, Δ = [0.6000 0.8000 0.6000 0.8000]
	// linf      ‖Δ‖ = 4.0000 → 1.0000, Δ = [1.0000 1.0000 1.0000 1.0000]
}

// APGD (Croce & Hein 2020) needs no step size; FMN (Pintor et al. 2021)
// finds a small adversarial Δ and reports its norm, an upper bound of the
// robust radius of each point. On the uniform-attention model both meet
// the closed form: margin ‖μ‖/M − τ‖u‖/√M, radius (‖μ‖/M)·√M/‖u‖.
func ExampleNewAPGD() {
	cfg := data.Config{D: 8, M: 4, N: 2, NTest: 4, MuNorm: 2, Sigma2: 0.5, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := vit.New(vit.Arch{D: cfg.D, Dh: 2, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 1, -1, 1 // u = e₁ − e₂, ‖u‖ = √2
	const tau = 0.5
	ap, err := attack.NewAPGD(attack.EvalAPGD(attack.Frobenius, tau, 1), m.Arch, test.M, test.N)
	if err != nil {
		fmt.Println(err)
		return
	}
	xadv := make([]float64, len(test.X))
	ap.Perturb(m, test.X, test.Y, test.N, xadv)
	fmt.Printf("APGD margins %.4f, closed form %.4f\n", ap.Margins(), 2.0/4-tau*math.Sqrt2/2)

	fmn, err := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 100}, m.Arch, test.M, test.N)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmn.Perturb(m, test.X, test.Y, test.N, xadv)
	fmt.Printf("FMN radii %.4f, closed form %.4f\n", fmn.Radii(), 2.0/4*2/math.Sqrt2)
	// Output:
	// APGD margins [0.1464 0.1464 0.1464 0.1464], closed form 0.1464
	// FMN radii [0.7071 0.7071 0.7071 0.7071], closed form 0.7071
}

// The whole evaluation protocol in one call: PGD with restarts, APGD and
// the exact midpoint and erase attacks, worst case per point; its robust
// error is the lower end (robust_err_lb) of the bracket the certificate
// closes from above.
func ExampleProtocol_RobustEval() {
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
	// W_V is D×D_v row-major: make column 0 read x₁ − x₂ (μ₊ against μ₋).
	m.Wv[0*4+0] += 1 / m.Wo[0]
	m.Wv[1*4+0] -= 1 / m.Wo[0]
	sig := data.SignalsOf(cfg)
	p := attack.DefaultProtocol()
	fmt.Printf("protocol %+v\n", p)
	for _, tau := range []float64{0.1, 0.3, 1} {
		r, err := p.RobustEval(m, test, sig, attack.Frobenius, tau*cfg.Mu(), 1)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("τ = %.1f‖μ‖: clean error %.3f, robust error %.3f, wins (PGD, APGD, midpoint, erase) %v\n", tau, r.CleanError, r.Error, r.Wins)
	}
	// Output:
	// protocol {PGDSteps:20 PGDRestarts:5 APGDSteps:100 Batch:0 Row:false Strong:false NoSignals:false}
	// τ = 0.1‖μ‖: clean error 0.000, robust error 0.000, wins (PGD, APGD, midpoint, erase) [0 40 0 0]
	// τ = 0.3‖μ‖: clean error 0.000, robust error 0.000, wins (PGD, APGD, midpoint, erase) [0 40 0 0]
	// τ = 1.0‖μ‖: clean error 0.000, robust error 1.000, wins (PGD, APGD, midpoint, erase) [0 40 0 0]
}
