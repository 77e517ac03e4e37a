package train_test

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// A short clean training run and a short adversarial one (ℓ₂-PGD-10 inner
// maximization, docs/THEORY.md §3.2) from the same initialization.
func ExampleTrainer_Run() {
	set, test, err := data.Draw(data.Config{D: 16, M: 4, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1, Project: true}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	init, err := vit.NewInit(vit.Arch{D: set.D, Dh: 4, Dv: 4}, vit.DefaultInit(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := train.Config{Eta: 0.5, MaxSteps: 200, Target: 0.05}

	clean, err := train.New(init.Clone(), set, cfg, nil) // trains its model in place
	if err != nil {
		fmt.Println(err)
		return
	}
	res := clean.Run(nil)
	fmt.Printf("clean:       %d steps, converged %v, training loss %.3f\n", res.Steps, res.Converged, res.Loss)

	pgd, err := attack.NewPGD(attack.TrainConfig(0.5), init.Arch, set.M, set.N)
	if err != nil {
		fmt.Println(err)
		return
	}
	robust, err := train.New(init.Clone(), set, cfg, pgd)
	if err != nil {
		fmt.Println(err)
		return
	}
	res = robust.Run(func(step int, loss float64) {
		if step%50 == 0 {
			fmt.Printf("  step %3d: robust training loss %.3f\n", step, loss)
		}
	})
	fmt.Printf("adversarial: %d steps, converged %v, robust training loss %.3f\n", res.Steps, res.Converged, res.Loss)

	ev := train.Evaluate(robust.Model, vit.NewWorkspace(init.Arch, test.M, test.N), test, nil, nil)
	fmt.Printf("clean test error of the adversarially trained model %.2f\n", ev.Err)
	// Output:
	// clean:       33 steps, converged true, training loss 0.046
	//   step   0: robust training loss 0.701
	//   step  50: robust training loss 0.051
	// adversarial: 51 steps, converged true, robust training loss 0.050
	// clean test error of the adversarially trained model 0.00
}

// Evaluate measures a model on a set: clean loss and 0-1 error, and with an
// attacker the robust ones (worst over the attacker's output and the clean
// input). A nil attacker leaves the robust fields NaN.
func ExampleEvaluate() {
	_, test, err := data.Draw(data.Config{D: 16, M: 4, N: 2, NTest: 40, MuNorm: 3, Sigma2: 1, SigmaW: 0.1, Project: true}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := vit.New(vit.Arch{D: test.D, Dh: 2, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 1, -1, 1 // uniform attention, u = e₁ − e₂: every margin is ‖μ‖/M = 0.75
	ws := vit.NewWorkspace(m.Arch, test.M, test.N)
	ev := train.Evaluate(m, ws, test, nil, nil)
	fmt.Printf("clean:  loss %.4f, error %.3f, robust loss %v\n", ev.Loss, ev.Err, ev.RobustLoss)
	for _, tau := range []float64{0.5, 1.5} { // the margin falls by τ‖u‖/√M = 0.707·τ
		pgd, err := attack.NewPGD(attack.EvalConfig(attack.Frobenius, tau, 1), m.Arch, test.M, test.N)
		if err != nil {
			fmt.Println(err)
			return
		}
		ev = train.Evaluate(m, ws, test, pgd, make([]float64, len(test.X)))
		fmt.Printf("τ = %.1f: robust loss %.4f, robust error %.3f\n", tau, ev.RobustLoss, ev.RobustErr)
	}
	// Output:
	// clean:  loss 0.3869, error 0.000, robust loss NaN
	// τ = 0.5: robust loss 0.5144, robust error 0.000
	// τ = 1.5: robust loss 0.8605, robust error 1.000
}

// A Prober records what the theory tracks at a step: losses and errors,
// the attention on the signal token (a₁) and on the strong-noise token
// (a₂), the value coefficients γ± and the noise memorization ρ.
func ExampleProber_Record() {
	set, test, err := data.Draw(data.Config{D: 32, M: 4, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1, Project: true}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := vit.NewInit(vit.Arch{D: set.D, Dh: 8, Dv: 8}, vit.DefaultInit(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := set.Signals() // μ₊, μ₋ from the set's recorded ‖μ‖
	if err != nil {
		fmt.Println(err)
		return
	}
	p := train.NewProber(m.Arch, set, test, sig, nil) // nil: no robust fields
	tr, err := train.New(m, set, train.Config{Eta: 0.5, MaxSteps: 100}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, steps := range []int{0, 100} {
		for tr.Steps() < steps {
			tr.Step()
		}
		r := p.Record(m, tr.Steps())
		fmt.Printf("step %3d: train loss %.3f, test error %.2f, a₁ %.3f, a₂ %.3f, γ₊ %.3f, median ρ %.3f\n",
			r.Step, r.TrainLoss, r.TestErr, r.A1, r.A2, r.GammaPlus, r.RhoMedian)
	}
	// Output:
	// step   0: train loss 0.691, test error 0.65, a₁ 0.250, a₂ 0.250, γ₊ 0.023, median ρ 0.004
	// step 100: train loss 0.009, test error 0.00, a₁ 0.443, a₂ 0.184, γ₊ 7.469, median ρ 1.958
}

// Bad optimizer settings are a *valid.Error from New naming the field,
// before anything is trained.
func ExampleConfig_Validate() {
	fmt.Printf("the scripts' settings: %+v, valid: %v\n", train.Script(), train.Script().Validate() == nil)
	fmt.Println(train.Config{Eta: 0, MaxSteps: 10}.Validate())
	fmt.Println(train.Config{Eta: 0.1, MaxSteps: 0}.Validate())
	// Output:
	// the scripts' settings: {Eta:0.1 MaxSteps:1000 Target:0.01}, valid: true
	// invalid Eta = 0: must be finite and > 0
	// invalid MaxSteps = 0: must be >= 1
}
