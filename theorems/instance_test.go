package theorems

import (
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/data"
)

// TestJitter: a jittered run starts from the nominal initialization moved
// by exactly one ulp in every parameter, deterministically, and differently
// for different jitters; jitter 0 is the nominal run.
func TestJitter(t *testing.T) {
	sc := Tiny()
	inst := sc.Cell(4, 4, 0, 1).Fixed(1)
	lab := NewLab()
	r0, err := lab.Train(inst)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Jittered(0).Key() != inst.Key() {
		t.Errorf("Jittered(0) changes the instance key")
	}
	r1, _ := lab.Train(inst.Jittered(1))
	r1b, _ := NewLab().Train(inst.Jittered(1))
	r2, _ := lab.Train(inst.Jittered(2))
	up, diff12 := 0, 0
	for i, v := range r0.Init.WQK {
		w := r1.Init.WQK[i]
		if w != math.Nextafter(v, math.Inf(1)) && w != math.Nextafter(v, math.Inf(-1)) {
			t.Fatalf("jittered W_QK[%d] = %v, want %v ± 1 ulp", i, w, v)
		}
		if w > v {
			up++
		}
		if math.Float64bits(w) != math.Float64bits(r1b.Init.WQK[i]) {
			t.Fatalf("jitter is not deterministic at W_QK[%d]", i)
		}
		if w != r2.Init.WQK[i] {
			diff12++
		}
	}
	nw := len(r0.Init.WQK)
	if !(up > nw/4 && up < 3*nw/4) || !(diff12 > nw/4) {
		t.Errorf("jitter moved %d of %d weights up, jitters 1 and 2 differ on %d: want random signs", up, nw, diff12)
	}
	for i, v := range r0.Init.Wv {
		if d := math.Abs(r1.Init.Wv[i] - v); !(d > 0 && d <= 2*math.Abs(math.Nextafter(v, math.Inf(1))-v)) {
			t.Fatalf("jittered W_V[%d] moved by %g, want one ulp", i, d)
		}
	}
}

func TestChaosSpread(t *testing.T) {
	if s := (Chaos{Nominal: 1, Perturbed: []float64{1.5, 0.8}}).Spread(); s != 0.5 {
		t.Errorf("Spread = %g, want 0.5", s)
	}
	if s := (Chaos{Nominal: 1, Perturbed: []float64{math.NaN(), 0.8}}).Spread(); !math.IsNaN(s) {
		t.Errorf("Spread with NaN = %g, want NaN", s)
	}
	if s := (Chaos{Nominal: math.NaN(), Perturbed: []float64{1}}).Spread(); !math.IsNaN(s) {
		t.Errorf("Spread with NaN nominal = %g, want NaN", s)
	}
	if _, err := NewLab().Chaos(Tiny().Cell(4, 4, 0, 1), 0, func(*Run) float64 { return 0 }); err == nil {
		t.Errorf("Chaos(reruns=0) = nil error, want one")
	}
}

// TestNSNR2BothConventions pins N·SNR² in both conventions on a hand-computed instance:
// d = 16, ‖μ‖ = 4, σ₂ = 2, σ_w = 1/4, N = 10, so SNR₂ = 4/(2·4) = 1/2 and
// SNR_w = 4/(¼·4) = 4: N·SNR₂² = 2.5, N·SNR_w² = 160.
// It kills mutant thm-nsnr2-not-squared of mutate/catalogue.txt.
func TestNSNR2BothConventions(t *testing.T) {
	dc := data.Config{D: 16, M: 2, N: 10, NTest: 2, MuNorm: 4, Sigma2: 2, SigmaW: 0.25}
	k := Defaults()
	check.Near(t, "N·SNR₂²", k.NSNR2(dc), 2.5, 1e-15, 0)
	k.SNR = "weak"
	check.Near(t, "N·SNR_w²", k.NSNR2(dc), 160, 1e-15, 0)
}
