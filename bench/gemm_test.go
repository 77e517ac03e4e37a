package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"vitadv/internal/machine"
	"vitadv/model/linalg"
)

// gemmShapes are the model's three products at the paper's heatmap size
// (N·M = 320 stacked tokens, d = 1024, 2d_h = 1024) and at a theory-small
// size (N·M = 40, d = 64, 2d_h = 64).
var gemmShapes = []gemmShape{
	{"NN", 320, 1024, 1024, true}, // Q|K = X·W_QK
	{"NT", 320, 1024, 1024, true}, // ∂X += G_QK·W_QKᵀ
	{"TN", 1024, 1024, 320, true}, // ∂W_QK = Xᵀ·G_QK
	{"NN", 40, 64, 64, false},
	{"NT", 40, 64, 64, false},
	{"TN", 64, 64, 40, false},
}

type gemmShape struct {
	op      string // transposes: N = no, T = yes, for A then B
	m, n, k int
	paper   bool // one of issue 20's done-when shapes (writeDoneWhen)
}

// name is the sub-benchmark name of s.
func (s gemmShape) name() string { return fmt.Sprintf("op=%s/m=%d/n=%d/k=%d", s.op, s.m, s.n, s.k) }

// paperGemmNames are the names of the paper shapes, in order.
func paperGemmNames() []string {
	var ns []string
	for _, s := range gemmShapes {
		if s.paper {
			ns = append(ns, s.name())
		}
	}
	return ns
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmShapes {
		name := s.name()
		b.Run(name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			tA, tB := s.op[0] == 'T', s.op[1] == 'T'
			x := randSlice(r, s.m*s.k)
			y := randSlice(r, s.k*s.n)
			c := make([]float64, s.m*s.n)
			lda, ldb := s.k, s.n
			if tA {
				lda = s.m
			}
			if tB {
				ldb = s.k
			}
			settle(func() { linalg.Gemm(tA, tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n) })
			flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				linalg.Gemm(tA, tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
			}
			gw := reportGFLOPS(b, flops)
			gc := cpu.report(b, flops*float64(b.N))
			if gc > 0 {
				// CPU-seconds per second: the cores the call kept busy
				// (GOMAXPROCS when no thread ever waits for work and
				// nothing else runs on the machine; under load, less).
				b.ReportMetric(gw/gc, "cores")
			}
			// The sample's share of the all-thread FMA peak, measured right
			// after it for a fifth of its time (at least 20 ms): the issue's
			// "% of Peak/threads=all in the same run", per sample.
			if pw, pc, ok := allThreadPeak(max(20*time.Millisecond, b.Elapsed()/5)); ok {
				b.ReportMetric(100*gw/pw, "%peak")
				if s.paper {
					doneWhen.addGemm(name, 100*gw/pw, gw)
				}
				if gc > 0 {
					b.ReportMetric(100*gc/pc, "%peak-cpu")
				}
			}
		})
	}
}

func randSlice(r *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = r.NormFloat64()
	}
	return s
}

// reportGFLOPS reports flopsPerOp·b.N / elapsed in GFLOP/s and returns
// it; call it after the loop.
func reportGFLOPS(b *testing.B, flopsPerOp float64) float64 {
	g := flopsPerOp * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(g, "GFLOP/s")
	return g
}

// cpuMeter measures the CPU time the process spends in a benchmark loop
// (all threads, GC included). On a machine shared with other jobs the wall
// time says how much of the CPU this process got; GFLOP per CPU-second says
// how well it used what it got, so the ratio of two benchmarks in one run
// (Gemm over Peak) stays meaningful under load.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{machine.ProcessCPU()} }

// report adds the metric GFLOP/cpu-s = flops / CPU seconds since start (all
// iterations: pass flops per op times b.N) and returns it; nothing, and 0,
// if the system reports no CPU time.
func (m cpuMeter) report(b *testing.B, flops float64) float64 {
	if d := machine.ProcessCPU() - m.start; d > 0 && m.start > 0 {
		g := flops / d.Seconds() / 1e9
		b.ReportMetric(g, "GFLOP/cpu-s")
		return g
	}
	return 0
}
