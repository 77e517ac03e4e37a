//go:build !amd64 || purego

package linalg

// PeakFMA returns 0: the FMA throughput loop is Go assembly for amd64
// (peak_amd64.go), absent under -tags purego.
func PeakFMA(n int) float64 { return 0 }
