package experiment

import (
	"math"
	"strconv"

	"vitadv/model/rng"
)

// atofField parses a CSV field written by ftoa or mtoa (NaN if malformed).
func atofField(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// rngDerive is rng.Derive for an int index.
func rngDerive(seed uint64, i int) uint64 { return rng.Derive(seed, uint64(i)) }
