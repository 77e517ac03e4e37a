package linalg

import (
	"fmt"
	"math"
	"runtime"
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

// TestChunkMin: a block has at least 32 rows or columns and 2¹⁸ flops, and
// a call at most maxWorkers/2 + 1 blocks.
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
		{1 << 40, 1000, 16, 32},            // at most maxWorkers/2 + 1 blocks
	} {
		if got := chunkMin(tc.flops, tc.tiles, tc.width); got != tc.want {
			t.Errorf("chunkMin(%g, %d, %d) = %d, want %d", tc.flops, tc.tiles, tc.width, got, tc.want)
		}
	}
}

// TestGemmManyProcs: at GOMAXPROCS far above maxWorkers a split product
// (shared packed operand included) finishes and gives the bits of
// GOMAXPROCS 1: the blocks and pack tasks of a call stay within what the
// done channel holds.
func TestGemmManyProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []gemmCase{
		{true, false, 1024, 1024, 64, 1, 0, 0}, // columns split, op(A) packed shared
		{false, true, 2048, 96, 300, 1, 1, 0},  // rows split, op(B) packed shared
	} {
		a, lda, b, ldb, c, ldc := tc.operands(5)
		runtime.GOMAXPROCS(1)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		ref := append([]float64(nil), c...)
		runtime.GOMAXPROCS(200)
		_, _, _, _, c, _ = tc.operands(5)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		for i := range c {
			if math.Float64bits(c[i]) != math.Float64bits(ref[i]) {
				t.Fatalf("%v: GOMAXPROCS=200: C[%d] = %x, GOMAXPROCS=1 gave %x", tc, i, math.Float64bits(c[i]), math.Float64bits(ref[i]))
			}
		}
	}
}
