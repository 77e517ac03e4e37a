package experiment

import (
	"vitadv/model/rng"
)

// rngDerive is rng.Derive for an int index.
func rngDerive(seed uint64, i int) uint64 { return rng.Derive(seed, uint64(i)) }
