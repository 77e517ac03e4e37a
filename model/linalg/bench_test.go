package linalg

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkPaths times every kernel of this CPU on one thread, side by side
// in one run: the GEMM at two shapes of the model (d = 64 and d = 256, as in
// bench/), Dot and Axpy at n = 256, ExpTo at n = 1024. (bench/ times the
// model with the default choice; this is what picks between the paths.)
func BenchmarkPaths(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	activeK, activeV := kern, vec
	defer func() { kern, vec = activeK, activeV }()
	for _, tc := range []gemmCase{
		{false, false, 40, 64, 64, 1, 0, 0},
		{false, true, 400, 256, 256, 1, 0, 0},
	} {
		a, lda, bb, ldb, c, ldc := tc.operands(1)
		for _, k := range kernels {
			b.Run(fmt.Sprintf("op=gemm/m=%d/n=%d/k=%d/kernel=%s", tc.m, tc.n, tc.k, k.name), func(b *testing.B) {
				kern = k
				for b.Loop() {
					Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, a, lda, bb, ldb, tc.beta, c, ldc)
				}
				b.ReportMetric(2*float64(tc.m*tc.n*tc.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
	x, y := make([]float64, 1024), make([]float64, 1024)
	for i := range x {
		x[i], y[i] = float64(i%17)/17-0.5, float64(i%13)/13
	}
	for _, v := range vecs {
		vec = v
		b.Run("op=dot/n=256/vec="+v.name, func(b *testing.B) {
			for b.Loop() {
				Dot(x[:256], y)
			}
		})
		b.Run("op=axpy/n=256/vec="+v.name, func(b *testing.B) {
			for b.Loop() {
				Axpy(y[:256], 1e-9, x)
			}
		})
		b.Run("op=exp/n=1024/vec="+v.name, func(b *testing.B) {
			for b.Loop() {
				ExpTo(y, x)
			}
		})
	}
}
