package theorems

import (
	"math"
	"testing"

	"vitadv/internal/check"
)

// TestCrossingTauAsymmetricPin pins the direction of CrossingTau's linear
// interpolation with a crossing that is not at the midpoint of its segment
// (TestCrossingTau's case crosses at the midpoint, where interpolating from
// either end gives the same answer). On y = (1, 0.5, 0.1) at τ = (0, 0.1,
// 0.2) the level 0.4 is crossed a quarter of the way from τ = 0.1 to 0.2:
// f = (0.5−0.4)/(0.5−0.1) = 1/4, τ* = 0.1 + 0.25·0.1 = 0.125.
func TestCrossingTauAsymmetricPin(t *testing.T) {
	tau := []float64{0, 0.1, 0.2}
	check.Near(t, "CrossingTau(level 0.4)", CrossingTau(tau, []float64{1, 0.5, 0.1}, 0.4), 0.125, 1e-12, 0)
	// In the first segment, three quarters of the way: 0.075.
	check.Near(t, "CrossingTau(level 0.25)", CrossingTau(tau, []float64{1, 0, 0}, 0.25), 0.075, 1e-12, 0)
	// A level hit exactly at a grid point returns that point.
	check.Near(t, "CrossingTau(level 0.5)", CrossingTau(tau, []float64{1, 0.5, 0.1}, 0.5), 0.1, 1e-12, 0)
	// Already at or below the level at τ[0]: τ[0]; never: +Inf.
	check.Near(t, "CrossingTau(y0 ≤ level)", CrossingTau(tau, []float64{0.3, 0.2, 0.1}, 0.4), 0, 0, 0)
	if got := CrossingTau(tau, []float64{1, 0.9, 0.8}, 0.4); !math.IsInf(got, 1) {
		t.Errorf("CrossingTau(no crossing) = %g, want +Inf", got)
	}
}
