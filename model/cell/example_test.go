package cell_test

import (
	"context"
	"fmt"

	"vitadv/model/cell"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// Train one adversarially trained cell and evaluate it: the clean test
// error, and the robust test error bracketed between the attacks (lb) and
// the certificate (ub).
func ExampleTrain() {
	dc := data.Config{D: 16, M: 3, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1, Project: true}
	spec := cell.Spec{
		Data: dc, Arch: vit.Arch{D: 16, Dh: 4, Dv: 4}, Init: vit.DefaultInit(),
		Train: train.Config{Eta: 0.5, MaxSteps: 200, Target: 0.01},
		Tau:   0.2 * dc.Mu(), Seed: 1,
	}
	run, err := cell.Train(context.Background(), spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := run.Evaluate() // the zero Eval protocol is cell.DefaultProtocol
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged %v, clean test error %.2f\n", run.Result.Converged, ev.Record.TestErr)
	fmt.Printf("robust test error in [%.2f, %.2f] at τ = 0.2‖μ‖\n", ev.Robust.Error, ev.Cert.ErrUB)
	// Output:
	// converged true, clean test error 0.00
	// robust test error in [0.00, 0.45] at τ = 0.2‖μ‖
}

// Progress reports and cancellation both come through the context.
func ExampleWithProgress() {
	dc := data.Config{D: 16, M: 3, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1}
	spec := cell.Spec{Data: dc, Arch: vit.Arch{D: 16, Dh: 4, Dv: 4}, Init: vit.DefaultInit(),
		Train: train.Config{Eta: 0.5, MaxSteps: 30}, Seed: 1}
	ctx := cell.WithProgress(context.Background(), func(step int) {
		if step%10 == 0 {
			fmt.Println("step", step)
		}
	})
	run, err := cell.Train(ctx, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("updates:", run.Result.Steps)
	// Output:
	// step 0
	// step 10
	// step 20
	// step 30
	// updates: 30
}
