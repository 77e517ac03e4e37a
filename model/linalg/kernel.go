package linalg

import "math"

// microKernel computes one mr×nr tile of a product,
//
//	t_ij = fma(a_{kc−1} b_{kc−1}, … fma(a_1, b_1, fma(a_0, b_0, +0))),  a_p = a[i·ars + p·acs], b_p = b[p·ldb + j],
//
// (a packed A panel has ars = 1, acs = mr; a packed B panel ldb = nr): one
// fused multiply-add chain per element, in increasing p, on every path. It
// merges the tile into the mr×nr block of c at stride ldc as merge does,
// element by element:
//
//	modeSet:  c_ij = alpha·t_ij
//	modeAdd:  c_ij = c_ij + alpha·t_ij
//	modeAxpby: c_ij = beta·c_ij + alpha·t_ij
//
// (each product rounded, then the sum: never fused, on every path). The
// tile shape does not enter the result, so every kernel gives the same bits.
type microKernel struct {
	name   string
	mr, nr int
	fn     func(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int)

	// tiles, if set, computes n whole tiles with the same B panel, tile t
	// from A at a[t·astep:] into C at c[t·cstep:], exactly as n calls of fn
	// would (the assembly kernels: one call for a column of tiles instead of
	// a Go call per tile).
	tiles func(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int)
	// tilesPF, if set, is tiles that also reads pf[:8·n·kc] ahead into L2,
	// one 64-byte line per k step of each tile (a software prefetch: the
	// results are those of tiles). serialKInner passes the next group's
	// packed A panels, which are n·mr·kc doubles for mr = 8.
	tilesPF func(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int, pf []float64)
}

// Merge modes of a micro-kernel.
const (
	modeSet = iota
	modeAdd
	modeAxpby
)

// kern is the active micro-kernel. It is set once, before main, by the
// init function of kernel_amd64.go from the CPU's features, and never
// changes afterwards (except in tests, which try every entry of kernels).
var kern = genericKernel

// kernels lists every micro-kernel of the build that runs on this CPU; the
// tests check each.
var kernels = []microKernel{genericKernel}

// genericKernel is the pure-Go kernel (the purego build, and CPUs without
// AVX2+FMA): 2×4 scalar accumulators, each a math.FMA chain (exact on every
// CPU: an instruction where the CPU has one, software otherwise).
var genericKernel = microKernel{name: "purego-2x4", mr: 2, nr: 4, fn: kernel2x4}

func kernel2x4(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	_ = a[(kc-1)*acs+ars]
	_ = b[(kc-1)*ldb+3]
	for p := 0; p < kc; p++ {
		bb := (*[4]float64)(b[p*ldb:])
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		o := p * acs
		a0, a1 := a[o], a[o+ars]
		c00 = math.FMA(a0, b0, c00)
		c01 = math.FMA(a0, b1, c01)
		c02 = math.FMA(a0, b2, c02)
		c03 = math.FMA(a0, b3, c03)
		c10 = math.FMA(a1, b0, c10)
		c11 = math.FMA(a1, b1, c11)
		c12 = math.FMA(a1, b2, c12)
		c13 = math.FMA(a1, b3, c13)
	}
	_ = c[ldc+3]
	t := [8]float64{c00, c01, c02, c03, c10, c11, c12, c13}
	merge(t[:], 4, c, ldc, 2, 4, alpha, beta, mode)
}

// merge merges rows×cols entries of the tile t (row stride nr) into c (row
// stride ldc) as the micro-kernels do.
func merge(t []float64, nr int, c []float64, ldc, rows, cols int, alpha, beta float64, mode int) {
	for r := 0; r < rows; r++ {
		tr := t[r*nr : r*nr+cols]
		cr := c[r*ldc : r*ldc+cols]
		switch mode {
		case modeSet:
			for q, v := range tr {
				cr[q] = alpha * v
			}
		case modeAdd:
			for q, v := range tr {
				cr[q] += float64(alpha * v) // float64(): never fused (arm64, GOAMD64=v3)
			}
		default:
			for q, v := range tr {
				cr[q] = float64(beta*cr[q]) + float64(alpha*v)
			}
		}
	}
}

// Path names the active kernels: the GEMM micro-kernel and the vector
// kernels, e.g. "asm-avx512-8x16+vec-avx512" or "purego-2x4+vec-go"
// ("openblas+…" under -tags openblas, whose large products are not
// bit-identical to the other paths).
func Path() string {
	s := kern.name + "+vec-" + vec.name
	if bigGemm != nil {
		return "openblas+" + s
	}
	return s
}
