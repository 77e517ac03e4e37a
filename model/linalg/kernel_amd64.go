//go:build amd64 && !purego

package linalg

import "golang.org/x/sys/cpu"

// On amd64 the kernels are Go assembly (kernel_amd64.s, vec_amd64.s; no
// cgo, no GOEXPERIMENT, no build tag), chosen here from the CPU:
//
//	AVX-512F        8×16 GEMM micro-kernel on zmm (16 accumulators in
//	                Z16–Z31), vector ops on zmm
//	AVX2 and FMA    4×12 GEMM micro-kernel on ymm (12 accumulators), vector
//	                ops on ymm (Dot's 16 lanes in four ymm registers)
//	otherwise       pure Go (as under -tags purego)
//
// VITADV_KERNEL=avx2 (or avx512, purego) overrides the choice (env.go).
//
// Every one computes the same fused multiply-add chains as the pure-Go
// kernels, so the results are bit-identical (linalg tests compare them).
// Code that touches ymm/zmm registers ends with VZEROUPPER (asm_test.go).
func init() {
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	avx512 := cpu.X86.HasAVX512F && avx2
	have := []string{"purego"}
	k2 := microKernel{name: "asm-avx2-4x12", mr: 4, nr: 12, fn: kernel4x12asm, tiles: tiles4x12asm}
	v2 := vecKernels{name: "avx2", dot: dotAVX2, axpy: axpyAVX2, scal: scalAVX2, exp: expAVX2}
	k5 := microKernel{name: "asm-avx512-8x16", mr: 8, nr: 16, fn: kernel8x16asm, tiles: tiles8x16asm, tilesPF: tiles8x16pfasm}
	v5 := vecKernels{name: "avx512", dot: dotAVX512, axpy: axpyAVX512, scal: scalAVX512, exp: expAVX512}
	if avx2 {
		kernels, vecs = append(kernels, k2), append(vecs, v2)
		have = append(have, "avx2")
	}
	if avx512 {
		kernels, vecs = append(kernels, k5), append(vecs, v5)
		have = append(have, "avx512")
	}
	// VITADV_KERNEL (env.go) may pick a slower path than the CPU's best.
	var choice string
	choice, envErr = chooseKernels(kernelEnvValue(), have)
	switch choice {
	case "avx2":
		kern, vec = k2, v2
	case "avx512":
		kern, vec = k5, v5
	}
	peakZMM = choice == "avx512"
	peakYMM = choice == "avx2"
	if avx2 && choice != "purego" {
		fastCopyRows = copyRowsAVX2
		fastTransposeRows = transposeRowsAVX2
	}
}

//go:noescape
func copyRowsAVX2asm(dst *float64, wd int, src *float64, ld int, kc int, q int)

// copyRowsAVX2 is copyRows for rows of 4, 8, 12 or 16 values into a panel
// of the same width (the kernels' mr and nr); it reports false, copying
// nothing, for any other shape.
func copyRowsAVX2(dst []float64, wd int, src []float64, ld, kc, w int) bool {
	if kc < 1 || w != wd || w%4 != 0 || w > 16 || w < 4 {
		return false
	}
	_ = src[(kc-1)*ld+w-1]
	_ = dst[(kc-1)*wd+w-1]
	copyRowsAVX2asm(&dst[0], wd*8, &src[0], ld*8, kc, w/4)
	return true
}

//go:noescape
func transposeRowsAVX2asm(dst *float64, wd int, src *float64, ld int, kc4 int, q int)

// transposeRowsAVX2 is transposeRows for 4⌊w/4⌋ rows and 4⌊kc/4⌋ columns
// (the rest is left to the caller); it returns the rows and columns it
// copied.
func transposeRowsAVX2(dst []float64, wd int, src []float64, ld, kc, w int) (rows, cols int) {
	kc4, q := kc/4, w/4
	if kc4 < 1 || q < 1 {
		return 0, 0
	}
	_ = src[(4*q-1)*ld+4*kc4-1]
	_ = dst[(4*kc4-1)*wd+4*q-1]
	transposeRowsAVX2asm(&dst[0], wd*8, &src[0], ld*8, kc4, q)
	return 4 * q, 4 * kc4
}

//go:noescape
func tiles8x16avx512asm(n, kc int, a *float64, ars, acs, astep int, b *float64, ldb int, c *float64, ldc, cstep int, alpha, beta float64, mode int, pf *float64)

// kernel8x16asm is the micro-kernel: one tile of tiles8x16avx512asm.
func kernel8x16asm(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	_ = a[(kc-1)*acs+7*ars]
	_ = b[(kc-1)*ldb+15]
	_ = c[7*ldc+15]
	tiles8x16avx512asm(1, kc, &a[0], ars*8, acs*8, 0, &b[0], ldb*8, &c[0], ldc*8, 0, alpha, beta, mode, nil)
}

func tiles8x16asm(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int) {
	_ = a[(n-1)*astep+(kc-1)*acs+7*ars]
	_ = b[(kc-1)*ldb+15]
	_ = c[(n-1)*cstep+7*ldc+15]
	tiles8x16avx512asm(n, kc, &a[0], ars*8, acs*8, astep*8, &b[0], ldb*8, &c[0], ldc*8, cstep*8, alpha, beta, mode, nil)
}

// tiles8x16pfasm is tiles8x16asm that also reads pf[:8·n·kc] ahead into L2,
// one line a k step (microKernel.tilesPF).
func tiles8x16pfasm(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int, pf []float64) {
	_ = a[(n-1)*astep+(kc-1)*acs+7*ars]
	_ = b[(kc-1)*ldb+15]
	_ = c[(n-1)*cstep+7*ldc+15]
	_ = pf[8*n*kc-1]
	tiles8x16avx512asm(n, kc, &a[0], ars*8, acs*8, astep*8, &b[0], ldb*8, &c[0], ldc*8, cstep*8, alpha, beta, mode, &pf[0])
}

//go:noescape
func tiles4x12avx2asm(n, kc int, a *float64, ars, acs, astep int, b *float64, ldb int, c *float64, ldc, cstep int, alpha, beta float64, mode int)

// kernel4x12asm is the micro-kernel: one tile of tiles4x12avx2asm.
func kernel4x12asm(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	_ = a[(kc-1)*acs+3*ars]
	_ = b[(kc-1)*ldb+11]
	_ = c[3*ldc+11]
	tiles4x12avx2asm(1, kc, &a[0], ars*8, acs*8, 0, &b[0], ldb*8, &c[0], ldc*8, 0, alpha, beta, mode)
}

func tiles4x12asm(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int) {
	_ = a[(n-1)*astep+(kc-1)*acs+3*ars]
	_ = b[(kc-1)*ldb+11]
	_ = c[(n-1)*cstep+3*ldc+11]
	tiles4x12avx2asm(n, kc, &a[0], ars*8, acs*8, astep*8, &b[0], ldb*8, &c[0], ldc*8, cstep*8, alpha, beta, mode)
}

// The vector kernels take lengths and base pointers; the wrappers check
// bounds. n may be 0 (the pointer is then not read).

//go:noescape
func dotAVX512asm(x, y *float64, n int) float64

//go:noescape
func dotAVX2asm(x, y *float64, n int) float64

//go:noescape
func axpyAVX512asm(dst *float64, a float64, x *float64, n int)

//go:noescape
func axpyAVX2asm(dst *float64, a float64, x *float64, n int)

//go:noescape
func scalAVX512asm(dst *float64, a float64, n int)

//go:noescape
func scalAVX2asm(dst *float64, a float64, n int)

// expAVX512asm and expAVX2asm compute n8 = n − n mod 8 (n4 = n − n mod 4)
// values; the caller does the tail in Go.
//
//go:noescape
func expAVX512asm(dst, x *float64, n int)

//go:noescape
func expAVX2asm(dst, x *float64, n int)

func dotAVX512(x, y []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	_ = y[len(x)-1]
	return dotAVX512asm(&x[0], &y[0], len(x))
}

func dotAVX2(x, y []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	_ = y[len(x)-1]
	return dotAVX2asm(&x[0], &y[0], len(x))
}

func axpyAVX512(dst []float64, a float64, x []float64) {
	if len(dst) == 0 {
		return
	}
	_ = x[len(dst)-1]
	axpyAVX512asm(&dst[0], a, &x[0], len(dst))
}

func axpyAVX2(dst []float64, a float64, x []float64) {
	if len(dst) == 0 {
		return
	}
	_ = x[len(dst)-1]
	axpyAVX2asm(&dst[0], a, &x[0], len(dst))
}

func scalAVX512(dst []float64, a float64) {
	if len(dst) == 0 {
		return
	}
	scalAVX512asm(&dst[0], a, len(dst))
}

func scalAVX2(dst []float64, a float64) {
	if len(dst) == 0 {
		return
	}
	scalAVX2asm(&dst[0], a, len(dst))
}

func expAVX512(dst, x []float64) {
	dst = dst[:len(x)]
	n := len(x) &^ 7
	if n > 0 {
		expAVX512asm(&dst[0], &x[0], n)
	}
	expGo(dst[n:], x[n:])
}

func expAVX2(dst, x []float64) {
	dst = dst[:len(x)]
	n := len(x) &^ 3
	if n > 0 {
		expAVX2asm(&dst[0], &x[0], n)
	}
	expGo(dst[n:], x[n:])
}
