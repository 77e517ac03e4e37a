// Package linalg holds the dense kernels the model is built on, behind one
// row-major GEMM entry point, so that the model code never names a BLAS.
//
// The default build uses gonum's pure-Go BLAS. Faster paths (OpenBLAS through
// cgo, SIMD kernels) are selected at build time and must agree with this one
// to 1e-12 relative (see bench/ and the kernel tests).
package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Gemm computes, row-major,
//
//	C = alpha·op(A)·op(B) + beta·C,   op(A) m×k, op(B) k×n, C m×n,
//
// where op(A) = Aᵀ if transA, else A (likewise B). lda, ldb, ldc are row
// strides. Each element of C is accumulated over k in a fixed order, so the
// result does not depend on GOMAXPROCS. It panics on inconsistent sizes.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	gonum.Implementation{}.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
