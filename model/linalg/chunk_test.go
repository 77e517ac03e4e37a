package linalg

import (
	"fmt"
	"slices"
	"testing"
)

// chunks lists the block sizes run queues for a split over tiles
// micro-panels.
func chunks(tiles, procs, minTiles int, next func(t0, tiles, procs, minTiles int) int) []int {
	var out []int
	for t0 := 0; t0 < tiles; {
		t1 := next(t0, tiles, procs, minTiles)
		if t1 <= t0 {
			return append(out, 0) // no progress: reported by the caller
		}
		out = append(out, t1-t0)
		t0 = t1
	}
	return out
}

// checkChunks reports whether the blocks tile [0, tiles) (positive sizes
// summing to tiles), shrink (non-increasing, each ≥ minTiles but the last),
// and end small: the last procs blocks, which the threads finish a call
// with (so the most one can be left waiting for another), have at most
// minTiles panels each.
func checkChunks(c []int, tiles, procs, minTiles int) error {
	sum := 0
	for i, n := range c {
		if n <= 0 {
			return fmt.Errorf("block %d has %d panels", i, n)
		}
		if i > 0 && n > c[i-1] {
			return fmt.Errorf("block %d (%d panels) larger than block %d (%d)", i, n, i-1, c[i-1])
		}
		if i < len(c)-1 && n < minTiles {
			return fmt.Errorf("block %d has %d < %d panels", i, n, minTiles)
		}
		sum += n
	}
	if sum != tiles {
		return fmt.Errorf("blocks cover %d of %d panels", sum, tiles)
	}
	for _, n := range c[max(0, len(c)-procs):] {
		if n > minTiles {
			return fmt.Errorf("one of the last %d blocks has %d > %d panels", procs, n, minTiles)
		}
	}
	return nil
}

// TestGuidedChunks: the blocks of a split product cover every micro-panel
// once and shrink to at most chunkMin at the end, for every tile count,
// thread count and minimum here; the paper's NN shape gets the schedule the
// run doc comment gives. Negative control: ~10 equal blocks (the split
// before guided scheduling) fail the tail bound.
func TestGuidedChunks(t *testing.T) {
	for tiles := 1; tiles <= 300; tiles++ {
		for _, procs := range []int{2, 3, 8, 64} {
			for _, mn := range []int{1, 2, 3, 8} {
				c := chunks(tiles, procs, mn, nextChunk)
				if err := checkChunks(c, tiles, procs, mn); err != nil {
					t.Fatalf("tiles=%d procs=%d min=%d: %v: %v", tiles, procs, mn, c, err)
				}
			}
		}
	}
	// NN 320×1024×1024, nr = 16: 64 panels, at least 32 columns each.
	flops := 2 * 320 * 1024 * 1024.0
	if got, want := chunks(64, 2, chunkMin(flops, 64, 16), nextChunk), []int{16, 12, 9, 7, 5, 4, 3, 2, 2, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("NN 320×1024×1024 on 2 threads: blocks %v, want %v", got, want)
	}
	equal := func(t0, tiles, procs, minTiles int) int { return min(tiles, t0+ceilDiv(tiles, 10)) }
	if err := checkChunks(chunks(64, 2, 2, equal), 64, 2, 2); err == nil {
		t.Error("control: ten equal blocks of 64 panels passed the tail bound")
	}
}

// TestChunkMin: a block has at least 32 rows or columns and 2¹⁸ flops.
func TestChunkMin(t *testing.T) {
	for _, tc := range []struct {
		flops        float64
		tiles, width int
		want         int
	}{
		{2 * 320 * 1024 * 1024, 64, 16, 2}, // 32 columns
		{2 * 320 * 1024 * 1024, 86, 12, 3}, // 36 columns
		{2 * 320 * 1024 * 1024, 40, 8, 4},  // 32 rows
		{1 << 20, 64, 16, 16},              // 2¹⁸ of 2²⁰ flops: a quarter of the panels
	} {
		if got := chunkMin(tc.flops, tc.tiles, tc.width); got != tc.want {
			t.Errorf("chunkMin(%g, %d, %d) = %d, want %d", tc.flops, tc.tiles, tc.width, got, tc.want)
		}
	}
}
