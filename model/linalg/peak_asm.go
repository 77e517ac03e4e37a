//go:build amd64 && avx512asm

package linalg

import "golang.org/x/sys/cpu"

func peakLoop(n int)

// PeakFMA runs n rounds of 16 independent 8-lane fused multiply-adds with
// no memory traffic and returns the flops executed (n·256), or 0 if this
// build or CPU has no such loop (it needs -tags avx512asm and AVX-512F).
// bench/ times it next to the GEMM, so that "percent of peak" compares two
// numbers measured under the same load.
func PeakFMA(n int) float64 {
	if !cpu.X86.HasAVX512F || n < 1 {
		return 0
	}
	peakLoop(n)
	return float64(n) * 256
}
