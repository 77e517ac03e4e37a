package attack_test

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

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
