//go:build amd64 && !purego

package attack

import "golang.org/x/sys/cpu"

// divAVX reports whether divTo may use the AVX kernel.
var divAVX = cpu.X86.HasAVX

// divAVXasm sets dst[i] = src[i]/d for i < n (n a multiple of 4), four
// lanes at a time (VDIVPD: the correctly rounded quotient, as DIVSD).
//
//go:noescape
func divAVXasm(dst, src *float64, n int, d float64)
