package report

import (
	"fmt"
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/theorems"
)

// synthetic returns grid points whose replicates are benign exactly when
// c ≥ cstar(N), on a log grid of c.
func synthetic(cstar func(n int) float64) []GridPoint {
	var pts []GridPoint
	for _, n := range []int{2, 4, 8, 16, 32} {
		for k := -8; k <= 8; k++ {
			c := math.Pow(2, float64(k)/2)
			p := GridPoint{N: n, C: c, SNR2: math.Sqrt(c / float64(n))}
			for r := 0; r < 3; r++ {
				p.Vals = append(p.Vals, 0)
				p.Benign = append(p.Benign, c >= cstar(n))
			}
			pts = append(pts, p)
		}
	}
	return pts
}

// TestFitBoundary: a boundary at constant N·SNR² has slope −1/2 and C_b at
// the constant; a boundary at constant SNR (c* ∝ N) has slope 0 — the
// negative control that the fit can leave the P2 band.
func TestFitBoundary(t *testing.T) {
	// The logistic midpoint of perfectly separated outcomes lies between
	// the grid points 2^(1/4) apart in c around the boundary (the ridge
	// keeps it finite), so C_b is located within a factor 1.2.
	k := theorems.Defaults()
	b := FitBoundary(synthetic(func(int) float64 { return 1.5 }), 1)
	check.Near(t, "constant N·SNR²: slope", b.Slope, -0.5, 0, 0.05)
	check.AtLeast(t, "constant N·SNR²: C_b", b.CB, 1.5/1.2)
	check.AtMost(t, "constant N·SNR²: C_b", b.CB, 1.5*1.2)
	if in, ok := theorems.Contains(b.SlopeLo, b.SlopeHi, b.Slope); !in || !ok {
		t.Errorf("interval [%.3f, %.3f] does not contain the estimate %.3f", b.SlopeLo, b.SlopeHi, b.Slope)
	}
	if b.SlopeErr != nil || b.CBErr != nil {
		t.Errorf("bootstrap refused: %v, %v", b.SlopeErr, b.CBErr)
	}
	for i, c := range b.CStar {
		check.Near(t, fmt.Sprintf("c*(N=%d)", b.N[i]), c, 1.5, 0.2, 0)
	}
	ctl := FitBoundary(synthetic(func(n int) float64 { return 0.1 * float64(n) }), 1)
	check.Near(t, "constant SNR: slope", ctl.Slope, 0, 0, 0.05)
	if c := theorems.CheckP2(ctl.Outcomes, ctl.SlopeBoot, ctl.SlopeErr, k); c.Status != theorems.NotReproduced {
		t.Errorf("negative control: slope %.3f gives P2 %q, want not reproduced", ctl.Slope, c.Status)
	}
	// Censoring: everything benign leaves no boundary, and the bootstrap
	// refuses (every resample undefined) instead of inventing an interval.
	all := FitBoundary(synthetic(func(int) float64 { return 0 }), 1)
	if !math.IsNaN(all.Slope) || !math.IsNaN(all.CB) || !math.IsNaN(all.SlopeLo) || all.SlopeErr == nil {
		t.Errorf("all benign: slope %v [%v, %v] (err %v), C_b %v; want NaN and a refused bootstrap", all.Slope, all.SlopeLo, all.SlopeHi, all.SlopeErr, all.CB)
	}
}
