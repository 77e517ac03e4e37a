package valid_test

import (
	"errors"
	"fmt"
	"math"

	"vitadv/model/valid"
)

// A constructor checks each field where the input enters and returns the
// first failure as a *valid.Error that names the field, the value given and
// the rule it broke; callers branch on it with errors.As.
func ExampleError() {
	eta, m := -0.1, 1
	err := valid.First(
		valid.Positive("Train.Eta", eta),
		valid.IntMin("Data.M", m, 2),
	)
	fmt.Println(err)
	var ve *valid.Error
	if errors.As(err, &ve) {
		fmt.Printf("field %s, value %v, rule %q\n", ve.Field, ve.Value, ve.Rule)
	}
	fmt.Println("all good:", valid.First(valid.Positive("Train.Eta", 0.1), valid.IntMin("Data.M", 8, 2)))
	// Output:
	// invalid Train.Eta = -0.1: must be finite and > 0
	// field Train.Eta, value -0.1, rule "must be finite and > 0"
	// all good: <nil>
}

// The checks of real-valued fields reject NaN and ±Inf, which ordered
// comparisons would let through; Range is half-open, lo ≤ v < hi.
func ExampleRange() {
	fmt.Println(valid.Range("Data.FlipP", 0.2, 0, 0.5))
	fmt.Println(valid.Range("Data.FlipP", 0.5, 0, 0.5))
	fmt.Println(valid.NonNeg("Attack.Tau", math.NaN()))
	fmt.Println(valid.EvenIntMin("Data.N", 7, 2))
	// Output:
	// <nil>
	// invalid Data.FlipP = 0.5: must be in [0, 0.5)
	// invalid Attack.Tau = NaN: must be finite and >= 0
	// invalid Data.N = 7: must be even and >= 2
}
