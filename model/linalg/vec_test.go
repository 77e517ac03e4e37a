package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotAxpy compares Dot, Scal and Axpy with plain loops for lengths around the
// vector widths (tails of 0..15 elements).
func TestDotAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for n := 0; n <= 70; n++ {
		x, y := make([]float64, n), make([]float64, n+3)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for i := range y {
			y[i] = r.NormFloat64()
		}
		want, scale := 0.0, 0.0
		for i := range x {
			want += x[i] * y[i]
			scale += math.Abs(x[i] * y[i])
		}
		if got := Dot(x, y); math.Abs(got-want) > tolOracle*scale {
			t.Errorf("Dot(n=%d) = %.17g, want %.17g", n, got, want)
		}
		sc := append([]float64(nil), x...)
		Scal(sc, 1.5)
		for i := range sc {
			if sc[i] != 1.5*x[i] {
				t.Fatalf("Scal(n=%d)[%d] = %.17g, want %.17g", n, i, sc[i], 1.5*x[i])
			}
		}
		dst := append([]float64(nil), y[:n]...)
		Axpy(dst, -0.75, x)
		for i := range dst {
			if w := math.FMA(-0.75, x[i], y[i]); dst[i] != w { // one fused multiply-add: exact match
				t.Fatalf("Axpy(n=%d)[%d] = %.17g, want %.17g", n, i, dst[i], w)
			}
		}
	}
	defer func() {
		if r := recover(); r != errShortVec {
			t.Errorf("Dot with short y: panic %v, want %q", r, errShortVec)
		}
	}()
	Dot(make([]float64, 3), make([]float64, 2))
}

// tolExp: ExpTo's SIMD version is a degree-13 polynomial evaluated with
// fused multiply-adds; its error is a few ulp (u = 2⁻⁵³). 8u bounds it with
// margin and is still 1e4 times tighter than the model tests need.
const tolExp = 8 * 0x1p-53

// TestExpTo compares ExpTo with math.Exp on a grid over [−750, 720] (both
// sides of the vector range [−708, 709]), on softmax-like arguments in
// [−40, 0], and on NaN and ±Inf, at lengths that leave scalar tails.
func TestExpTo(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	var x []float64
	for v := -750.0; v <= 720; v += 0.37 {
		x = append(x, v)
	}
	for range 4000 {
		x = append(x, -40*r.Float64())
	}
	x = append(x, 0, math.NaN(), math.Inf(1), math.Inf(-1), 1e-300, -1e-300)
	for _, n := range []int{len(x), len(x) - 3, 5} {
		got := ExpTo(make([]float64, n), x[:n])
		for i, v := range x[:n] {
			want := math.Exp(v)
			switch {
			case math.IsNaN(want):
				if !math.IsNaN(got[i]) {
					t.Fatalf("ExpTo(%g) = %g, want NaN", v, got[i])
				}
			case math.Abs(got[i]-want) > tolExp*want:
				t.Fatalf("ExpTo(%.17g) = %.17g, want %.17g (rel err %g)", v, got[i], want, math.Abs(got[i]-want)/want)
			}
		}
	}
}

// TestRows: DotRows and AxpyRows equal, bit for bit, the loops of Dot and
// Axpy they replace (so the model's sums do not change with them).
func TestRows(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{1, 5, 8, 17, 32, 37} {
		for _, rows := range []int{1, 3, 4, 16} {
			ld := n + 3
			src := make([]float64, rows*ld)
			for i := range src {
				src[i] = r.NormFloat64()
			}
			x := src[len(src)-n:]
			got := make([]float64, rows)
			DotRows(got, x, src, ld)
			for j := range got {
				if want := Dot(x, src[j*ld:]); got[j] != want {
					t.Fatalf("DotRows(n=%d, rows=%d)[%d] = %.17g, want %.17g", n, rows, j, got[j], want)
				}
			}
			for _, inc := range []int{1, rows} {
				c := make([]float64, rows*inc)
				for i := range c {
					c[i] = r.NormFloat64()
				}
				dst, want := make([]float64, n), make([]float64, n)
				for i := range dst {
					dst[i] = r.NormFloat64()
					want[i] = dst[i]
				}
				AxpyRows(dst, c, inc, src, ld)
				for j := 0; j < rows; j++ {
					Axpy(want, c[j*inc], src[j*ld:])
				}
				for i := range dst {
					if dst[i] != want[i] {
						t.Fatalf("AxpyRows(n=%d, rows=%d, inc=%d)[%d] = %.17g, want %.17g", n, rows, inc, i, dst[i], want[i])
					}
				}
			}
		}
	}
}
