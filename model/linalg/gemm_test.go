package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

// tolOracle: Gemm and the naive loop evaluate the same sums in different
// orders (and the SIMD kernels fuse multiply and add). The error of a
// length-k sum is at most k·u times Σ|terms| (u = 2⁻⁵³), ≈ 7e-14 for
// k = 600, so 1e-12 relative to Σ|terms| is the bound with margin.
const tolOracle = 1e-12

// naive is the reference: a plain triple loop over op(A), op(B).
func naive(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s, sa := 0.0, 0.0
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
				sa += math.Abs(av * bv)
			}
			cv := c[i*ldc+j]
			w := alpha * s
			sc := math.Abs(alpha) * sa
			if beta != 0 {
				w += beta * cv
				sc += math.Abs(beta * cv)
			}
			want[i*n+j], scale[i*n+j] = w, sc
		}
	}
	return want, scale
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int // extra stride beyond the row length
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%t/tB=%t/m=%d/n=%d/k=%d/alpha=%g/beta=%g/pad=%d", tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// operands draws A, B, C with the strides of tc from seed.
func (tc gemmCase) operands(seed uint64) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	r := rand.New(rand.NewPCG(seed, 7))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = max(1, ac+tc.pad), max(1, bc+tc.pad), max(1, tc.n+tc.pad)
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = r.NormFloat64()
		}
		return s
	}
	return fill(ar * lda), lda, fill(br * ldb), ldb, fill(tc.m * ldc), ldc
}

// check runs Gemm through the active path and compares with naive.
func check(t *testing.T, tc gemmCase, seed uint64) {
	t.Helper()
	a, lda, b, ldb, c, ldc := tc.operands(seed)
	want, scale := naive(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	a0, b0 := append([]float64(nil), a...), append([]float64(nil), b...)
	c0 := append([]float64(nil), c...)
	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			got, w := c[i*ldc+j], want[i*tc.n+j]
			if e := math.Abs(got - w); e > tolOracle*math.Max(scale[i*tc.n+j], 1e-300) && e != 0 {
				t.Fatalf("%v: C[%d][%d] = %.17g, want %.17g (rel err %g)", tc, i, j, got, w, e/scale[i*tc.n+j])
			}
		}
		for j := tc.n; j < ldc; j++ { // padding untouched
			if c[i*ldc+j] != c0[i*ldc+j] {
				t.Fatalf("%v: padding C[%d][%d] written", tc, i, j)
			}
		}
	}
	for i := range a {
		if a[i] != a0[i] {
			t.Fatalf("%v: a modified at %d", tc, i)
		}
	}
	for i := range b {
		if b[i] != b0[i] {
			t.Fatalf("%v: b modified at %d", tc, i)
		}
	}
}

var oddSizes = []int{1, 2, 3, 5, 7, 13, 17, 33}

// forEachKernel runs f once per micro-kernel of the build (pure Go and,
// under GOEXPERIMENT=simd, every SIMD kernel the CPU supports), restoring
// the active one afterwards. The OpenBLAS path (tag openblas) is exercised
// by the shapes above OpenBLASMinFlops, in TestGemmLarge.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	active, big := kern, bigGemm
	defer func() { kern, bigGemm = active, big }()
	if bigMinFlops == 0 { // openblas_all: OpenBLAS once, then the kernels
		t.Run("path=openblas", f)
		bigGemm = nil
	}
	for _, k := range kernels {
		kern = k
		t.Run("kernel="+k.name, f)
	}
}

func TestGemmSmall(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		seed := uint64(1)
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, m := range oddSizes {
					for _, n := range oddSizes {
						for _, k := range []int{1, 3, 17} {
							ab := [][2]float64{{1, 0}, {-0.5, 1}, {2, -3}}[seed%3]
							check(t, gemmCase{tA, tB, m, n, k, ab[0], ab[1], int(seed % 3)}, seed)
							seed++
						}
					}
				}
			}
		}
	})
}

// TestGemmBlocks crosses every block edge: k > kcMax (several k blocks,
// unequal), m > mcMax, n > ncMax, and edges not on multiples of mr, nr.
func TestGemmBlocks(t *testing.T) {
	// The naive oracle dominates the time here, so it runs once per case
	// and every kernel is compared with it (checkKernels).
	shapes := [][3]int{{131, 517, 523}, {257, 65, 300}, {3, 1030, 257}, {129, 9, 1}}
	if testing.Short() {
		shapes = shapes[1:]
	}
	seed := uint64(100)
	for _, s := range shapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				checkKernels(t, gemmCase{tA, tB, s[0], s[1], s[2], 1.5, 0.25, 1}, seed)
				seed++
			}
		}
	}
}

// checkKernels compares Gemm on every micro-kernel of the build (and
// OpenBLAS under openblas_all) with one naive product of tc's operands.
func checkKernels(t *testing.T, tc gemmCase, seed uint64) {
	t.Helper()
	a, lda, b, ldb, c0, ldc := tc.operands(seed)
	want, scale := naive(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c0, ldc)
	forEachKernel(t, func(t *testing.T) {
		c := append([]float64(nil), c0...)
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				got, w := c[i*ldc+j], want[i*tc.n+j]
				if e := math.Abs(got - w); !(e <= tolOracle*math.Max(scale[i*tc.n+j], 1e-300)) {
					t.Fatalf("%v: C[%d][%d] = %.17g, want %.17g (rel err %g)", tc, i, j, got, w, e/scale[i*tc.n+j])
				}
			}
			for j := tc.n; j < ldc; j++ {
				if c[i*ldc+j] != c0[i*ldc+j] {
					t.Fatalf("%v: padding C[%d][%d] written", tc, i, j)
				}
			}
		}
	})
}

// TestGemmLarge runs the model's three products at a size above
// OpenBLASMinFlops, so the openblas build checks OpenBLAS here.
func TestGemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large shapes")
	}
	for i, tc := range []gemmCase{
		{false, false, 160, 256, 256, 1, 0, 0}, // Q|K = X·W_QK
		{false, true, 160, 256, 256, 1, 1, 0},  // ∂X += G_QK·W_QKᵀ
		{true, false, 256, 256, 160, 1, 0, 0},  // ∂W_QK = Xᵀ·G_QK
	} {
		check(t, tc, uint64(200+i))
	}
}

// TestGemmEdge: empty dimensions, k = 0 and alpha = 0 scale C by beta;
// beta = 0 ignores NaNs already in C.
func TestGemmEdge(t *testing.T) {
	c := []float64{1, 2, 3, 4}
	Gemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 3, c, 2)
	if c[0] != 3 || c[3] != 12 {
		t.Errorf("k=0, beta=3: C = %v, want [3 6 9 12]", c)
	}
	a := []float64{1, 2, 3, 4}
	Gemm(false, false, 2, 2, 2, 0, a, 2, a, 2, 0, c, 2)
	if c[0] != 0 || c[3] != 0 {
		t.Errorf("alpha=0, beta=0: C = %v, want zeros", c)
	}
	c = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	Gemm(false, false, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2)
	if want := []float64{7, 10, 15, 22}; c[0] != want[0] || c[1] != want[1] || c[2] != want[2] || c[3] != want[3] {
		t.Errorf("beta=0 over NaN: C = %v, want %v", c, want)
	}
	Gemm(false, false, 0, 5, 3, 1, nil, 3, make([]float64, 15), 5, 0, nil, 5) // m = 0: no-op
}

// TestGemmPanics: inconsistent sizes are programmer errors.
func TestGemmPanics(t *testing.T) {
	s := make([]float64, 6)
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"m<0", func() { Gemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }, errShape},
		{"lda<k", func() { Gemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }, errStride},
		{"short a", func() { Gemm(false, false, 3, 2, 3, 1, s, 3, s, 2, 0, s, 2) }, errShortA},
		{"short b", func() { Gemm(false, true, 2, 3, 3, 1, s, 3, s, 3, 0, s, 3) }, errShortB},
		{"short c", func() { Gemm(false, false, 2, 4, 1, 1, s, 1, s, 4, 0, s, 4) }, errShortC},
	} {
		func() {
			defer func() {
				if r := recover(); r != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// TestGemmDeterministic: the same product at GOMAXPROCS 1, 2, 3 and 5 is
// bit-identical (work splits over blocks of C only).
func TestGemmDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []gemmCase{
		{false, false, 97, 301, 600, 1, 0.5, 0},
		{true, false, 301, 97, 333, -1, 0, 2},
		{false, true, 40, 64, 64, 1, 1, 0},
	} {
		var ref []float64
		for _, procs := range []int{1, 2, 3, 5} {
			runtime.GOMAXPROCS(procs)
			a, lda, b, ldb, c, ldc := tc.operands(9)
			Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
			if ref == nil {
				ref = c
				continue
			}
			for i := range c {
				if math.Float64bits(c[i]) != math.Float64bits(ref[i]) {
					t.Fatalf("%v: GOMAXPROCS=%d: C[%d] = %x, GOMAXPROCS=1 gave %x", tc, procs, i, math.Float64bits(c[i]), math.Float64bits(ref[i]))
				}
			}
		}
	}
}

// TestGemmNoAllocs: after warm-up, a call allocates nothing, serial or
// split over workers.
func TestGemmNoAllocs(t *testing.T) {
	for _, tc := range []gemmCase{
		{false, false, 8, 8, 8, 1, 0, 0},
		{false, true, 200, 300, 256, 1, 1, 0},
		{true, false, 300, 200, 300, 1, 0, 0}, // op(A) shared, packed on first use; two k blocks
	} {
		a, lda, b, ldb, c, ldc := tc.operands(3)
		f := func() { Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, a, lda, b, ldb, tc.beta, c, ldc) }
		f()
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%v: %g allocs per call, want 0", tc, n)
		}
	}
}

// TestKernelControl is a negative control for the oracle: a kernel that
// drops the last p of each block must fail the comparison.
func TestKernelControl(t *testing.T) {
	active, big := kern, bigGemm
	defer func() { kern, bigGemm = active, big }()
	bigGemm = nil // the in-package kernels even under openblas_all
	bad := active
	bad.fn = func(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
		active.fn(kc-1, a, ars, acs, b, ldb, c, ldc, alpha, beta, mode)
	}
	kern = bad
	a, lda, b, ldb, c, ldc := gemmCase{false, false, 5, 6, 7, 1, 0, 0}.operands(5)
	want, scale := naive(false, false, 5, 6, 7, 1, a, lda, b, ldb, 0, c, ldc)
	Gemm(false, false, 5, 6, 7, 1, a, lda, b, ldb, 0, c, ldc)
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(c[i]-want[i])/scale[i])
	}
	if worst <= tolOracle {
		t.Fatalf("kernel dropping a term passed the oracle: worst rel err %g", worst)
	}
}

// TestKernelMergeBitwise: a full tile merged by the kernel itself (vector
// stores) equals, bit for bit, the same tile merged by the scalar merge, in
// every mode; otherwise an element's value would depend on whether its
// tile is at the edge of C.
func TestKernelMergeBitwise(t *testing.T) {
	defer func() { forceTile = false }()
	forEachKernel(t, func(t *testing.T) {
		for i, tc := range []gemmCase{
			{false, false, 16, 32, 300, 0.7, 0, 0},
			{false, true, 16, 32, 300, 1, 1, 1},
			{true, false, 16, 32, 300, -1.3, 0.3, 0},
		} {
			var ref []float64
			for _, force := range []bool{false, true} {
				forceTile = force
				a, lda, b, ldb, c, ldc := tc.operands(uint64(40 + i))
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
				if ref == nil {
					ref = c
					continue
				}
				for q := range c {
					if math.Float64bits(c[q]) != math.Float64bits(ref[q]) {
						t.Fatalf("%v: C[%d] = %x via buffer, %x via kernel merge", tc, q, math.Float64bits(c[q]), math.Float64bits(ref[q]))
					}
				}
			}
		}
	})
}

// TestNextA: the panels serialKInner reads ahead are the next group's of the
// same k block, the block's first group after its last, and none when the
// block has one group or the buffer ends before 8·n·kc doubles.
func TestNextA(t *testing.T) {
	const m, k, kc, mcStep, n = 530, 300, 150, 128, 16
	p := &gemmParams{m: m, k: k, mPad: 536, sharedA: make([]float64, k*536)}
	off := func(pf []float64) int { return len(p.sharedA) - len(pf) }
	for _, tc := range []struct {
		ok             bool
		p0, ic, i0, i1 int
		want           int // offset in sharedA, or -1 for nil
	}{
		{true, 0, 0, 0, m, 128 * kc},
		{true, 150, 256, 0, m, 150*536 + 384*kc},
		{true, 0, 512, 0, m, 0}, // last group: the block's first
		{true, 150, 384, 256, 512, 150*536 + 256*kc},
		{true, 0, 0, 0, 100, -1},               // one group
		{false, 0, 0, 0, m, -1},                // not asked
		{true, 150, 0, 0, m, 150*536 + 128*kc}, // 8·n·kc = 19200 doubles fit
	} {
		pf := nextA(p, tc.ok, tc.p0/kc, tc.p0, kc, tc.ic, tc.i0, tc.i1, mcStep, n)
		got := -1
		if pf != nil {
			got = off(pf)
		}
		if got != tc.want {
			t.Errorf("nextA(ok=%v, p0=%d, ic=%d, rows %d…%d) at offset %d, want %d", tc.ok, tc.p0, tc.ic, tc.i0, tc.i1, got, tc.want)
		}
	}
	// With op(A) packed on first use, only a group already packed is read
	// ahead (its lines may be being written by another thread otherwise).
	p.lazyA = make([]atomic.Uint32, 2*ceilDiv(m, mcStep))
	for _, st := range []uint32{0, 1, 2} {
		p.lazyA[1*ceilDiv(m, mcStep)+2].Store(st) // k block 1, rows 256…383
		pf := nextA(p, true, 1, 150, kc, 128, 0, m, mcStep, n)
		if (pf != nil) != (st == 2) {
			t.Errorf("nextA to a group in lazy state %d: read ahead %v, want %v", st, pf != nil, st == 2)
		}
	}
	p.lazyA = nil
	// Negative control: a group whose next panels run past the buffer.
	if pf := nextA(p, true, 1, 150, kc, 256, 0, m, mcStep, 40); pf != nil {
		t.Errorf("nextA past the end of sharedA (%d doubles left, want %d) = %d doubles, want nil", len(p.sharedA)-(150*536+384*kc), 8*40*kc, len(pf))
	}
}
