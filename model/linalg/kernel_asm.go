//go:build amd64 && avx512asm

package linalg

import "golang.org/x/sys/cpu"

// The avx512asm build (go build -tags avx512asm; no cgo, no GOEXPERIMENT)
// uses an 8×16 micro-kernel written in Go assembly (kernel_amd64.s) on CPUs
// with AVX-512F. Go's compiler allocates only 16 vector registers and
// overwrites a VFMADD213PD operand, which caps the archsimd kernels at 8
// accumulators and a register copy per FMA pair; the assembly keeps 16
// accumulators in Z16–Z31 and uses VFMADD231PD. Each tile lane is the same
// fma chain as in the archsimd kernels, so results are bit-identical to
// GOEXPERIMENT=simd on the same machine.
func init() {
	if cpu.X86.HasAVX512F {
		kern = microKernel{name: "asm-avx512-8x16", mr: 8, nr: 16, fn: kernel8x16asm}
		kernels = append(kernels, kern)
	}
}

//go:noescape
func kernel8x16avx512asm(kc int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, mode int)

func kernel8x16asm(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	_ = a[(kc-1)*acs+7*ars]
	_ = b[(kc-1)*ldb+15]
	_ = c[7*ldc+15]
	kernel8x16avx512asm(kc, &a[0], ars*8, acs*8, &b[0], ldb*8, &c[0], ldc*8, alpha, beta, mode)
}
