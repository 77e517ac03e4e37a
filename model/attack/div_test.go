package attack

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDivPaths: divTo (the AVX kernel where the CPU has it, the Go tail)
// gives the bits of the Go loop on every length 0..37, over numerators
// and divisors spread across the float range (subnormal quotients, ±0,
// ±Inf, NaN included), and in place (dst = src, as unitTo calls it).
// Negative control: multiplying by the reciprocal — the usual "faster"
// division — differs on this data, so the comparison sees single ulps.
func TestDivPaths(t *testing.T) {
	t.Logf("AVX kernel in use: %v", divAVX)
	r := rand.New(rand.NewPCG(6, 6))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 0x1p-1074, math.MaxFloat64}
	recipDiffers := 0
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for n := 0; n <= 37; n++ {
		for trial := 0; trial < 20; trial++ {
			src := make([]float64, n)
			for i := range src {
				src[i] = math.Ldexp(r.NormFloat64(), r.IntN(2000)-1000)
				if r.IntN(10) == 0 {
					src[i] = special[r.IntN(len(special))]
				}
			}
			d := math.Ldexp(0.5+r.Float64(), r.IntN(200)-100)
			if trial == 0 {
				d = special[r.IntN(len(special))]
			}
			got, want := make([]float64, n), make([]float64, n)
			divTo(got, src, d)
			divGo(want, src, d)
			inplace := append([]float64(nil), src...)
			divTo(inplace, inplace, d)
			for i := range got {
				if !same(got[i], want[i]) || !same(inplace[i], want[i]) {
					t.Fatalf("n=%d entry %d: %v/%v: divTo %v (in place %v), Go loop %v", n, i, src[i], d, got[i], inplace[i], want[i])
				}
				if !same(src[i]*(1/d), want[i]) {
					recipDiffers++
				}
			}
		}
	}
	if recipDiffers == 0 {
		t.Error("negative control: multiplying by 1/d matched the quotients everywhere; the comparison cannot see one ulp")
	}
}
