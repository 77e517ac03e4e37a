package theorems

import (
	"math"
	"testing"

	"vitadv/internal/check"
)

// TestCollapseStarInterpolatesMidpoint: τ* is where a₁ falls through the midpoint of its
// range, (a₁(0) + 1/M)/2, linearly interpolated: a₁ = 0.9, 0.7, 0.5, 0.3
// at τ = 0, 0.1, 0.2, 0.3 with M = 4 has level 0.575, crossed between 0.1
// and 0.2 at 0.1 + 0.1·(0.7 − 0.575)/0.2 = 0.1625. A sweep that never
// falls below the midpoint is censored (+Inf).
// It kills mutants thm-crossing-interp-flipped and m2-calib-collapse-midpoint of mutate/catalogue.txt.
func TestCollapseStarInterpolatesMidpoint(t *testing.T) {
	taus := []float64{0, 0.1, 0.2, 0.3}
	check.Near(t, "τ* of a₁ = 0.9…0.3, M = 4", CollapseStar(taus, []float64{0.9, 0.7, 0.5, 0.3}, 4), 0.1625, 1e-12, 0)
	if s := CollapseStar(taus, []float64{0.9, 0.85, 0.8, 0.7}, 4); !math.IsInf(s, 1) {
		t.Errorf("a₁ never below 0.575: τ* = %v, want +Inf", s)
	}
}

// TestCalibrateCollapseRatioAndC1: the ratio fit compares
// τ*(d_h small)/τ*(d_h large) with the 1/log d_h prediction
// ln(d_large)/ln(d_small) = ln 128/ln 8 = 7/3 (> 1: τ* shrinks as d_h
// grows), its estimate is mean(τ*(8))/mean(τ*(128)), and the C1 fit is
// τ*·ln d_h.
// It kills mutant m2-calib-ratio-prediction-inverted of mutate/catalogue.txt.
func TestCalibrateCollapseRatioAndC1(t *testing.T) {
	star := map[int][]float64{8: {0.30, 0.34, 0.32}, 128: {0.14, 0.13, 0.15}}
	fits, err := CalibrateCollapse([]int{8, 128}, star, 200, 7, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(fits) != 5 {
		t.Fatalf("%d fits, want 5 (τ*, C1 at two d_h, and the ratio)", len(fits))
	}
	last := fits[4]
	check.Near(t, "ratio prediction ln 128/ln 8", last.Theory, 7.0/3, 1e-12, 0)
	check.Near(t, "ratio estimate", last.Estimate, 0.32/0.14, 1e-12, 0)
	check.Near(t, "C1 at d_h = 8", fits[1].Estimate, 0.32*math.Log(8), 1e-12, 0)
	check.Near(t, "C1 at d_h = 128", fits[3].Estimate, 0.14*math.Log(128), 1e-12, 0)
}
