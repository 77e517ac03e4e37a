package vit

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestFreezeBitwise: Forward and Backward's input gradient on a frozen
// workspace (W_QK packed once, linalg.GemmPackedB) give the same bits as
// on a fresh one, at sizes where the products stay on one thread and where
// they are split over workers, and over repeated passes with a moving
// input (as in PGD). Negative control: changing W_QK after Freeze without
// Thaw changes the unfrozen result but not the frozen one, so the frozen
// path really reads the packed copy (and the comparison can fail).
func TestFreezeBitwise(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(3)
	for _, s := range []struct{ n, M, d, dh int }{{3, 4, 16, 4}, {10, 4, 64, 32}, {8, 8, 256, 128}} {
		a := Arch{D: s.d, Dh: s.dh, Dv: s.dh}
		m, err := NewInit(a, Init{Law: Gaussian, Shrink: 1}, 5)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(s.d), 9))
		x := make([]float64, s.n*s.M*s.d)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		coef := make([]float64, s.n)
		for i := range coef {
			coef[i] = r.NormFloat64()
		}
		plain, frozen := NewWorkspace(a, s.M, s.n), NewWorkspace(a, s.M, s.n)
		frozen.Freeze(m)
		dxP, dxF := make([]float64, len(x)), make([]float64, len(x))
		for step := range 3 {
			fP := append([]float64(nil), m.Forward(plain, x, s.n)...)
			fF := m.Forward(frozen, x, s.n)
			m.Backward(plain, x, s.n, coef, nil, dxP)
			m.Backward(frozen, x, s.n, coef, nil, dxF)
			for i := range fP {
				if math.Float64bits(fP[i]) != math.Float64bits(fF[i]) {
					t.Fatalf("%+v step %d: f[%d] frozen %v, plain %v", s, step, i, fF[i], fP[i])
				}
			}
			for i := range dxP {
				if math.Float64bits(dxP[i]) != math.Float64bits(dxF[i]) {
					t.Fatalf("%+v step %d: dx[%d] frozen %v, plain %v", s, step, i, dxF[i], dxP[i])
				}
			}
			for i := range x { // move the input as a PGD step would
				x[i] += 0.01 * dxP[i]
			}
		}

		// Negative control: W_QK changed behind Freeze's back.
		for i := range m.WQK {
			m.WQK[i] *= 1.5
		}
		fP := append([]float64(nil), m.Forward(plain, x, s.n)...)
		fF := append([]float64(nil), m.Forward(frozen, x, s.n)...)
		same := true
		for i := range fP {
			same = same && math.Float64bits(fP[i]) == math.Float64bits(fF[i])
		}
		if same {
			t.Fatalf("%+v: the frozen pass follows a change of W_QK: it does not read the packed copy", s)
		}
		frozen.Thaw()
		fT := m.Forward(frozen, x, s.n)
		for i := range fP {
			if math.Float64bits(fP[i]) != math.Float64bits(fT[i]) {
				t.Fatalf("%+v: after Thaw f[%d] = %v, plain %v", s, i, fT[i], fP[i])
			}
		}
	}
}
