package certify

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"

	"vitadv/model/vit"
)

// tolSVD: gonum's SVD of A = W_Q W_Kᵀ (formed in float) is accurate to a
// few ulps of σ_max; specA is an upper bound of the exact σ_max, so it may
// not fall below the computed one by more than 1e-12 relative.
const tolSVD = 1e-12

// sigmaMax returns σ_max(W_Q W_Kᵀ) and ‖W_Q W_Kᵀ‖_F computed with gonum.
func sigmaMax(c *Certifier) (smax, frob float64) {
	wq := mat.NewDense(c.D, c.m.Dh, c.wq)
	wk := mat.NewDense(c.D, c.m.Dh, c.wk)
	var a mat.Dense
	a.Mul(wq, wk.T())
	var svd mat.SVD
	if !svd.Factorize(&a, mat.SVDNone) {
		return math.NaN(), math.NaN()
	}
	return svd.Values(nil)[0], mat.Norm(&a, 2)
}

// TestSpecA: specA bounds σ_max(W_Q W_Kᵀ) from above (against gonum's
// SVD) and is never looser than the Frobenius norm it replaces (up to
// rounding), on the six families of drawInst; on a rank-one A it is within
// rounding of σ_max (the fourth-power sum has one term: tightness).
func TestSpecA(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInst(t)
		c, err := New(in.m, in.M)
		if err != nil {
			t.Fatal(err)
		}
		smax, frob := sigmaMax(c)
		got := c.specA()
		if !(got >= smax*(1-tolSVD)) {
			t.Fatalf("specA %v below σ_max %v", got, smax)
		}
		// 1e-30: the fourth root of specA's absolute underflow slack
		// (tiny = 2⁻⁵⁰⁰ terms give ~1e-38 when A = 0).
		if !(got <= frob*(1+1e-9)+1e-30) {
			t.Fatalf("specA %v above ‖A‖_F %v", got, frob)
		}
	})
	// Rank one: W_Q = a e_0ᵀ, W_K = b e_0ᵀ, A = a bᵀ, σ_max = ‖a‖‖b‖ = ‖A‖_F.
	m, _ := vit.New(vit.Arch{D: 3, Dh: 2, Dv: 1})
	wq := []float64{1, 0, 2, 0, -2, 0}
	wk := []float64{0.5, 0, 0.5, 0, 0.5, 0}
	m.JoinQK(wq, wk)
	c, _ := New(m, 2)
	want := 3 * math.Sqrt(0.75)
	if got := c.specA(); !(got >= want && got <= want*(1+1e-12)) {
		t.Fatalf("rank one: specA %v, want %v", got, want)
	}
}

// TestSpecAControl: the upper-bound check fails on a planted bug, the
// square root of the trace instead of its fourth root (‖AᵀA‖_F-sized, so
// below σ_max when σ_max < 1): the test can fail.
func TestSpecAControl(t *testing.T) {
	m, _ := vit.New(vit.Arch{D: 3, Dh: 2, Dv: 1})
	m.JoinQK([]float64{0.5, 0.1, 0.2, -0.3, 0.1, 0.2}, []float64{0.3, 0.2, -0.1, 0.4, 0.2, 0.1})
	c, _ := New(m, 2)
	smax, _ := sigmaMax(c)
	got := c.specA()
	wrong := got * got // tr(C²)^{1/2} instead of ^{1/4}
	if !(got >= smax*(1-tolSVD)) {
		t.Fatalf("control set-up: specA %v below σ_max %v", got, smax)
	}
	if wrong >= smax*(1-tolSVD) {
		t.Fatalf("the planted bug %v passes against σ_max %v", wrong, smax)
	}
}
