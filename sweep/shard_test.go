package sweep

import "testing"

// TestShardsPartitionCellsPin pins Shard.Has: for every shard count n the
// shards 0..n−1 partition the cells — each cell index belongs to exactly
// one shard — so no cell is computed twice or never (and shard i of n owns
// the cells ≡ i mod n, as Shard's doc says). n ≤ 1 is the whole job.
func TestShardsPartitionCellsPin(t *testing.T) {
	for n := 1; n <= 5; n++ {
		for cell := 0; cell < 23; cell++ {
			owners := 0
			for i := 0; i < n; i++ {
				if (Shard{I: i, N: n}).Has(cell) {
					owners++
					if n > 1 && cell%n != i {
						t.Errorf("cell %d belongs to shard %d/%d, want %d", cell, i, n, cell%n)
					}
				}
			}
			if owners != 1 {
				t.Errorf("n = %d: cell %d belongs to %d shards, want exactly 1", n, cell, owners)
			}
		}
	}
	if !Whole.Has(7) {
		t.Error("the whole job does not own cell 7")
	}
}
