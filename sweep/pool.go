package sweep

import "sync"

// Each runs work(0), …, work(n−1) on workers goroutines (at least one),
// taking the indices in order, and calls done(i, err) serially (under one
// lock) as each finishes, until the first error: done's error (or work's
// when done is nil) stops the indices not yet taken, done is not called
// again, and that first error is returned. It is
// the one worker pool of the suite: Execute runs a job's cells on it, and
// cmd/calibrate its trainings.
func Each(n, workers int, work func(i int) error, done func(i int, err error) error) error {
	var (
		mu   sync.Mutex
		next int
		fail error
		wg   sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if fail != nil || next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < min(max(workers, 1), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, ok := take(); ok; i, ok = take() {
				err := work(i)
				mu.Lock()
				if fail == nil {
					if done != nil {
						err = done(i, err)
					}
					fail = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return fail
}
