package rng_test

import (
	"testing"

	"vitadv/model/rng"
)

// firstDraws returns the first n uint64 of New(seed, s).
func firstDraws(seed uint64, s rng.Stream, n int) []uint64 {
	r := rng.New(seed, s)
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

// duplicate returns a value that occurs twice in v, and whether there is one.
func duplicate(v []uint64) (uint64, bool) {
	seen := make(map[uint64]bool, len(v))
	for _, x := range v {
		if seen[x] {
			return x, true
		}
		seen[x] = true
	}
	return 0, false
}

// TestStreamsFromOutside: as a user of the package sees it, New replays a
// (seed, stream) pair bit for bit; the five streams of one seed, and one
// stream of neighbouring seeds, share no 64-bit draw among their first
// 1000 (a collision among 25 000 uniform draws has probability ~2⁻³⁵); and
// Derive gives 10 000 cells 10 000 distinct seeds. Negative control: the
// collision finder finds a planted repeat.
func TestStreamsFromOutside(t *testing.T) {
	streams := []rng.Stream{rng.TrainData, rng.TestData, rng.Init, rng.Attack, rng.Bootstrap}
	var all []uint64
	for _, s := range streams {
		a, b := firstDraws(42, s, 1000), firstDraws(42, s, 1000)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("stream %#x: draw %d not replayed: %#x then %#x", uint64(s), i, a[i], b[i])
			}
		}
		all = append(all, a...)
	}
	for seed := uint64(43); seed < 47; seed++ {
		all = append(all, firstDraws(seed, rng.TrainData, 1000)...)
	}
	if x, ok := duplicate(all); ok {
		t.Errorf("draw %#x occurs twice among the first draws of distinct (seed, stream) pairs", x)
	}
	cells := make([]uint64, 10000)
	for i := range cells {
		cells[i] = rng.Derive(7, uint64(i))
	}
	if x, ok := duplicate(cells); ok {
		t.Errorf("Derive(7, ·) repeats the seed %#x", x)
	}
	if _, ok := duplicate(append(all[:10:10], all[3])); !ok {
		t.Error("negative control: a planted repeated draw was not found")
	}
}
