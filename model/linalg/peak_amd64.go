//go:build amd64 && !purego

package linalg

// peakZMM and peakYMM are set by init (kernel_amd64.go) from the CPU.
var peakZMM, peakYMM bool

func peakLoop(n int)
func peakLoopYMM(n int)

// PeakFMA runs n rounds of independent fused multiply-adds with no memory
// traffic and returns the flops executed, or 0 if this build or CPU has no
// such loop: on AVX-512F, 16 chains of 8 lanes (n·256 flops); on AVX2+FMA,
// 12 chains of 4 lanes (n·96 flops). bench/ times it next to the GEMM, so
// that "percent of peak" compares two numbers measured under the same load.
func PeakFMA(n int) float64 {
	switch {
	case n < 1:
		return 0
	case peakZMM:
		peakLoop(n)
		return float64(n) * 256
	case peakYMM:
		peakLoopYMM(n)
		return float64(n) * 96
	}
	return 0
}
