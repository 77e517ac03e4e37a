//go:build goexperiment.simd && amd64

package linalg

import (
	"simd/archsimd"
	"unsafe"
)

// The simd/archsimd kernels (GOEXPERIMENT=simd, Go ≥ 1.26). Each
// accumulator lane is one element of the tile, updated by one fused
// multiply-add per p, so the tile equals, bit for bit, the scalar sum
// t_ij = fma(a_kc−1, b_kc−1, … fma(a_0, b_0, 0)).
//
// Register budget: Go's register allocator uses 16 vector registers
// (X0–X15/Y0–Y15/Z0–Z15, not Z16–Z31), and VFMADD213PD overwrites its
// broadcast operand, which costs a copy per reuse. Timed alternatives
// (kc = 256, tile in L1, one core): 4×16 AVX-512 39 GFLOP/s; 6×16 34;
// 8×8 28; 8×16 and 4×24 spill (9–13); 4×8 AVX2 20; 4×12 AVX2 19;
// unrolling p by 2 or 4 made the scheduler hoist loads and spill (19–28).

func init() {
	// The assembly kernel (tag avx512asm), when present, stays active.
	asm := kern.name != genericKernel.name
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		k := microKernel{name: "simd-avx2-4x8", mr: 4, nr: 8, fn: kernel4x8avx2}
		kernels = append(kernels, k)
		if !asm {
			kern = k
		}
	}
	if archsimd.X86.AVX512() {
		k := microKernel{name: "simd-avx512-4x16", mr: 4, nr: 16, fn: kernel4x16avx512}
		kernels = append(kernels, k)
		if !asm {
			kern = k
		}
	}
}

// kernel4x16avx512 is the 4×16 micro-kernel: 8 Float64x8 accumulators.
// kernel4x16avx512Tile writes the 4×16 tile into t. It is kept out of line so
// that the merge's operands do not take registers from the p loop. The
// loop addresses a and b through unsafe.Pointer: the two index checks
// before it cover every element it reads (bounds checks per load made
// the loop front-end bound, ~60 instructions per 8 FMAs instead of ~35).
//
//go:noinline
func kernel4x16avx512Tile(kc int, a []float64, ars, acs int, b []float64, ldb int, t *[64]float64) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float64x8
	_ = a[(kc-1)*acs+3*ars]
	_ = b[(kc-1)*ldb+15]
	pa, pb := unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(b))
	sa, ca, sb := uintptr(ars)*8, uintptr(acs)*8, uintptr(ldb)*8
	for p := uintptr(0); p < uintptr(kc); p++ {
		bp := unsafe.Add(pb, p*sb)
		b0 := archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(bp, 0)))
		b1 := archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(bp, 64)))
		ap := unsafe.Add(pa, p*ca)
		a0 := archsimd.BroadcastFloat64x8(*(*float64)(ap))
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat64x8(*(*float64)(unsafe.Add(ap, 1*sa)))
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat64x8(*(*float64)(unsafe.Add(ap, 2*sa)))
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat64x8(*(*float64)(unsafe.Add(ap, 3*sa)))
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
	}
	c00.Store((*[8]float64)(t[0:8]))
	c01.Store((*[8]float64)(t[8:16]))
	c10.Store((*[8]float64)(t[16:24]))
	c11.Store((*[8]float64)(t[24:32]))
	c20.Store((*[8]float64)(t[32:40]))
	c21.Store((*[8]float64)(t[40:48]))
	c30.Store((*[8]float64)(t[48:56]))
	c31.Store((*[8]float64)(t[56:64]))
}

func kernel4x16avx512(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	var t [64]float64
	kernel4x16avx512Tile(kc, a, ars, acs, b, ldb, &t)
	_ = c[3*ldc+15]
	al := archsimd.BroadcastFloat64x8(alpha)
	be := archsimd.BroadcastFloat64x8(beta)
	for i := 0; i < 4; i++ {
		r := (*[16]float64)(c[i*ldc:])
		for j := 0; j < 16; j += 8 {
			p := (*[8]float64)(r[j:])
			v := al.Mul(archsimd.LoadFloat64x8((*[8]float64)(t[i*16+j:])))
			switch mode {
			case modeSet:
				v.Store(p)
			case modeAdd:
				archsimd.LoadFloat64x8(p).Add(v).Store(p)
			default:
				be.Mul(archsimd.LoadFloat64x8(p)).Add(v).Store(p)
			}
		}
	}
}

// kernel4x8avx2 is the 4×8 micro-kernel: 8 Float64x4 accumulators.
// kernel4x8avx2Tile writes the 4×8 tile into t. It is kept out of line so
// that the merge's operands do not take registers from the p loop. The
// loop addresses a and b through unsafe.Pointer: the two index checks
// before it cover every element it reads (bounds checks per load made
// the loop front-end bound, ~60 instructions per 8 FMAs instead of ~35).
//
//go:noinline
func kernel4x8avx2Tile(kc int, a []float64, ars, acs int, b []float64, ldb int, t *[32]float64) {
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float64x4
	_ = a[(kc-1)*acs+3*ars]
	_ = b[(kc-1)*ldb+7]
	pa, pb := unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(b))
	sa, ca, sb := uintptr(ars)*8, uintptr(acs)*8, uintptr(ldb)*8
	for p := uintptr(0); p < uintptr(kc); p++ {
		bp := unsafe.Add(pb, p*sb)
		b0 := archsimd.LoadFloat64x4((*[4]float64)(unsafe.Add(bp, 0)))
		b1 := archsimd.LoadFloat64x4((*[4]float64)(unsafe.Add(bp, 32)))
		ap := unsafe.Add(pa, p*ca)
		a0 := archsimd.BroadcastFloat64x4(*(*float64)(ap))
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat64x4(*(*float64)(unsafe.Add(ap, 1*sa)))
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat64x4(*(*float64)(unsafe.Add(ap, 2*sa)))
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat64x4(*(*float64)(unsafe.Add(ap, 3*sa)))
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
	}
	c00.Store((*[4]float64)(t[0:4]))
	c01.Store((*[4]float64)(t[4:8]))
	c10.Store((*[4]float64)(t[8:12]))
	c11.Store((*[4]float64)(t[12:16]))
	c20.Store((*[4]float64)(t[16:20]))
	c21.Store((*[4]float64)(t[20:24]))
	c30.Store((*[4]float64)(t[24:28]))
	c31.Store((*[4]float64)(t[28:32]))
}

func kernel4x8avx2(kc int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64, mode int) {
	var t [32]float64
	kernel4x8avx2Tile(kc, a, ars, acs, b, ldb, &t)
	_ = c[3*ldc+7]
	al := archsimd.BroadcastFloat64x4(alpha)
	be := archsimd.BroadcastFloat64x4(beta)
	for i := 0; i < 4; i++ {
		r := (*[8]float64)(c[i*ldc:])
		for j := 0; j < 8; j += 4 {
			p := (*[4]float64)(r[j:])
			v := al.Mul(archsimd.LoadFloat64x4((*[4]float64)(t[i*8+j:])))
			switch mode {
			case modeSet:
				v.Store(p)
			case modeAdd:
				archsimd.LoadFloat64x4(p).Add(v).Store(p)
			default:
				be.Mul(archsimd.LoadFloat64x4(p)).Add(v).Store(p)
			}
		}
	}
}

func init() {
	if archsimd.X86.AVX512() {
		dotImpl, axpyImpl, scalImpl, expImpl = dot512, axpy512, scal512, exp512
		axpyRowsImpl = axpyRows512
	}
}

// dot512 keeps two Float64x8 accumulators (lanes i mod 16), reduced at the
// end, then adds the tail in order.
func dot512(x, y []float64) float64 {
	var s0, s1 archsimd.Float64x8
	n := len(x) &^ 15
	for i := 0; i < n; i += 16 {
		a := (*[16]float64)(x[i:])
		b := (*[16]float64)(y[i:])
		s0 = archsimd.LoadFloat64x8((*[8]float64)(a[0:8])).MulAdd(archsimd.LoadFloat64x8((*[8]float64)(b[0:8])), s0)
		s1 = archsimd.LoadFloat64x8((*[8]float64)(a[8:16])).MulAdd(archsimd.LoadFloat64x8((*[8]float64)(b[8:16])), s1)
	}
	var t [8]float64
	s0.Add(s1).Store(&t)
	s := ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func axpy512(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	av := archsimd.BroadcastFloat64x8(a)
	n := len(dst) &^ 7
	for i := 0; i < n; i += 8 {
		d := (*[8]float64)(dst[i:])
		archsimd.LoadFloat64x8((*[8]float64)(x[i:])).Mul(av).Add(archsimd.LoadFloat64x8(d)).Store(d)
	}
	for i := n; i < len(dst); i++ {
		dst[i] += a * x[i]
	}
}

func scal512(dst []float64, a float64) {
	av := archsimd.BroadcastFloat64x8(a)
	n := len(dst) &^ 7
	for i := 0; i < n; i += 8 {
		d := (*[8]float64)(dst[i:])
		archsimd.LoadFloat64x8(d).Mul(av).Store(d)
	}
	for i := n; i < len(dst); i++ {
		dst[i] *= a
	}
}

// exp512 is ExpTo's AVX-512 version (see ExpTo for the method).
func exp512(dst, x []float64) {
	const (
		log2e = 1.44269504088896338700e+00
		ln2hi = 6.93147180369123816490e-01 // fdlibm: k·ln2hi is exact for |k| < 2¹¹
		ln2lo = 1.90821492927058770002e-10
	)
	var c [14]archsimd.Float64x8 // 1/n!
	f := 1.0
	for n := range c {
		if n > 0 {
			f /= float64(n)
		}
		c[n] = archsimd.BroadcastFloat64x8(f)
	}
	lo, hi := archsimd.BroadcastFloat64x8(-708), archsimd.BroadcastFloat64x8(709)
	l2e := archsimd.BroadcastFloat64x8(log2e)
	mhi, mlo := archsimd.BroadcastFloat64x8(-ln2hi), archsimd.BroadcastFloat64x8(-ln2lo)
	bias := archsimd.BroadcastInt64x8(1023)
	n := len(x) &^ 7
	for i := 0; i < n; i += 8 {
		v := archsimd.LoadFloat64x8((*[8]float64)(x[i:]))
		if v.Less(lo).Or(v.Greater(hi)).Or(v.IsNaN()).ToBits() != 0 {
			expGo(dst[i:i+8], x[i:i+8])
			continue
		}
		k := v.Mul(l2e).RoundToEvenScaled(0)
		r := k.MulAdd(mhi, v)
		r = k.MulAdd(mlo, r)
		p := c[13]
		for j := 12; j >= 0; j-- {
			p = p.MulAdd(r, c[j])
		}
		scale := k.ConvertToInt64().Add(bias).ShiftAllLeft(52).AsFloat64x8()
		p.Mul(scale).Store((*[8]float64)(dst[i:]))
	}
	expGo(dst[n:len(x)], x[n:])
}

// axpyRows512 keeps each 8-lane chunk of dst in a register over all j:
// the same Mul-then-Add per j, in the same order, as axpy512.
func axpyRows512(dst, c []float64, inc int, src []float64, ld int) {
	n := len(dst) &^ 7
	for i := 0; i < n; i += 8 {
		d := (*[8]float64)(dst[i:])
		acc := archsimd.LoadFloat64x8(d)
		for j := 0; j*inc < len(c); j++ {
			s := (*[8]float64)(src[j*ld+i:])
			acc = acc.Add(archsimd.LoadFloat64x8(s).Mul(archsimd.BroadcastFloat64x8(c[j*inc])))
		}
		acc.Store(d)
	}
	if n < len(dst) {
		for j := 0; j*inc < len(c); j++ {
			a := c[j*inc]
			row := src[j*ld : j*ld+len(dst)]
			for i := n; i < len(dst); i++ {
				dst[i] += a * row[i]
			}
		}
	}
}
