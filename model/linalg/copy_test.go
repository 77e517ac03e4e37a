package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// packFunc is the signature of copyRows and transposeRows: a kc×w block
// of src (row stride ld) into dst (row stride wd).
type packFunc func(dst []float64, wd int, src []float64, ld, kc, w int)

// checkPack runs fn at every panel width w in ws (and w + 4 as the stride
// of dst) and depth kc in kcs, on random sources of random strides, and
// says what it got wrong ("" when nothing): dst[s·wd + c] must equal
// src[s·ld + c] (src[c·ld + s] when transposed) for c < w, s < kc, and the
// rest of dst (NaN before the call) must stay NaN.
func checkPack(r *rand.Rand, ws, kcs []int, transposed bool, fn packFunc) string {
	for _, w := range ws {
		for _, wd := range []int{w, w + 4} {
			for _, kc := range kcs {
				rows, cols := kc, w // the source block as stored
				if transposed {
					rows, cols = w, kc
				}
				ld := cols + r.IntN(5)
				src := make([]float64, (rows-1)*ld+cols)
				for i := range src {
					src[i] = r.NormFloat64()
				}
				dst := make([]float64, kc*wd+3)
				for i := range dst {
					dst[i] = math.NaN()
				}
				fn(dst, wd, src, ld, kc, w)
				for s := range kc {
					for c := range wd {
						got := dst[s*wd+c]
						at := s*ld + c
						if transposed {
							at = c*ld + s
						}
						if c < w && math.Float64bits(got) != math.Float64bits(src[at]) {
							return "copied wrong"
						}
						if c >= w && !math.IsNaN(got) {
							return "wrote past the row"
						}
					}
				}
				for _, v := range dst[kc*wd:] {
					if !math.IsNaN(v) {
						return "wrote past the block"
					}
				}
			}
		}
	}
	return ""
}

// TestCopyRows: copyRows (the assembly fast path where the CPU has it, and
// the plain copy) copies exactly the kc×w block, at every width the
// kernels use and others, with strides, leaving the rest of dst alone.
// Negative control: a copy that skips the last row is detected.
func TestCopyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	check := func(copyFn packFunc) string {
		return checkPack(r, []int{1, 2, 3, 4, 5, 8, 12, 16, 20}, []int{1, 2, 7, 256}, false, copyFn)
	}
	if bad := check(copyRows); bad != "" {
		t.Fatalf("copyRows (fast path %t): %s", fastCopyRows != nil, bad)
	}
	skipLast := func(dst []float64, wd int, src []float64, ld, kc, w int) {
		copyRows(dst, wd, src, ld, kc-1, w)
	}
	if check(skipLast) == "" {
		t.Fatal("negative control: a copy that skips the last row passed")
	}
}

// TestTransposeRows: transposeRows (4×4 blocks in assembly where the CPU
// has AVX2, the edges in Go) writes exactly dst[s·wd + r] = src[r·ld + s]
// for every row r < w and column s < kc, at the kernels' panel widths and
// odd ones, with strides, every tail of rows and columns, and leaves the
// rest of dst alone. Negative controls: a transposition that drops the
// column tail past 4⌊kc/4⌋, and one that swaps two rows of each block, are
// detected.
func TestTransposeRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	check := func(fn packFunc) string {
		return checkPack(r, []int{1, 3, 4, 5, 8, 11, 12, 16}, []int{1, 3, 4, 5, 8, 13, 256}, true, fn)
	}
	if bad := check(transposeRows); bad != "" {
		t.Fatalf("transposeRows (fast path %t): %s", fastTransposeRows != nil, bad)
	}
	fast := fastTransposeRows
	fastTransposeRows = nil
	bad := check(transposeRows)
	fastTransposeRows = fast
	if bad != "" {
		t.Fatalf("transposeRows in Go: %s", bad)
	}
	noTail := func(dst []float64, wd int, src []float64, ld, kc, w int) {
		transposeRows(dst, wd, src, ld, kc&^3, w)
	}
	swapped := func(dst []float64, wd int, src []float64, ld, kc, w int) {
		transposeRows(dst, wd, src, ld, kc, w)
		for s := range kc {
			if w >= 2 {
				dst[s*wd], dst[s*wd+1] = dst[s*wd+1], dst[s*wd]
			}
		}
	}
	for name, bad := range map[string]packFunc{"no column tail": noTail, "rows swapped": swapped} {
		if check(bad) == "" {
			t.Errorf("negative control %q passed", name)
		}
	}
}
