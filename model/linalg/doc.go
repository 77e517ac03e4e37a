// Package linalg holds the dense kernels the model is built on, behind one
// row-major GEMM entry point and a few vector operations, so that the model
// code never names a BLAS.
//
// Gemm is a blocked (GotoBLAS-style) matrix product: op(A) and op(B) are
// packed into micro-panels (or read in place) and an mr×nr micro-kernel
// accumulates each tile; the assembly kernels take a whole column of tiles
// (one B micro-panel) per call. The kernels are chosen at start-up from the CPU
// (golang.org/x/sys/cpu), with no build tag, cgo or GOEXPERIMENT:
//
//	amd64, AVX-512F     asm-avx512-8x16 GEMM, vec-avx512 vector ops (Go assembly)
//	amd64, AVX2+FMA     asm-avx2-4x12 GEMM, vec-avx2 vector ops (Go assembly)
//	otherwise           purego-2x4 GEMM, vec-go vector ops
//	-tags purego        the pure-Go kernels on every CPU
//	-tags openblas      (cgo, opt-in) products of ≥ OpenBLASMinFlops flops to
//	                    OpenBLAS; NOT bit-identical to the other paths and
//	                    outside every identity guarantee below
//
// Path reports the active choice, e.g. "asm-avx512-8x16+vec-avx512".
// VITADV_KERNEL=avx2 (avx512, purego) overrides the choice from the CPU, e.g.
// to measure the AVX2 kernels on a CPU with AVX-512 (env.go; a value the CPU
// or build cannot honour leaves the default and is reported by KernelEnvErr).
//
// Same bits on every path. The pure-Go kernels compute the same fused
// multiply-add chains, in the same order, as the assembly (math.FMA is exact
// on every CPU): each element of a GEMM tile is one FMA chain over p in
// increasing order from +0, merged into C by separately rounded products
// and sums (merge); Dot keeps 16 lanes (i mod 16) combined in a fixed
// pairwise order, then a fused tail; Axpy is one FMA per element; Exp is one
// algorithm (exp.go) evaluated op for op. So a seed gives the same bytes
// with any kernel of this package and at any GOMAXPROCS (tests:
// paths_test.go compares every path on this CPU with pure Go bitwise, with
// negative controls; CI compares the smoke preset's CSVs under the default
// and purego builds). math.Exp is not CPU-independent on amd64 (it uses FMA
// only where the CPU has it); model code calls Exp and Pow from here
// instead. (math.Log and the other math functions the model uses have no
// CPU dispatch on amd64. Across architectures, pure Go code elsewhere in
// the module may be fused by the compiler on arm64, so identity is claimed
// for amd64 CPUs.)
//
// Determinism: work is split over blocks of C only, never over k; the k
// blocking depends on k alone. So Gemm returns bit-identical results at any
// GOMAXPROCS and any number of workers. A split product packs the operand
// that every block reads whole once, shared by the blocks; PackedB keeps an
// op(B) packed across calls (GemmPackedB), for the model's W_QK while PGD
// moves only the input. Neither changes the order of any sum.
//
// Workspaces: packing buffers belong to a fixed pool of worker goroutines,
// started on first use (GOMAXPROCS−1 of them; the caller computes one block
// itself), and to a free list of per-call jobs, so that Gemm allocates
// nothing in steady state. Products below parallelMinFlops run on the
// calling goroutine alone. After a product of at least autoSpinMinFlops
// flops the threads poll for the next one for 200 µs before they park
// (VITADV_GEMM_SPIN, spin.go).
package linalg
