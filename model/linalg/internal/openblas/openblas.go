//go:build cgo && openblas

// Package openblas links OpenBLAS (Debian libopenblas-dev) for the
// openblas build of package linalg; it builds only under -tags openblas.
// It is a package of its own because a package that uses cgo cannot hold
// Go assembly (linalg's avx512asm kernel).
package openblas

// #cgo LDFLAGS: -lopenblas
// int openblas_get_num_threads(void);
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// Dgemm computes C = alpha·op(A)·op(B) + beta·C, row-major, with
// OpenBLAS's cblas_dgemm through gonum's netlib binding.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	netlib.Implementation{}.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Threads reports OpenBLAS's thread count.
func Threads() int { return int(C.openblas_get_num_threads()) }
