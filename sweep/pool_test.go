package sweep

import (
	"errors"
	"sync/atomic"
	"testing"
)

// TestEachRunsEveryIndexOnce: at any worker count every index runs once
// and done sees each once, serially (an unsynchronized counter in done
// would race, and the in-done flag catches overlap).
func TestEachRunsEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 64} {
		const n = 50
		var ran [n]atomic.Int32
		seen := make([]int, n)
		var inDone atomic.Bool
		err := Each(n, workers, func(i int) error { ran[i].Add(1); return nil }, func(i int, err error) error {
			if inDone.Swap(true) {
				t.Errorf("workers=%d: done called concurrently", workers)
			}
			seen[i]++
			inDone.Store(false)
			return err
		})
		if err != nil {
			t.Fatalf("workers=%d: %v", workers, err)
		}
		for i := range n {
			if ran[i].Load() != 1 || seen[i] != 1 {
				t.Errorf("workers=%d: index %d ran %d times, done %d times; want 1, 1", workers, i, ran[i].Load(), seen[i])
			}
		}
	}
}

// TestEachStopsAtFirstError: with one worker, an error at index 3 is
// returned, no later index runs, and done is not called again; the control
// without the error runs all.
func TestEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	for _, fail := range []bool{true, false} {
		var ran, done []int
		err := Each(10, 1, func(i int) error {
			ran = append(ran, i)
			if fail && i == 3 {
				return boom
			}
			return nil
		}, func(i int, err error) error { done = append(done, i); return err })
		switch {
		case fail && (!errors.Is(err, boom) || len(ran) != 4 || len(done) != 4):
			t.Errorf("error at 3: err %v, ran %v, done %v; want boom, 0..3, 0..3", err, ran, done)
		case !fail && (err != nil || len(ran) != 10 || len(done) != 10):
			t.Errorf("control: err %v, ran %v, done %v", err, ran, done)
		}
	}
	if err := Each(5, 2, func(i int) error {
		if i == 1 {
			return boom
		}
		return nil
	}, nil); !errors.Is(err, boom) {
		t.Errorf("done = nil: err %v, want work's error", err)
	}
}
