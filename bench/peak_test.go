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
		cpu := startCPU()
		for b.Loop() {
			flops += linalg.PeakFMA(rounds)
		}
		b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		cpu.report(b, flops)
	})
	b.Run("threads=all", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				linalg.PeakFMA(rounds)
			}
		})
		g := float64(b.N) * rounds * perRound / b.Elapsed().Seconds() / 1e9
		b.ReportMetric(g, "GFLOP/s")
		cpu.report(b, float64(b.N)*rounds*perRound)
		doneWhen.addPeak(b.N, g)
	})
}

// BenchmarkKernel measures the GEMM micro-kernel alone (linalg.KernelBench:
// packed panels in L1, depth 256, no packing or blocking), per thread and on
// GOMAXPROCS threads at once: its GFLOP/s over Peak's in the same run is the
// micro-kernel's share of peak, and Gemm's over Kernel's is what the
// blocking, the packing and the split over threads keep of it.
func BenchmarkKernel(b *testing.B) {
	const calls = 64
	b.Run("threads=1", func(b *testing.B) {
		kb := linalg.NewKernelBench()
		flops := 0.0
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			flops += kb.Run(calls)
		}
		b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		cpu.report(b, flops)
	})
	b.Run("threads=all", func(b *testing.B) {
		perCall := linalg.NewKernelBench().Run(1)
		b.ReportAllocs()
		cpu := startCPU()
		b.RunParallel(func(pb *testing.PB) {
			kb := linalg.NewKernelBench()
			for pb.Next() {
				kb.Run(calls)
			}
		})
		b.ReportMetric(float64(b.N)*calls*perCall/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		cpu.report(b, float64(b.N)*calls*perCall)
	})
}
