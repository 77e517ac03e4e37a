package theorems

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func wantStatus(t *testing.T, what string, c Check, want Status) {
	t.Helper()
	if c.Status != want {
		t.Errorf("%s: status %q, want %q (rule %q, measured %q, note %q)", what, c.Status, want, c.Rule, c.Measured, c.Note)
	}
}

// TestCheckP9: a robust error that falls by 0.05 anywhere along the sweep
// (not only between neighbours) is not monotone at MonoTol = 0.03; a fall
// of 0.02 is. Planting a tolerance of 3 (in Consts or in the rule) makes
// the first case pass and this test fail.
func TestCheckP9(t *testing.T) {
	k := Defaults()
	if k.MonoTol != 0.03 {
		t.Errorf("Defaults().MonoTol = %g, want THEORY P9's 0.03", k.MonoTol)
	}
	taus := []float64{0, 0.1, 0.2, 0.3}
	exact := func(e []float64) Check { return CheckP9(taus, e, e, k) } // lb = ub: a point estimate
	wantStatus(t, "fall 0.05 between neighbours", exact([]float64{0.1, 0.3, 0.25, 0.4}), NotReproduced)
	// Falls by 0.025 per step, 0.05 overall: consecutive pairs pass, the
	// pair (0.1, 0.3) does not.
	wantStatus(t, "drift 0.05 over two steps", exact([]float64{0.1, 0.3, 0.275, 0.25}), NotReproduced)
	wantStatus(t, "fall 0.02", exact([]float64{0.1, 0.3, 0.28, 0.4}), Reproduced)
	wantStatus(t, "NaN error", exact([]float64{0.1, math.NaN(), 0.3, 0.4}), Inconclusive)
	wantStatus(t, "one budget", CheckP9(taus[:1], []float64{0.1}, []float64{0.1}, k), Inconclusive)
	// Brackets: an attack lower bound that falls is no witness while the
	// certificate leaves room above it; a lower bound above a later upper
	// bound is.
	wantStatus(t, "lb falls 0.12, ub = 1", CheckP9(taus, []float64{0, 0.1, 0.96, 0.84}, []float64{0, 0.2, 1, 1}, k), Inconclusive)
	wantStatus(t, "lb(0.2) = 0.9 > ub(0.3) = 0.5", CheckP9(taus, []float64{0, 0.1, 0.9, 0.4}, []float64{0, 0.2, 1, 0.5}, k), NotReproduced)
	wantStatus(t, "brackets ordered", CheckP9(taus, []float64{0, 0.2, 0.5, 0.9}, []float64{0, 0.21, 0.52, 1}, k), Reproduced)
	c := exact([]float64{0.1, 0.3, 0.25, 0.4})
	if !strings.Contains(c.Rule, "0.03") || !strings.Contains(c.Measured, "0.050") {
		t.Errorf("P9 row: rule %q, measured %q; want the tolerance 0.03 and the decrease 0.050", c.Rule, c.Measured)
	}
	k.MonoTol = 0.06
	wantStatus(t, "fall 0.05 at MonoTol 0.06 (the rule reads Consts)", exact([]float64{0.1, 0.3, 0.25, 0.4}), Reproduced)
}

func TestCheckP9Region(t *testing.T) {
	k := Defaults()
	wantStatus(t, "shrinks", CheckP9Region([]float64{0, 0.1, 0.4}, []float64{0.39, 0.36, 0}, k), Reproduced)
	wantStatus(t, "grows", CheckP9Region([]float64{0, 0.1, 0.4}, []float64{0.3, 0.36, 0}, k), NotReproduced)
	wantStatus(t, "one diagram", CheckP9Region([]float64{0}, []float64{0.3}, k), Inconclusive)
}

func TestCheckP1(t *testing.T) {
	k := Defaults()
	cells := []P1Cell{{N: 4, C: 8, Overfit: 1, Benign: 0.8}, {N: 4, C: 0.5, Overfit: 1, Benign: 0}, {N: 4, C: 2, Overfit: 1, Benign: 0.5}}
	wantStatus(t, "bands hold", CheckP1(cells, k), Reproduced)
	// Per cell, not pooled: one cell at 60% fails even if the pool is 80%.
	bad := append(cells, P1Cell{N: 8, C: 16, Overfit: 1, Benign: 0.6}, P1Cell{N: 8, C: 32, Overfit: 1, Benign: 1})
	wantStatus(t, "one benign-band cell at 60%", CheckP1(bad, k), NotReproduced)
	notFit := append([]P1Cell(nil), cells...)
	notFit[2].Overfit = 0.8
	wantStatus(t, "a run does not overfit", CheckP1(notFit, k), NotReproduced)
	wantStatus(t, "no harmful-band cell", CheckP1(cells[:1], k), Inconclusive)
}

// outcomesWith returns a phase sweep benign iff c ≥ cstar(N).
func outcomesWith(cstar func(n int) float64) []Outcome {
	var outs []Outcome
	for _, n := range []int{4, 8, 16, 32} {
		for j := -8; j <= 8; j++ {
			c := math.Pow(2, float64(j)/2)
			for s := uint64(1); s <= 2; s++ {
				outs = append(outs, Outcome{N: n, C: c, Seed: s, Benign: c >= cstar(n)})
			}
		}
	}
	return outs
}

// TestCheckP2: c* = const gives slope −1/2 (reproduced); c* ∝ N (‖μ‖* flat,
// slope 0) is outside the band; one N only is inconclusive.
func TestCheckP2(t *testing.T) {
	k := Defaults()
	good := outcomesWith(func(int) float64 { return 2 })
	ci, err := BootstrapCells(good, 200, 1, SlopeOf)
	c := CheckP2(good, ci, err, k)
	wantStatus(t, "c* = 2", c, Reproduced)
	if !strings.Contains(c.Measured, "contains −0.500: yes") && !strings.Contains(c.Measured, "refused") {
		t.Errorf("P2 measured %q: want the containment of −1/2", c.Measured)
	}
	flat := outcomesWith(func(n int) float64 { return float64(n) / 4 })
	wantStatus(t, "c* ∝ N", CheckP2(flat, BootCI{}, errors.New("skipped"), k), NotReproduced)
	one := outcomesWith(func(int) float64 { return 2 })[:34]
	wantStatus(t, "one N", CheckP2(one, BootCI{}, nil, k), Inconclusive)
}

func TestCheckP3P4(t *testing.T) {
	k := Defaults()
	wantStatus(t, "P3 holds", CheckP3(0.285, 0.5, 0.05, 8, k), Reproduced)
	wantStatus(t, "P3 a₁ below AttnFactor/M", CheckP3(0.18, 0.5, 0.05, 8, k), NotReproduced)
	wantStatus(t, "P3 γ̄ = 0", CheckP3(0.3, 0, 0.05, 8, k), NotReproduced)
	wantStatus(t, "P3 test loss NaN", CheckP3(0.3, 0.5, math.NaN(), 8, k), NotReproduced)
	wantStatus(t, "P4 holds", CheckP4(0.69, 0.001, 0.75, 40, 1, -0.5, -0.01, k), Reproduced)
	// The signal is max|γ±|: γ₊ = 1, γ₋ = −9 ⇒ (γ₊−γ₋)/2 = 5 but max = 9, and
	// ρ = 40 < 5·9.
	wantStatus(t, "P4 memorization vs max|γ±|", CheckP4(0.69, 0.001, 0.75, 40, 1, -9, -0.01, k), NotReproduced)
	wantStatus(t, "P4 a₁ rises 0.2", CheckP4(0.69, 0.001, 0.75, 40, 1, -0.5, 0.2, k), NotReproduced)
}

func TestCheckP5P6P7P8(t *testing.T) {
	k := Defaults()
	wantStatus(t, "P5 holds (certified)", CheckP5(0.05, 0.04, 0.04, 0.0, 0.005, k), Reproduced)
	wantStatus(t, "P5 robust error ≥ 0.06 > 0 + 0.05", CheckP5(0.05, 0.06, 0.2, 0.0, 0.005, k), NotReproduced)
	wantStatus(t, "P5 bracket straddles", CheckP5(0.05, 0.01, 0.5, 0.0, 0.005, k), Inconclusive)
	wantStatus(t, "P5 no upper bound (NaN)", CheckP5(0.05, 0.01, math.NaN(), 0.0, 0.005, k), Inconclusive)
	wantStatus(t, "P5 not fitted", CheckP5(0.05, 0.0, 0.0, 0.0, 0.02, k), NotReproduced)
	if !InRegime1(0.1, 64, k) || InRegime1(0.2, 64, k) || InRegime1(0, 64, k) {
		t.Errorf("InRegime1 at d_h = 64: want (0, 0.5/ln 64 = 0.120]")
	}
	if !InRegime2(0.55, 64, k) || InRegime2(0.4, 64, k) || InRegime2(0.7, 64, k) {
		t.Errorf("InRegime2 at d_h = 64: want [2/ln 64 = 0.481, 0.6]")
	}
	wantStatus(t, "P6 holds", CheckP6(0.55, 0.95, 8, false, 8, k), Reproduced)
	wantStatus(t, "P6 censored in band", CheckP6(0.55, 0.95, 8, true, 8, k), Inconclusive)
	wantStatus(t, "P6 censored above 4M", CheckP6(0.55, 0.95, 40, true, 8, k), NotReproduced)
	wantStatus(t, "P6 low entropy", CheckP6(0.55, 0.5, 8, false, 8, k), NotReproduced)
	wantStatus(t, "P6 too fast", CheckP6(0.55, 0.95, 1, false, 8, k), NotReproduced)

	taus := []float64{0, 0.05, 0.1, 0.25, 0.4}
	wantStatus(t, "P7 crossing at 0.2", CheckP7(64, 8, taus, []float64{0.5, 0.5, 0.45, 0.2, 0.15}, k), Reproduced)
	wantStatus(t, "P7 never crosses", CheckP7(64, 8, taus, []float64{0.5, 0.5, 0.5, 0.5, 0.5}, k), NotReproduced)

	f := P8Floor(200, k)
	if math.Abs(f-(0.5-4*math.Sqrt(0.25/200))) > 1e-15 {
		t.Errorf("P8Floor(200) = %g", f)
	}
	wantStatus(t, "P8 holds (witnessed)", CheckP8([]float64{0.5, 0.7, 1}, []float64{0.1, 0.5, 0.5}, []float64{0.2, 1, 1}, 200, k), Reproduced)
	wantStatus(t, "P8 at 0.7071: certified below floor", CheckP8([]float64{0.5, 0.71}, []float64{0.1, 0.3}, []float64{0.1, 0.3}, 200, k), NotReproduced)
	wantStatus(t, "P8 at 0.7071: straddles", CheckP8([]float64{0.5, 0.71}, []float64{0.1, 0.3}, []float64{0.1, 0.9}, 200, k), Inconclusive)
	wantStatus(t, "P8 no budget", CheckP8([]float64{0.5}, []float64{0.1}, []float64{0.1}, 200, k), Inconclusive)
}

func TestStatusOf(t *testing.T) {
	if StatusOf(Certified) != Reproduced || StatusOf(Refuted) != NotReproduced || StatusOf(Undecided) != Inconclusive || StatusOf("") != Inconclusive {
		t.Error("StatusOf mapping")
	}
}
