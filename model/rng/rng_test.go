package rng

import "testing"

// TestDerive: cell seeds are a pure function of (seed, i) and differ across
// the first 10⁵ cells and across neighbouring master seeds.
func TestDerive(t *testing.T) {
	seen := make(map[uint64]uint64)
	for i := uint64(0); i < 100000; i++ {
		s := Derive(7, i)
		if s != Derive(7, i) {
			t.Fatalf("Derive(7, %d) not deterministic", i)
		}
		if j, ok := seen[s]; ok {
			t.Fatalf("Derive(7, %d) = Derive(7, %d) = %#x", i, j, s)
		}
		seen[s] = i
	}
	if Derive(7, 0) == Derive(8, 0) {
		t.Error("Derive(7, 0) == Derive(8, 0)")
	}
}

// TestStreamsDiffer: the named streams of one seed give different
// sequences, and the same (seed, stream) the same one.
func TestStreamsDiffer(t *testing.T) {
	streams := []Stream{TrainData, TestData, Init, Attack, Bootstrap}
	first := make(map[uint64]Stream)
	for _, s := range streams {
		a, b := New(1, s).Uint64(), New(1, s).Uint64()
		if a != b {
			t.Fatalf("stream %#x: %#x then %#x from the same seed", uint64(s), a, b)
		}
		if o, ok := first[a]; ok {
			t.Fatalf("streams %#x and %#x start with the same value", uint64(o), uint64(s))
		}
		first[a] = s
	}
}
