package theorems_test

import (
	"errors"
	"fmt"
	"math"

	"vitadv/model/attack"
	"vitadv/model/data"
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

// A decision on a bracket [lb, ub] of a measured quantity (the robust
// error between attack and certificate): certified when the whole bracket
// satisfies the rule, refuted when none of it does, undecided otherwise.
func ExampleDecideAtMost() {
	const max = 0.1 // rule: robust error ≤ 0.1
	for _, b := range [][2]float64{{0.02, 0.08}, {0.05, 0.4}, {0.2, 0.3}} {
		fmt.Printf("[%.2f, %.2f] ≤ %.1f: %s (%s)\n", b[0], b[1], max, theorems.DecideAtMost(b[0], b[1], max), theorems.StatusOf(theorems.DecideAtMost(b[0], b[1], max)))
	}
	// Output:
	// [0.02, 0.08] ≤ 0.1: certified (reproduced)
	// [0.05, 0.40] ≤ 0.1: undecided (bracket) (inconclusive)
	// [0.20, 0.30] ≤ 0.1: refuted (witness) (not reproduced)
}

// CrossingTau is where a curve first falls through a level, linearly
// interpolated between grid points (+Inf if it never does); P7 reads the
// attention collapse τ* from it.
func ExampleCrossingTau() {
	taus := []float64{0, 0.1, 0.2, 0.3}
	a1 := []float64{0.9, 0.7, 0.5, 0.3}
	fmt.Printf("crosses 0.6 at τ = %.3f\n", theorems.CrossingTau(taus, a1, 0.6))
	fmt.Println("never below 0.1:", theorems.CrossingTau(taus, a1, 0.1))
	// Output:
	// crosses 0.6 at τ = 0.150
	// never below 0.1: +Inf
}

// Every estimate is reported with a 95% percentile bootstrap interval and
// its bookkeeping, from an explicit seed (the same seed, the same
// interval).
func ExampleBootstrapMean() {
	v := []float64{1.9, 2.1, 2.0, 2.4, 1.8, 2.2, 2.0, 1.7}
	ci, err := theorems.BootstrapMean(v, 1000, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("95%% interval %s from %d of %d resamples; contains 2.5: %s\n",
		theorems.FormatInterval(ci.Lo, ci.Hi), ci.Kept, ci.B, theorems.ContainsWord(ci.Lo, ci.Hi, 2.5))
	// Output:
	// 95% interval [1.87, 2.15] from 1000 of 1000 resamples; contains 2.5: no
}

// The paper leaves its constants O(1); here they are parameters with
// defaults, validated like any user input (a bad value is a *valid.Error
// naming its JSON field).
func ExampleDefaults() {
	k := theorems.Defaults()
	fmt.Printf("Cb = %g, Ch = %g, C1 = %g, C1Hi = %g, C2 = %g, LossCut = %g\n", k.Cb, k.Ch, k.C1, k.C1Hi, k.C2, k.LossCut)
	fmt.Println("valid:", k.Validate() == nil)
	k.C1 = -1
	fmt.Println(k.Validate())
	// Output:
	// Cb = 7.5, Ch = 0.83, C1 = 0.5, C1Hi = 2, C2 = 0.6, LossCut = 0.2
	// valid: true
	// invalid c1 = -1: must be > 0
}

// P8 (THEORY §3.4): at τ ≥ ‖μ‖/√2 the exact midpoint attack moves token 1
// to (μ₊ + μ₋)/2, after which no classifier beats a coin: on the paired
// test set the robust error is at least 1/2 for every model. Below the
// budget the statement does not apply: a *HypothesisError, not a verdict.
func ExampleMidpointFloor() {
	cfg := data.Config{D: 16, M: 4, N: 2, NTest: 40, MuNorm: 2, Sigma2: 1, SigmaW: 0.1, Project: true}
	_, test, err := data.Draw(cfg, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := vit.NewInit(vit.Arch{D: cfg.D, Dh: 4, Dv: 4}, vit.DefaultInit(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig := data.SignalsOf(cfg)
	k := theorems.Defaults()
	v, err := theorems.MidpointFloor(m, test, sig, attack.Frobenius, cfg.Mu()/math.Sqrt2, k)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Statement, "holds:", v.Holds())
	fmt.Printf("floor on %d i.i.d. points: %.4f\n", test.N, theorems.P8Floor(test.N, k))
	_, err = theorems.MidpointFloor(m, test, sig, attack.Frobenius, 0.5*cfg.Mu(), k)
	var h *theorems.HypothesisError
	fmt.Println("τ = ‖μ‖/2:", errors.As(err, &h))
	// Output:
	// P8 MidpointFloor holds: true
	// floor on 40 i.i.d. points: 0.1838
	// τ = ‖μ‖/2: true
}
