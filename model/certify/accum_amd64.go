//go:build amd64 && !purego

package certify

import "golang.org/x/sys/cpu"

// accumAVX reports whether accum4 may use the AVX kernel.
var accumAVX = cpu.X86.HasAVX

// accum4AVX is accum4 on the first n entries (n a multiple of 4), four
// lanes at a time with a separate multiply and add per entry (VMULPD,
// VADDPD: the roundings of the scalar loop, not a fused multiply-add).
//
//go:noescape
func accum4AVX(q, k, qa, ka, wq, wk, wqa, wka *float64, n int, xv, ax float64)
