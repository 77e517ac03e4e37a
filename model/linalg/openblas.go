//go:build openblas && cgo

package linalg

// #cgo LDFLAGS: -lopenblas
// int openblas_get_num_threads(void);
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// The openblas build (go build -tags openblas; needs cgo and Debian's
// libopenblas-dev) sends products of at least OpenBLASMinFlops flops to
// OpenBLAS's dgemm through gonum's netlib binding. OpenBLAS threads over
// blocks of C (level3_thread.c partitions m and n, never k), so its result
// does not depend on OPENBLAS_NUM_THREADS either; its thread count is its
// own (OPENBLAS_NUM_THREADS, default: all cores), not GOMAXPROCS.
func init() {
	bigGemm = openblasGemm
}

func openblasGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	netlib.Implementation{}.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// openblasThreads reports OpenBLAS's thread count (for the tests' log).
func openblasThreads() int { return int(C.openblas_get_num_threads()) }
