package linalg

// microKernel computes one mr×nr tile of a product,
//
//	t_ij = Σ_{p=0}^{kc−1} a[i·ars + p·acs] · b[p·ldb + j],
//
// (a packed A panel has ars = 1, acs = mr; a packed B panel ldb = nr)
// accumulated from zero in increasing p, and merges it into the mr×nr block
// of c at stride ldc as merge does, element by element:
//
//	modeSet:  c_ij = alpha·t_ij
//	modeAdd:  c_ij = c_ij + alpha·t_ij
//	modeAxpby: c_ij = beta·c_ij + alpha·t_ij
//
// (each product rounded, then the sum: never fused, so that every kernel
// merges identically).
type microKernel struct {
	name   string
	mr, nr int
	fn     func(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int)
}

// Merge modes of a micro-kernel.
const (
	modeSet = iota
	modeAdd
	modeAxpby
)

// kern is the active micro-kernel. It is set once, before main, by init
// functions of build-tagged files and never changes afterwards.
var kern = genericKernel

// kernels lists every micro-kernel of the build that runs on this CPU; the
// tests check each.
var kernels = []microKernel{genericKernel}

// genericKernel is the pure-Go kernel: 2×4 scalar accumulators. Go's amd64
// back end has 15 usable floating-point registers, so 8 accumulators plus
// 4+2 operands fit without spills (4×4 spilled and ran at 3.7 GFLOP/s per
// core, 2×4 at 4.8). The compiler does not fuse a*b+c on amd64, and
// math.FMA costs a CPU-feature branch per call (2.0 GFLOP/s), so the
// products are rounded before the additions.
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
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
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
				cr[q] += alpha * v
			}
		default:
			for q, v := range tr {
				cr[q] = beta*cr[q] + alpha*v
			}
		}
	}
}

// Path names the active GEMM implementation, e.g. "purego-2x4",
// "simd-avx512-4x16" or "openblas>=4194304flops+purego-2x4".
func Path() string {
	if bigGemm != nil {
		return "openblas+" + kern.name
	}
	return kern.name
}
