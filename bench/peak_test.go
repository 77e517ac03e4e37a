package bench

import (
	"testing"

	"vitadv/model/linalg"
)

// BenchmarkPeak measures the fp64 FMA throughput with a register-only loop
// (linalg.PeakFMA: zmm on AVX-512F, ymm on AVX2+FMA; absent under -tags
// purego): per thread, and with GOMAXPROCS threads at once. On a shared machine the GEMM's GFLOP/s is meaningful
// only next to this number from the same run.
func BenchmarkPeak(b *testing.B) {
	const rounds = 1 << 14
	perRound := linalg.PeakFMA(1)
	if perRound == 0 {
		b.Skip("no FMA peak loop in this build or on this CPU (purego, or no AVX2+FMA)")
	}
	b.Run("threads=1", func(b *testing.B) {
		flops := 0.0
		b.ReportAllocs()
		for b.Loop() {
			flops += linalg.PeakFMA(rounds)
		}
		b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("threads=all", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				linalg.PeakFMA(rounds)
			}
		})
		b.ReportMetric(float64(b.N)*rounds*perRound/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
