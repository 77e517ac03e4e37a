//go:build !(amd64 && avx512asm)

package linalg

// PeakFMA returns 0: the FMA throughput loop needs -tags avx512asm on
// amd64 (see peak_asm.go).
func PeakFMA(n int) float64 { return 0 }
