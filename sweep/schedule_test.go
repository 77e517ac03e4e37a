package sweep

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// TestLongestFirst: cells come out by decreasing cost, index order among
// equal costs (NaN counting as 0), and unchanged without a cost function.
func TestLongestFirst(t *testing.T) {
	cells := NewCells(1, [][]string{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}})
	cost := []float64{1, 5, 1, math.NaN(), 5, 2}
	got := longestFirst(cells, func(c Cell) float64 { return cost[c.Index] })
	var idx []int
	for _, c := range got {
		idx = append(idx, c.Index)
	}
	if want := []int{1, 4, 5, 0, 2, 3}; !slices.Equal(idx, want) {
		t.Errorf("order %v, want %v", idx, want)
	}
	if same := longestFirst(cells, nil); &same[0] != &cells[0] {
		t.Error("without a cost the cells were reordered or copied")
	}
}

// TestCostOrderSameFile: a job run longest-first (with one worker, so the
// order is exactly the cost order) writes the bytes of the same job run in
// index order, and it did start the cells in cost order. Negative control:
// the start order differs from index order, so the comparison is not
// vacuous.
func TestCostOrderSameFile(t *testing.T) {
	dir := t.TempDir()
	run := func(name string, cost func(Cell) float64) ([]byte, []int) {
		var mu sync.Mutex
		var started []int
		job := fakeJob(7, func(i int) string {
			mu.Lock()
			started = append(started, i)
			mu.Unlock()
			return strconv.Itoa(i * i)
		})
		job.Cost = cost
		out := filepath.Join(dir, name)
		if _, err := Execute(job, Options{Out: out, Shard: Whole, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		return b, started
	}
	plain, order0 := run("plain", nil)
	sorted, order1 := run("sorted", func(c Cell) float64 { return float64(c.Index % 3) })
	if string(plain) != string(sorted) {
		t.Errorf("longest-first file differs from index-order file:\n%s\nvs\n%s", sorted, plain)
	}
	if want := []int{2, 5, 1, 4, 0, 3, 6}; !slices.Equal(order1, want) {
		t.Errorf("cells started in order %v, want %v", order1, want)
	}
	if slices.Equal(order0, order1) {
		t.Error("negative control: the cost order equals the index order; the test compares nothing")
	}
}
