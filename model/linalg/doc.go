// Package linalg holds the dense kernels the model is built on, behind one
// row-major GEMM entry point, so that the model code never names a BLAS.
//
// Gemm is a blocked (GotoBLAS-style) matrix product: op(A) and op(B) are
// packed into micro-panels and an mr×nr micro-kernel accumulates each tile.
// The kernel is chosen at build time:
//
//	default                  pure Go, scalar 2×4 micro-kernel (no set-up)
//	GOEXPERIMENT=simd        simd/archsimd FMA micro-kernels: 4×16 AVX-512
//	                         or 4×8 AVX2+FMA, chosen at start-up from the
//	                         CPU; pure Go on other CPUs. Also Dot and Axpy.
//	-tags avx512asm          an 8×16 AVX-512 micro-kernel in Go assembly
//	                         (no cgo, no GOEXPERIMENT), on CPUs with
//	                         AVX-512F; it takes precedence over archsimd
//	-tags openblas (cgo)     products of at least OpenBLASMinFlops flops go
//	                         to OpenBLAS through gonum.org/v1/netlib; smaller
//	                         ones stay on the in-package kernels
//
// The options combine. The fast path, `make bench FAST=1` (bench.mk), is
// GOEXPERIMENT=simd with -tags avx512asm: no cgo and nothing to install; on
// the reference machine (results/bench/README.md) it matches OpenBLAS on
// the model's large products and beats it on the small ones.
//
// Path reports the active choice. Every path agrees with a naive triple loop
// to 1e-12 relative (gemm_test.go).
//
// Determinism: work is split over blocks of C only, never over k; the k
// blocking depends on k alone, and the micro-kernel accumulates each element
// over p in increasing order. So Gemm returns bit-identical results at any
// GOMAXPROCS and any number of workers. (The OpenBLAS path relies on
// OpenBLAS doing the same: its level-3 threading splits m and n only.)
//
// Workspaces: packing buffers belong to a fixed pool of worker goroutines,
// started on first use (GOMAXPROCS−1 of them; the caller computes one block
// itself), and to a free list of per-call jobs, so that Gemm allocates
// nothing in steady state. Products below parallelMinFlops run on the
// calling goroutine alone.
package linalg
