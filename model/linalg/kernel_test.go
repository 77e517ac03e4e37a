package linalg

import (
	"math/rand/v2"
	"testing"
)

// TestKernelTiles: every kernel's tiles (where set) gives, bit for bit,
// what n calls of its fn give: n = 1 … 5 tiles, A packed, in place by rows
// and in place transposed (the strides aPanel hands over), every merge
// mode, odd k. Negative control: a tiles that leaves out the last tile is
// detected.
func TestKernelTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	check := func(k microKernel, tiles func(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int)) string {
		mr, nr := k.mr, k.nr
		for _, kc := range []int{1, 7, 256} {
			for n := 1; n <= 5; n++ {
				const lda = 300
				for layout := range 3 {
					var ars, acs, astep int
					switch layout {
					case 0: // packed panels
						ars, acs, astep = 1, mr, mr*kc
					case 1: // rows of A in place
						ars, acs, astep = lda, 1, mr*lda
					default: // Aᵀ in place
						ars, acs, astep = 1, lda, mr
					}
					a := randVec(r, (n-1)*astep+(kc-1)*acs+(mr-1)*ars+1, 1)
					b := randVec(r, kc*nr, 1)
					ldc := nr + 3
					for mode := range 3 {
						c0 := randVec(r, n*mr*ldc, 1)
						want := append([]float64(nil), c0...)
						for q := range n {
							k.fn(kc, a[q*astep:], ars, acs, b, nr, want[q*mr*ldc:], ldc, 0.7, -1.1, mode)
						}
						got := append([]float64(nil), c0...)
						tiles(n, kc, a, ars, acs, astep, b, nr, got, ldc, mr*ldc, 0.7, -1.1, mode)
						if firstDiff(got, want) >= 0 {
							return "differs"
						}
					}
				}
			}
		}
		return ""
	}
	tested := 0
	for _, k := range kernels {
		if k.tiles == nil {
			continue
		}
		tested++
		if bad := check(k, k.tiles); bad != "" {
			t.Fatalf("%s: tiles %s from n calls of fn", k.name, bad)
		}
		short := func(n, kc int, a []float64, ars, acs, astep int, b []float64, ldb int, c []float64, ldc, cstep int, alpha, beta float64, mode int) {
			if n > 1 {
				k.tiles(n-1, kc, a, ars, acs, astep, b, ldb, c, ldc, cstep, alpha, beta, mode)
			}
		}
		if check(k, short) == "" {
			t.Errorf("%s: negative control (last tile left out) passed", k.name)
		}
	}
	t.Logf("%d kernels with tiles", tested)
}
