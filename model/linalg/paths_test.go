package linalg

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

// The bitwise identity of every path with pure Go: each kernel and vector
// implementation that runs on this CPU (kernels, vecs) against the pure-Go
// reference (genericKernel, vecGo), compared with math.Float64bits.

// firstDiff returns the first index where got and want differ in bits, or
// −1.
func firstDiff(got, want []float64) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return i
		}
	}
	return -1
}

// gemmWith runs Gemm with micro-kernel k on fresh operands of tc and
// returns C.
func gemmWith(k microKernel, tc gemmCase, seed uint64) []float64 {
	active, big := kern, bigGemm
	defer func() { kern, bigGemm = active, big }()
	kern, bigGemm = k, nil
	a, lda, b, ldb, c, ldc := tc.operands(seed)
	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	return c
}

// bitwiseShapes covers edge tiles in both directions for every kernel
// shape (mr 2, 4, 8; nr 4, 12, 16), several k blocks (k > kcMax, uneven),
// direct and packed operands (strides, transposes), every merge mode, and
// products big enough to be split over workers.
func bitwiseShapes() []gemmCase {
	var cs []gemmCase
	dims := []int{1, 3, 4, 7, 8, 9, 12, 13, 16, 17, 25, 33}
	i := 0
	for _, m := range dims {
		for _, n := range dims {
			k := []int{1, 2, 5, 16, 31, 64}[i%6]
			ab := [][2]float64{{1, 0}, {0.7, 1}, {-1.3, 0.3}, {1, 1}}[i%4]
			cs = append(cs, gemmCase{i%2 == 1, i%3 == 1, m, n, k, ab[0], ab[1], i % 3})
			i++
		}
	}
	for _, tc := range []gemmCase{
		{false, false, 37, 29, 600, 1, 0.5, 0}, // three k blocks
		{true, true, 29, 37, 257, -0.5, 1, 3},  // two uneven k blocks
		{false, true, 64, 130, 513, 1, 0, 0},
		{true, false, 140, 520, 300, 0.9, 0.2, 1}, // > mcMax rows, > ncMax columns
		{false, false, 200, 300, 256, 1, 1, 0},    // split over workers
		{false, true, 50, 768, 256, 1, 0, 0},
		// The shared packed operand of the parallel path (run): rows split
		// (op(B) shared), columns split (op(A) shared), each op, edge
		// panels, several k blocks, strides, every merge mode.
		{true, true, 301, 77, 300, 1, 0, 1},
		{true, false, 333, 45, 40, 0.5, 1, 0},
		{false, false, 210, 19, 530, 1, 0.3, 2},
		{false, true, 45, 1001, 520, -1, 0, 0},
		{true, false, 37, 530, 257, 1, 0.3, 3},
		{false, false, 23, 389, 129, 1, 1, 0},
		{false, true, 700, 530, 40, 1, 0, 0}, // rows split, shared op(B) wider than ncMax
		{true, false, 530, 700, 40, 1, 0, 0}, // columns split, shared op(A) taller than mcMax
	} {
		cs = append(cs, tc)
	}
	return cs
}

// TestGemmPathsBitwise: every micro-kernel, pure Go included, gives C
// bit-identical to the pure-Go kernel on one thread, on every shape, at
// GOMAXPROCS 1 and 3 (at 3 the large shapes take the parallel path, with
// its shared packed operand, which one thread never does).
func TestGemmPathsBitwise(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	shapes := bitwiseShapes()
	if testing.Short() {
		shapes = shapes[:len(shapes)-11]
	}
	runtime.GOMAXPROCS(1)
	want := make([][]float64, len(shapes))
	for i, tc := range shapes {
		want[i] = gemmWith(genericKernel, tc, uint64(100+i))
	}
	for _, procs := range []int{1, 3} {
		runtime.GOMAXPROCS(procs)
		for i, tc := range shapes {
			for _, k := range kernels {
				got := gemmWith(k, tc, uint64(100+i))
				if q := firstDiff(got, want[i]); q >= 0 {
					t.Fatalf("GOMAXPROCS=%d %s %v: C[%d] = %x, pure Go on one thread %x", procs, k.name, tc, q, math.Float64bits(got[q]), math.Float64bits(want[i][q]))
				}
			}
		}
	}
	t.Logf("%d kernels × %d shapes compared", len(kernels), len(shapes))
}

// TestGemmBitwiseControl: the comparison detects a kernel that rounds each
// product before adding it (the old pure-Go kernel) and one that
// accumulates p in decreasing order, each on a single small product.
func TestGemmBitwiseControl(t *testing.T) {
	separate := microKernel{name: "separate", mr: 2, nr: 4, fn: func(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
		var tl [8]float64
		for p := 0; p < kc; p++ {
			for i := range 2 {
				for j := range 4 {
					tl[i*4+j] += float64(a[p*acs+i*ars] * b[p*ldb+j])
				}
			}
		}
		merge(tl[:], 4, c, ldc, 2, 4, alpha, beta, mode)
	}}
	reversed := microKernel{name: "reversed", mr: 2, nr: 4, fn: func(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
		var tl [8]float64
		for p := kc - 1; p >= 0; p-- {
			for i := range 2 {
				for j := range 4 {
					tl[i*4+j] = math.FMA(a[p*acs+i*ars], b[p*ldb+j], tl[i*4+j])
				}
			}
		}
		merge(tl[:], 4, c, ldc, 2, 4, alpha, beta, mode)
	}}
	tc := gemmCase{false, false, 6, 8, 40, 1, 0, 0}
	want := gemmWith(genericKernel, tc, 1)
	for _, bad := range []microKernel{separate, reversed} {
		if q := firstDiff(gemmWith(bad, tc, 1), want); q < 0 {
			t.Errorf("%s kernel: bit-identical to pure Go, the comparison cannot fail", bad.name)
		}
	}
}

// vecLengths: 0…70 (every tail of the 16-lane dot, the 8- and 4-lane
// loops) and a few large ones.
func vecLengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 255, 256, 1000, 4099)
}

func randVec(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * r.NormFloat64()
	}
	return v
}

// TestVecPathsBitwise: Dot, Axpy, Scal, ExpTo, DotRows and AxpyRows on
// every vector implementation equal the pure-Go ones bit for bit.
func TestVecPathsBitwise(t *testing.T) {
	active := vec
	defer func() { vec = active }()
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range vecLengths() {
		x, y, d := randVec(r, n, 1), randVec(r, n, 1), randVec(r, n, 1)
		e := randVec(r, n, 30)
		a := r.NormFloat64()
		ld := n + 2
		rows := 5
		src := randVec(r, rows*ld, 1)
		c := randVec(r, rows, 1)
		type out struct {
			dot                           float64
			axpy, scal, exp, drows, arows []float64
		}
		run := func(v vecKernels) out {
			vec = v
			o := out{dot: Dot(x, y)}
			o.axpy = append([]float64(nil), d...)
			Axpy(o.axpy, a, x)
			o.scal = append([]float64(nil), x...)
			Scal(o.scal, a)
			o.exp = ExpTo(make([]float64, n), e)
			o.drows = make([]float64, rows)
			DotRows(o.drows, x, src, ld)
			o.arows = append([]float64(nil), d...)
			AxpyRows(o.arows, c, 1, src, ld)
			return o
		}
		want := run(vecGo)
		for _, v := range vecs[1:] {
			got := run(v)
			if math.Float64bits(got.dot) != math.Float64bits(want.dot) {
				t.Fatalf("%s: Dot(n=%d) = %x, pure Go %x", v.name, n, math.Float64bits(got.dot), math.Float64bits(want.dot))
			}
			for _, c := range []struct {
				op        string
				got, want []float64
			}{{"Axpy", got.axpy, want.axpy}, {"Scal", got.scal, want.scal}, {"ExpTo", got.exp, want.exp}, {"DotRows", got.drows, want.drows}, {"AxpyRows", got.arows, want.arows}} {
				if q := firstDiff(c.got, c.want); q >= 0 {
					t.Fatalf("%s: %s(n=%d)[%d] = %x, pure Go %x", v.name, c.op, n, q, math.Float64bits(c.got[q]), math.Float64bits(c.want[q]))
				}
			}
		}
	}
}

// TestVecBitwiseControl: a dot with 8 lanes instead of 16, and a dot with
// separately rounded products, differ from Dot in bits on some length;
// an Axpy with a separately rounded product differs on some element.
func TestVecBitwiseControl(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	dot8 := func(x, y []float64) float64 {
		var s [8]float64
		n := len(x) &^ 7
		for i := 0; i < n; i++ {
			s[i%8] = math.FMA(x[i], y[i], s[i%8])
		}
		t := ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
		for i := n; i < len(x); i++ {
			t = math.FMA(x[i], y[i], t)
		}
		return t
	}
	unfused := func(x, y []float64) float64 {
		var s [16]float64
		n := len(x) &^ 15
		for i := 0; i < n; i++ {
			s[i%16] += float64(x[i] * y[i])
		}
		for l := range 8 {
			s[l] += s[l+8]
		}
		for l := range 4 {
			s[l] += s[l+4]
		}
		t := (s[0] + s[2]) + (s[1] + s[3])
		for i := n; i < len(x); i++ {
			t += float64(x[i] * y[i])
		}
		return t
	}
	for name, bad := range map[string]func(x, y []float64) float64{"8 lanes": dot8, "unfused": unfused} {
		caught := false
		for n := 16; n <= 200 && !caught; n++ {
			x, y := randVec(r, n, 1), randVec(r, n, 1)
			caught = math.Float64bits(bad(x, y)) != math.Float64bits(Dot(x, y))
		}
		if !caught {
			t.Errorf("dot with %s: bit-identical to Dot on every length", name)
		}
	}
	x, d := randVec(r, 200, 1), randVec(r, 200, 1)
	got := append([]float64(nil), d...)
	Axpy(got, 0.3, x)
	caught := false
	for i := range d {
		caught = caught || math.Float64bits(d[i]+float64(0.3*x[i])) != math.Float64bits(got[i])
	}
	if !caught {
		t.Error("axpy with a rounded product: bit-identical to Axpy")
	}
}

// TestVecNoAllocs: the vector operations allocate nothing.
func TestVecNoAllocs(t *testing.T) {
	x, y := make([]float64, 100), make([]float64, 100)
	for i := range x {
		x[i], y[i] = float64(i)/50, 1-float64(i)/70
	}
	src := make([]float64, 300)
	f := func() {
		Dot(x, y)
		Axpy(y, 0.5, x)
		Scal(y, 0.5)
		ExpTo(y, x)
		DotRows(y[:3], x, src, 100)
		AxpyRows(y, x[:3], 1, src, 100)
	}
	if n := testing.AllocsPerRun(20, f); n != 0 {
		t.Errorf("%g allocs per call, want 0", n)
	}
}

// TestGemmLazyABitwise: a block of C whose op(A) is shared and packed on
// first use (lazyA) gives the same bits as pure Go when some groups are
// still "being packed" by another goroutine that never finishes, so that
// forGroups reads op(A) in place for them, on the two-k-block path
// (serialKInner) and on the others (serial). Negative control: a group
// marked packed that nobody packed must change C.
func TestGemmLazyABitwise(t *testing.T) {
	for _, tc := range []gemmCase{
		{true, false, 300, 70, 300, 1, 0, 0},   // two k blocks: serialKInner
		{true, false, 530, 70, 300, 1, 0, 0},   // the same, op(A) packed > pfMinBytes: nextA read ahead
		{true, true, 300, 70, 300, 0.5, 1, 1},  // op(B) from Bᵀ
		{true, false, 270, 45, 600, 1, 0.3, 0}, // three k blocks: serial
		{true, false, 140, 37, 100, -1, 1, 2},  // one k block, edge rows
	} {
		want := gemmWith(genericKernel, tc, 5)
		for _, k := range kernels {
			for _, stuck := range []uint32{1, 2} {
				got := lazyGemm(k, tc, 5, stuck)
				q := firstDiff(got, want)
				if stuck == 1 && q >= 0 {
					t.Fatalf("%s %v, groups 1 and 3 left being packed: C[%d] = %x, pure Go %x", k.name, tc, q, math.Float64bits(got[q]), math.Float64bits(want[q]))
				}
				if stuck == 2 && q < 0 {
					t.Errorf("%s %v: groups 1 and 3 marked packed but never packed, and C is unchanged: the test cannot fail", k.name, tc)
				}
			}
		}
	}
}

// lazyGemm computes the product tc on one goroutine through serial with
// op(A) shared and lazily packed, with groups 1 and 3 (of k block 0 and,
// where there is one, the same groups of the other blocks) set to state
// stuck before it starts.
func lazyGemm(k microKernel, tc gemmCase, seed uint64, stuck uint32) []float64 {
	active := kern
	defer func() { kern = active }()
	kern = k
	a, lda, b, ldb, c, ldc := tc.operands(seed)
	p := gemmParams{transA: tc.transA, transB: tc.transB, m: tc.m, n: tc.n, k: tc.k, alpha: tc.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: tc.beta, c: c, ldc: ldc}
	mr, mcStep := kern.mr, mcMax-mcMax%kern.mr
	p.mPad = roundUp(tc.m, mr)
	p.sharedA = make([]float64, tc.k*p.mPad)
	gpb := ceilDiv(tc.m, mcStep)
	p.lazyA = make([]atomic.Uint32, kBlocks(tc.k)*gpb)
	for blk := range kBlocks(tc.k) {
		for _, g := range []int{1, 3} {
			if g < gpb {
				p.lazyA[blk*gpb+g].Store(stuck)
			}
		}
	}
	serial(&p, newBuffers(), 0, tc.m, 0, tc.n)
	return c
}
