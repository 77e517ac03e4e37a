// Package rng hands out independent, explicitly seeded random streams.
//
// Every random draw in this module comes from a *rand.Rand built here from a
// user seed and a Stream label, so changing how many numbers one consumer
// draws (say, the attack's random starts) never shifts another's (the data or
// the initialization). Nothing reads the top-level math/rand functions.
package rng

import "math/rand/v2"

// Stream labels one independent consumer of randomness.
type Stream uint64

// The streams used by the module. Values are arbitrary distinct constants;
// they are part of the reproducibility contract and must never change.
const (
	TrainData Stream = 0x9e3779b97f4a7c15
	TestData  Stream = 0xbf58476d1ce4e5b9
	Init      Stream = 0x94d049bb133111eb
	Attack    Stream = 0xd6e8feb86659fd93
	Bootstrap Stream = 0xa0761d6478bd642f
)

// New returns a PCG generator for (seed, stream).
func New(seed uint64, s Stream) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(s)))
}

// Derive mixes a sub-index into a seed (for replicates and grid cells), so
// that cell i of a sweep has a seed that does not depend on the other cells.
// It is SplitMix64's finalizer applied to seed + (i+1)·golden.
func Derive(seed uint64, i uint64) uint64 {
	z := seed + (i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
