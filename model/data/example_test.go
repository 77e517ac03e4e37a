package data_test

import (
	"fmt"

	"vitadv/model/data"
)

// Draw a balanced training and test set and read one token. Sample n is the
// M×D row-major block X[n·M·D : (n+1)·M·D]; coordinate k of token l of
// sample n is X[(n·M+l)·D+k]. Token 0 carries the class signal μ_y.
func ExampleDraw() {
	cfg := data.Config{D: 4, M: 3, N: 4, NTest: 2, MuNorm: 2, Sigma2: 1, SigmaW: 0.1, Project: true}
	train, test, err := data.Draw(cfg, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("train: N=%d M=%d D=%d, len(X)=%d (N·M·D), labels %v\n", train.N, train.M, train.D, len(train.X), train.Y)
	fmt.Printf("test:  N=%d, labels %v\n", test.N, test.Y)
	x := train.Sample(1) // sample 1, an M×D view into train.X
	fmt.Println("signal token of sample 1:", x[0:cfg.D])
	fmt.Println("same entry via X:", train.X[(1*cfg.M+0)*cfg.D+1])
	// Output:
	// train: N=4 M=3 D=4, len(X)=48 (N·M·D), labels [1 -1 1 -1]
	// test:  N=2, labels [1 -1]
	// signal token of sample 1: [0 2 0 0]
	// same entry via X: 2
}

// A drawn set records ‖μ‖, so its class signals μ₊ = ‖μ‖e₁, μ₋ = ‖μ‖e₂ can
// be rebuilt from the set alone (also after store.SaveSet / store.LoadSet).
func ExampleSet_Signals() {
	train, _, err := data.Draw(data.Config{D: 3, M: 2, N: 2, NTest: 2, MuNorm: 1.5, Sigma2: 1, SigmaW: 0.1}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := train.Signals()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("μ₊ =", sig.Plus, "μ₋ =", sig.Minus, "μ_{-1} =", sig.For(-1))

	var handMade data.Set // no recorded ‖μ‖
	_, err = handMade.Signals()
	fmt.Println(err != nil)
	// Output:
	// μ₊ = [1.5 0 0] μ₋ = [0 1.5 0] μ_{-1} = [0 1.5 0]
	// true
}
