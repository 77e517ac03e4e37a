package linalg

// PackedB is op(B) packed once into the micro-panels of the active GEMM
// kernel, for a run of products with the same op(B) (the model's W_QK while
// PGD moves only the input): GemmPackedB then skips the packing that Gemm
// does in every call, and gives the same bits as Gemm. The zero value is
// empty; Pack fills it and reuses its storage. The B given to Pack must not
// change while the PackedB is in use.
type PackedB struct {
	transB bool
	k, n   int
	b      []float64 // the operand itself (OpenBLAS path; shape checks)
	ldb    int
	nr     int // the kernel's panel width the data is laid out for
	nPad   int
	data   []float64 // as gemmParams.sharedB: k block [p0, p0+kc) at data[p0·nPad:], panel j at +j·kc
}

// Pack packs op(B) into pb: op(B) is k×n, B itself n×k if transB (row
// stride ldb). It panics on inconsistent sizes, as Gemm does.
func (pb *PackedB) Pack(transB bool, k, n int, b []float64, ldb int) {
	checkGemm(false, transB, 0, n, k, nil, max(1, k), b, ldb, nil, max(1, n))
	nr := kern.nr
	*pb = PackedB{transB: transB, k: k, n: n, b: b, ldb: ldb, nr: nr, nPad: roundUp(n, nr), data: pb.data}
	pb.data = grow(pb.data, k*pb.nPad)
	p := &gemmParams{transB: transB, n: n, k: k, b: b, ldb: ldb}
	nb := kBlocks(k)
	for blk := 0; blk < nb; blk++ {
		p0, p1 := blk*k/nb, (blk+1)*k/nb
		packB(pb.data[p0*pb.nPad:], p, p0, p1-p0, 0, n, nr)
	}
}

const errPacked = "linalg: PackedB empty or packed for another kernel"

// GemmPackedB computes, row-major,
//
//	C = alpha·op(A)·op(B) + beta·C,   op(A) m×k, op(B) = pb's k×n, C m×n,
//
// bit for bit as Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta,
// c, ldc) would with the B and transB given to pb.Pack: the elements are
// accumulated in the same order, only the packing of op(B) is skipped. It
// panics on inconsistent sizes or if pb was packed for another kernel.
func GemmPackedB(transA bool, m int, alpha float64, a []float64, lda int, pb *PackedB, beta float64, c []float64, ldc int) {
	if pb.nr != kern.nr || pb.data == nil && pb.k*pb.n > 0 {
		panic(errPacked)
	}
	n, k := pb.n, pb.k
	checkGemm(transA, pb.transB, m, n, k, a, lda, pb.b, pb.ldb, c, ldc)
	gemmRun(gemmParams{transA: transA, transB: pb.transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: pb.b, ldb: pb.ldb, beta: beta, c: c, ldc: ldc, sharedB: pb.data, nPad: pb.nPad})
}
