package theorems

import (
	"errors"
	"fmt"
	"math"

	"vitadv/model/rng"
)

// TheoryCb is the boundary constant of the simulation scripts' red curve,
// N·SNR_w² = 1000, i.e. N·SNR_2² = 2.5 with σ_w = σ₂/20 (THEORY §1.2): the
// value a fitted C_b is compared with.
const TheoryCb = 2.5

// TheorySlope is P2's theoretical boundary slope d ln‖μ‖*/d ln N = −1/2
// (N·SNR² = const; THEORY §8 P2).
const TheorySlope = -0.5

// Fit is a calibrated quantity with its bootstrap bookkeeping and the
// theory value (NaN if none) its interval is compared with.
type Fit struct {
	Calibrated
	Boot   BootCI
	Theory float64 // NaN when the theory gives no value
	// NoInterval says why the interval is NaN when the bootstrap refused
	// (a *BootError: too many resamples undefined, e.g. τ* censored on
	// most seeds); empty when the interval exists. Such a constant is
	// reported as not decidable, not as an error of the whole fit.
	NoInterval string
}

// undecidable turns a bootstrap refusal into a reason (nil error); other
// errors pass through.
func undecidable(err error) (string, error) {
	var be *BootError
	if errors.As(err, &be) {
		return be.Error(), nil
	}
	return "", err
}

// CalibratePhase fits, from a calibrate phase sweep (seeds shared by every
// cell), C_b = CbOf and the P2 slope = SlopeOf, each with a cluster
// bootstrap over seeds of B resamples (seeds derived from seed). The one
// estimator and the one bootstrap behind cmd/calibrate and the generated
// tables.
func CalibratePhase(outs []Outcome, B int, seed uint64, command string) ([]Fit, error) {
	var fits []Fit
	for i, s := range []struct {
		name   string
		stat   func([]Outcome) float64
		theory float64
	}{
		{"C_b (N·SNR_2² at P(benign)=1/2)", CbOf, TheoryCb},
		{"P2 slope d ln‖μ‖*/d ln N (theory −0.5)", SlopeOf, TheorySlope},
	} {
		ci, err := BootstrapSeeds(outs, B, rng.Derive(seed, uint64(i)), s.stat)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		fits = append(fits, Fit{Calibrated{Name: s.name, Estimate: s.stat(outs), Lo: ci.Lo, Hi: ci.Hi, Command: command}, ci, s.theory, ""})
	}
	return fits, nil
}

// CollapseStar returns τ*/‖μ‖ of one P7 sweep: where the final a₁ falls
// through the midpoint (a₁(τ=0) + 1/M)/2 of its range (CrossingTau; +Inf
// when it never does).
func CollapseStar(taus, a1 []float64, M int) float64 {
	return CrossingTau(taus, a1, (a1[0]+1/float64(M))/2)
}

// CalibrateCollapse fits, from τ* per seed at each d_h (star[dh]), the mean
// τ*/‖μ‖ and C1 = τ*·ln d_h/‖μ‖ at each d_h, and the ratio
// τ*(dhs[0])/τ*(dhs[last]) against the 1/log d_h prediction
// ln(dhs[last])/ln(dhs[0]). Infinite τ* (censored) propagate. Bootstrap:
// BootstrapMean / BootstrapRatio, B resamples, seeds derived from seed.
func CalibrateCollapse(dhs []int, star map[int][]float64, B int, seed uint64, command string) ([]Fit, error) {
	var fits []Fit
	k := uint64(10)
	for _, dh := range dhs {
		v := star[dh]
		ci, err := BootstrapMean(v, B, rng.Derive(seed, k))
		k++
		why, err := undecidable(err)
		if err != nil {
			return nil, fmt.Errorf("τ* at d_h=%d: %w", dh, err)
		}
		e := meanOf(v, seq(len(v)))
		ld := math.Log(float64(dh))
		fits = append(fits,
			Fit{Calibrated{Name: fmt.Sprintf("tau*/‖μ‖ at d_h=%d (P7)", dh), Estimate: e, Lo: ci.Lo, Hi: ci.Hi, Command: command}, ci, math.NaN(), why},
			Fit{Calibrated{Name: fmt.Sprintf("C1 = tau*·ln d_h/‖μ‖ at d_h=%d (P7 band [0.5, 2])", dh), Estimate: e * ld, Lo: ci.Lo * ld, Hi: ci.Hi * ld, Command: command}, ci, math.NaN(), why})
	}
	if len(dhs) >= 2 {
		a, b := dhs[0], dhs[len(dhs)-1]
		x, y := star[a], star[b]
		ci, err := BootstrapRatio(x, y, B, rng.Derive(seed, k))
		why, err := undecidable(err)
		if err != nil {
			return nil, fmt.Errorf("τ* ratio: %w", err)
		}
		pred := math.Log(float64(b)) / math.Log(float64(a))
		fits = append(fits, Fit{Calibrated{Name: fmt.Sprintf("tau*(d_h=%d)/tau*(d_h=%d) (1/log d_h predicts %.3f)", a, b, pred),
			Estimate: meanOf(x, seq(len(x))) / meanOf(y, seq(len(y))), Lo: ci.Lo, Hi: ci.Hi, Command: command}, ci, pred, why})
	}
	return fits, nil
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
