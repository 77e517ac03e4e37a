//go:build openblas && cgo

package linalg

import "vitadv/model/linalg/internal/openblas"

// The openblas build (go build -tags openblas; needs cgo and Debian's
// libopenblas-dev) sends products of at least OpenBLASMinFlops flops to
// OpenBLAS's dgemm through gonum's netlib binding (internal/openblas).
// OpenBLAS threads over blocks of C (level3_thread.c partitions m and n,
// never k), so its result does not depend on its thread count either; that
// count is its own (OPENBLAS_NUM_THREADS, default: all cores), not
// GOMAXPROCS.
func init() {
	bigGemm = openblas.Dgemm
}
