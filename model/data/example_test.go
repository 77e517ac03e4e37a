package data_test

import (
	"errors"
	"fmt"

	"vitadv/model/data"
	"vitadv/model/valid"
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

// The signal strength is given by exactly one of MuNorm, SNR2 or SNRW;
// Mu resolves it: SNR2 = ‖μ‖/(σ₂√d), so SNR2 = 0.5 at d = 64, σ₂ = 2 is
// ‖μ‖ = 0.5·2·8 = 8.
func ExampleConfig_Mu() {
	c := data.Config{D: 64, M: 4, N: 10, NTest: 10, SNR2: 0.5, Sigma2: 2, SigmaW: 0.25}
	fmt.Printf("‖μ‖ = %g, SNR₂ = %g, SNR_w = %g\n", c.Mu(), c.SNRStrong(), c.SNRWeak())
	// Output:
	// ‖μ‖ = 8, SNR₂ = 0.5, SNR_w = 4
}

// Draw validates its configuration: a bad field comes back as a
// *valid.Error naming it, never as a panic or a silently clamped value.
func ExampleConfig_Validate() {
	c := data.Small(20, 0.3)
	fmt.Printf("Small: d=%d M=%d N=%d NTest=%d σ₂=%g σ_w=%g valid: %v\n", c.D, c.M, c.N, c.NTest, c.Sigma2, c.SigmaW, c.Validate() == nil)
	c.N = 7 // the classes must be balanced
	_, _, err := data.Draw(c, 1)
	var ve *valid.Error
	fmt.Println(errors.As(err, &ve), ve.Field, ve.Value)
	fmt.Println(err)
	// Output:
	// Small: d=256 M=8 N=20 NTest=200 σ₂=4 σ_w=0.2 valid: true
	// true N 7
	// invalid N = 7: must be even and >= 2
}

// Label noise: FlipP flips each training label with that probability;
// Clean keeps the labels before flipping, and test labels are never
// flipped.
func ExampleConfig_flipP() {
	c := data.Config{D: 4, M: 2, N: 1000, NTest: 1000, MuNorm: 1, Sigma2: 1, SigmaW: 0.1, FlipP: 0.1}
	train, test, err := data.Draw(c, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	flipped := func(s *data.Set) (k int) {
		for i := range s.Y {
			if s.Y[i] != s.Clean[i] {
				k++
			}
		}
		return k
	}
	fmt.Printf("flipped: %d of %d training labels, %d of %d test labels\n", flipped(train), train.N, flipped(test), test.N)
	// Output:
	// flipped: 86 of 1000 training labels, 0 of 1000 test labels
}
