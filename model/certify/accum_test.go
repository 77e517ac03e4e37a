package certify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAccum4Paths: accum4 (the AVX kernel where the CPU has it, the Go
// tail) gives the bits of the Go loop accum4Go on every length 0..37 and
// on entries spread over many binades with both signs, summed over a few
// rows as prepare sums them. Negative control: a fused multiply-add
// (one rounding instead of two) differs on this data, so the comparison
// sees a single rounding.
func TestAccum4Paths(t *testing.T) {
	t.Logf("AVX kernel in use: %v", accumAVX)
	r := rand.New(rand.NewPCG(4, 4))
	draw := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Ldexp(r.NormFloat64(), r.IntN(40)-20)
		}
		return v
	}
	fusedDiffers := 0
	for n := 0; n <= 37; n++ {
		var acc, ref, fused [4][]float64
		for a := range acc {
			acc[a], ref[a], fused[a] = make([]float64, n), make([]float64, n), make([]float64, n)
		}
		for row := 0; row < 5; row++ {
			var w [4][]float64
			for a := range w {
				w[a] = draw(n)
			}
			xv := math.Ldexp(r.NormFloat64(), r.IntN(20)-10)
			ax := math.Abs(xv)
			accum4(acc[0], acc[1], acc[2], acc[3], w[0], w[1], w[2], w[3], xv, ax)
			accum4Go(ref[0], ref[1], ref[2], ref[3], w[0], w[1], w[2], w[3], xv, ax)
			for a := range fused {
				c := xv
				if a >= 2 {
					c = ax
				}
				for i := range fused[a] {
					fused[a][i] = math.FMA(c, w[a][i], fused[a][i])
				}
			}
		}
		for a := range acc {
			for i := range acc[a] {
				if math.Float64bits(acc[a][i]) != math.Float64bits(ref[a][i]) {
					t.Fatalf("n=%d sum %d entry %d: accum4 %v, Go loop %v", n, a, i, acc[a][i], ref[a][i])
				}
				if math.Float64bits(fused[a][i]) != math.Float64bits(ref[a][i]) {
					fusedDiffers++
				}
			}
		}
	}
	if fusedDiffers == 0 {
		t.Error("negative control: fused multiply-adds gave the bits of the two-rounding loop everywhere; the comparison cannot see one rounding")
	}
}
