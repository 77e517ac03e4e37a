package rng_test

import (
	"fmt"

	"vitadv/model/rng"
)

// Every consumer of randomness draws from its own stream of the user's
// seed: the same (seed, stream) replays the same numbers, another stream
// gives independent ones, so drawing more attack restarts never shifts the
// data or the initialization.
func ExampleNew() {
	a := rng.New(7, rng.Attack)
	b := rng.New(7, rng.Attack)
	d := rng.New(7, rng.TrainData)
	x, y, z := a.Float64(), b.Float64(), d.Float64()
	fmt.Println("same seed and stream replay:", x == y)
	fmt.Println("another stream differs:", x != z)
	fmt.Printf("first draws %.6f %.6f\n", x, z)
	// Output:
	// same seed and stream replay: true
	// another stream differs: true
	// first draws 0.717255 0.543746
}

// Derive gives cell i of a sweep a seed of its own that does not depend on
// the other cells: adding a cell or a replicate never reseeds the rest.
func ExampleDerive() {
	for i := range uint64(3) {
		fmt.Printf("cell %d: seed %#016x\n", i, rng.Derive(1, i))
	}
	fmt.Println("replayable:", rng.Derive(1, 2) == rng.Derive(1, 2))
	// Output:
	// cell 0: seed 0x910a2dec89025cc1
	// cell 1: seed 0xbeeb8da1658eec67
	// cell 2: seed 0xf893a2eefb32555e
	// replayable: true
}
