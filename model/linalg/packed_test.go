package linalg

import (
	"math"
	"runtime"
	"testing"
)

// TestGemmPackedBBitwise: on every kernel of this CPU, at GOMAXPROCS 1 and
// 3, GemmPackedB gives C bit-identical to Gemm with the same operands, on
// every shape of the bitwise set (edge panels, several k blocks, strides,
// transposes, merge modes, products split over workers), and one PackedB
// serves several products (as W_QK serves the PGD steps).
func TestGemmPackedBBitwise(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	active := kern
	defer func() { kern = active }()
	shapes := bitwiseShapes()
	if testing.Short() {
		shapes = shapes[:len(shapes)-11]
	}
	var pb PackedB
	for _, procs := range []int{1, 3} {
		runtime.GOMAXPROCS(procs)
		for _, k := range kernels {
			kern = k
			for i, tc := range shapes {
				a, lda, b, ldb, c, ldc := tc.operands(uint64(300 + i))
				want := append([]float64(nil), c...)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)
				pb.Pack(tc.transB, tc.k, tc.n, b, ldb)
				for rep := range 2 {
					got := append([]float64(nil), c...)
					GemmPackedB(tc.transA, tc.m, tc.alpha, a, lda, &pb, tc.beta, got, ldc)
					if q := firstDiff(got, want); q >= 0 {
						t.Fatalf("GOMAXPROCS=%d %s %v (use %d): C[%d] = %x, Gemm %x", procs, k.name, tc, rep, q, math.Float64bits(got[q]), math.Float64bits(want[q]))
					}
				}
			}
		}
	}
}

// TestGemmPackedBMisuse: a PackedB used with a kernel of another panel
// width, an empty one, and operands of the wrong size panic with a
// package message instead of computing garbage.
func TestGemmPackedBMisuse(t *testing.T) {
	active := kern
	defer func() { kern = active }()
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	b := make([]float64, 6*5)
	c := make([]float64, 4*5)
	a := make([]float64, 4*6)
	var pb PackedB
	mustPanic("empty", func() { GemmPackedB(false, 4, 1, a, 6, &pb, 0, c, 5) })
	kern = genericKernel
	pb.Pack(false, 6, 5, b, 5)
	GemmPackedB(false, 4, 1, a, 6, &pb, 0, c, 5) // fine with the kernel it was packed for
	mustPanic("short a", func() { GemmPackedB(false, 4, 1, a[:10], 6, &pb, 0, c, 5) })
	mustPanic("short b", func() { pb.Pack(false, 6, 5, b[:20], 5) })
	other := microKernel{name: "wide", mr: 2, nr: 8, fn: genericKernel.fn}
	kern = other
	mustPanic("other kernel", func() { GemmPackedB(false, 4, 1, a, 6, &pb, 0, c, 5) })
}
