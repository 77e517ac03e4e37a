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
