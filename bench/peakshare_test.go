package bench

import (
	"runtime"
	"sync"
	"time"

	"vitadv/internal/machine"
	"vitadv/model/linalg"
)

// allThreadPeak runs linalg.PeakFMA on GOMAXPROCS goroutines at once for
// about d and returns the GFLOP/s (wall) and GFLOP per CPU-second it
// reached: BenchmarkPeak/threads=all, measured again next to one sample of
// another benchmark, so that the sample's share of peak compares two
// numbers taken under the same load. ok is false without a peak loop
// (purego) or CPU time.
func allThreadPeak(d time.Duration) (wall, perCPU float64, ok bool) {
	const rounds = 1 << 12
	perCall := linalg.PeakFMA(1) * rounds
	if perCall == 0 {
		return 0, 0, false
	}
	procs := runtime.GOMAXPROCS(0)
	calls := make([]int, procs)
	cpu := startCPU()
	t0 := time.Now()
	var wg sync.WaitGroup
	for g := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(t0) < d {
				linalg.PeakFMA(rounds)
				calls[g]++
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	c := machine.ProcessCPU() - cpu.start
	flops := 0.0
	for _, n := range calls {
		flops += float64(float64(n) * perCall) // float64(): never fused (.ci/nofuse)
	}
	if c <= 0 || cpu.start <= 0 {
		return 0, 0, false
	}
	return flops / el.Seconds() / 1e9, flops / c.Seconds() / 1e9, true
}
