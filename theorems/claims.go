package theorems

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Status is the verdict of a claim on one results file, as every table of
// the project prints it (REPORT.md, README, STATEMENTS.md).
type Status string

// The three statuses. A claim is reproduced when every bound of its
// verdict holds, not reproduced when one fails, inconclusive when the data
// cannot decide (outside the hypotheses, censored, or an undecided bracket).
const (
	Reproduced    Status = "reproduced"
	NotReproduced Status = "not reproduced"
	Inconclusive  Status = "inconclusive"
)

// StatusOf maps the Decision of a bracketed claim to a Status: certified is
// reproduced, refuted (a witness) is not, undecided is inconclusive.
func StatusOf(d Decision) Status {
	switch d {
	case Certified:
		return Reproduced
	case Refuted:
		return NotReproduced
	}
	return Inconclusive
}

// Worse returns the more damning of two statuses (not reproduced >
// inconclusive > reproduced > outside the hypotheses). OutsideHypotheses
// ranks lowest because a run outside a statement's hypotheses is no
// evidence about the statement either way (issue 17): combined with any
// status of a run inside, the inside one decides, so an outside run never
// masks a refutation (it ranks below NotReproduced) and is never turned
// into one (nothing outside ranks above it); only outside with outside
// stays outside. (Before issue 17 it had no rank, i.e. the rank of
// Reproduced, and the result depended on the argument order.)
func Worse(a, b Status) Status {
	rank := map[Status]int{OutsideHypotheses: -1, Reproduced: 0, Inconclusive: 1, NotReproduced: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Check is one claim judged on one results file by the rule of this
// package: the rule in words with its thresholds (from Consts), what was
// measured, the status and the verdict behind it. The generated tables
// print exactly these fields, so a threshold lives in one place.
type Check struct {
	ID       string  // claim, e.g. "P9"
	Rule     string  // the rule with its thresholds, e.g. "err(τ) ≤ err(τ′) + MonoTol = 0.03 for all τ < τ′"
	Measured string  // the measured values (intervals printed by FormatInterval)
	Status   Status  // the decision
	Note     string  // why, when inconclusive
	Verdict  Verdict // the bounds (empty when the data could not be judged)
	// Scope is the statement's hypotheses evaluated on the runs the check
	// judged (nil: not scoped; WithScope sets it). Outside them Status is
	// OutsideHypotheses and Observed keeps what the rule gave: a finding
	// about practice, never a verdict on the statement.
	Scope    *Scope
	Observed Status // the rule's outcome before the scope (set by WithScope)
}

// statusOf returns Reproduced when v holds and NotReproduced otherwise.
func statusOf(v Verdict) Status {
	switch {
	case v.Holds():
		return Reproduced
	case v.Refuted():
		return NotReproduced
	}
	return Inconclusive
}

func g(x float64) string { return FormatValue(x) }

// tg prints a grid value (a budget τ/‖μ‖) as it was set: 0.05, not 0.0500.
func tg(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'g', 4, 64), "-", "−", 1) }

// P1Cell is one (N, c) cell of a clean phase diagram: the fraction of its
// replicates that overfit (training loss < FitLoss) and that are benign
// (test logistic loss < LossCut).
type P1Cell struct {
	N               int
	C               float64 // N·SNR²
	Overfit, Benign float64 // fractions of replicates
	Replicates      int
}

// CheckP1 is THEORY §8 P1 on a clean phase diagram: (a) every run overfits;
// (b) every cell with N·SNR² ≥ Cb is benign in ≥ Frac of its replicates;
// (c) every cell with N·SNR² ≤ Ch is harmful in ≥ Frac of its replicates.
// The bands are per cell, as P1 states them. Inconclusive when the grid
// has no cell in one of the bands.
func CheckP1(cells []P1Cell, k Consts) Check {
	c := Check{ID: "P1", Rule: fmt.Sprintf("every run overfits (training loss < %g); each cell with N·SNR² ≥ Cb = %g benign, each with N·SNR² ≤ Ch = %g harmful, in ≥ Frac = %g of its replicates (benign: test loss < LossCut = %g)",
		k.FitLoss, k.Cb, k.Ch, k.Frac, k.LossCut)}
	over, minB, minH := 1.0, math.Inf(1), math.Inf(1)
	nb, nh := 0, 0
	for _, x := range cells {
		over = math.Min(over, x.Overfit)
		if x.C >= k.Cb {
			nb++
			minB = math.Min(minB, x.Benign)
		}
		if x.C <= k.Ch {
			nh++
			minH = math.Min(minH, 1-x.Benign)
		}
	}
	c.Measured = fmt.Sprintf("smallest overfit fraction %s; %d cells above Cb, smallest benign fraction %s; %d cells below Ch, smallest harmful fraction %s", g(over), nb, g(minB), nh, g(minH))
	if nb == 0 || nh == 0 {
		c.Status, c.Note = Inconclusive, "no grid cell in one of the bands"
		return c
	}
	c.Verdict = Verdict{Statement: "P1", Tag: CODE, Bounds: []Bound{
		geq("every run overfits", CODE, over, 1, 0),
		geq("Frac ≤ benign fraction of each cell with c ≥ Cb", CODE, minB, k.Frac, 0),
		geq("Frac ≤ harmful fraction of each cell with c ≤ Ch", CODE, minH, k.Frac, 0),
	}, Consts: []Const{{"Cb", k.Cb}, {"Ch", k.Ch}, {"Frac", k.Frac}}}
	c.Status = statusOf(c.Verdict)
	return c
}

// CheckP2 is P2 on a phase diagram: BoundaryScaling's slope (the one
// boundary estimator, FitBoundary) in [SlopeLo, SlopeHi]; ci is its
// bootstrap interval, printed with the digits that decide whether it
// contains −1/2 (bootErr: the bootstrap's refusal, printed instead).
// Inconclusive outside BoundaryScaling's hypotheses.
func CheckP2(outs []Outcome, ci BootCI, bootErr error, k Consts) Check {
	c := Check{ID: "P2", Rule: fmt.Sprintf("boundary slope d ln‖μ‖*/d ln N of the logistic fit in the P2 band [SlopeLo, SlopeHi] = [%s, %s] (theory −1/2)", g(k.SlopeLo), g(k.SlopeHi))}
	v, fit, err := BoundaryScaling(outs, k)
	if err != nil {
		c.Status, c.Note, c.Measured = Inconclusive, err.Error(), "no fit"
		return c
	}
	sl := fit.Slope()
	c.Measured = "slope " + FormatValue(sl, TheorySlope, k.SlopeLo, k.SlopeHi) + ", 95% bootstrap " + IntervalText(ci, bootErr, TheorySlope)
	c.Verdict, c.Status = v, statusOf(v)
	return c
}

// IntervalText prints a bootstrap interval with the digits that decide
// whether it contains ref, says whether it does, and how many resamples
// were dropped; or the bootstrap's refusal.
func IntervalText(ci BootCI, err error, ref float64) string {
	if err != nil {
		return fmt.Sprintf("refused (%d of %d resamples undefined)", ci.Dropped(), ci.B)
	}
	s := FormatInterval(ci.Lo, ci.Hi, ref) + ", contains " + FormatValue(ref) + ": " + ContainsWord(ci.Lo, ci.Hi, ref)
	if d := ci.Dropped(); d > 0 {
		s += fmt.Sprintf(" (%d of %d resamples dropped)", d, ci.B)
	}
	return s
}

// CheckP3 is P3 on the seed-mean final state of a benign dynamics run at a
// fixed horizon: a₁ ≥ AttnFactor/M (THEORY P3 asks 3/M at the faithful
// scale; Consts.AttnFactor is the one threshold of the reduced scales the
// project runs, and the measured a₁·M is printed next to it), the signal coefficient γ̄ = (γ₊ − γ₋)/2
// > 0, and test loss < LossCut. (The dominance and monotonicity parts of
// BenignMechanism need the trajectory of one run; the property tests check
// them.)
func CheckP3(a1, gbar, testLoss float64, M int, k Consts) Check {
	m := float64(M)
	c := Check{ID: "P3", Rule: fmt.Sprintf("a₁ ≥ AttnFactor/M = %g/%d = %s; γ̄ > 0; test loss < LossCut = %g", k.AttnFactor, M, g(k.AttnFactor/m), k.LossCut)}
	c.Measured = fmt.Sprintf("a₁ = %s = %s/M, γ̄ = %s, test loss = %s", FormatValue(a1, k.AttnFactor/m), g(a1*m), g(gbar), FormatValue(testLoss, k.LossCut))
	c.Verdict = Verdict{Statement: "P3", Tag: SEC, Bounds: []Bound{
		geq("AttnFactor/M ≤ a₁(T)", CODE, a1, k.AttnFactor/m, 0),
		geq("0 < γ̄(T)", SEC, gbar, 0, -math.SmallestNonzeroFloat64),
		leq("test loss < LossCut", CODE, testLoss, k.LossCut, -math.SmallestNonzeroFloat64),
	}}
	c.Status = statusOf(c.Verdict)
	return c
}

// CheckP4 is P4 on the seed-mean state of a harmful dynamics run, with
// HarmfulMechanism's bounds: the training loss falls by ≥ LossDrop, the
// test loss stays ≥ HarmLoss, the median memorization ρ ≥ MemoFactor·max|γ±|
// (THEORY P4: "at least 5× |μ_±ᵀW_Vw_O|", both signal coefficients), and a₁
// rises by ≤ A1Rise.
func CheckP4(loss0, lossT, testLoss, rho, gPlus, gMinus, a1Rise float64, k Consts) Check {
	gm := math.Max(math.Abs(gPlus), math.Abs(gMinus))
	c := Check{ID: "P4", Rule: fmt.Sprintf("training loss falls ≥ LossDrop = %g; test loss ≥ HarmLoss = %g; median ρ ≥ MemoFactor·max|γ±| = %g·max|γ±|; a₁ rises ≤ A1Rise = %g",
		k.LossDrop, k.HarmLoss, k.MemoFactor, k.A1Rise)}
	drop := 1 - lossT/loss0
	c.Measured = fmt.Sprintf("loss fell %s; test loss %s; ρ/max|γ±| = %s; a₁ rise %s", FormatValue(drop, k.LossDrop), FormatValue(testLoss, k.HarmLoss), FormatValue(rho/gm, k.MemoFactor), FormatValue(a1Rise, k.A1Rise))
	c.Verdict = Verdict{Statement: "P4", Tag: CODE, Bounds: []Bound{
		geq("LossDrop ≤ 1 − L(T)/L(0)", CODE, drop, k.LossDrop, 0),
		geq("HarmLoss ≤ test loss", CODE, testLoss, k.HarmLoss, 0),
		geq("MemoFactor·max|γ±| ≤ median ρ", CODE, rho, k.MemoFactor*gm, 0),
		leq("a₁(T) − a₁(0) ≤ A1Rise", CODE, a1Rise, k.A1Rise, 0),
	}}
	c.Status = statusOf(c.Verdict)
	return c
}

// InRegime1 reports whether 0 < τ/‖μ‖ ≤ C1/log d_h: Thm 4.2(i)'s
// hypothesis, the budgets P5 is checked at.
func InRegime1(tauRel float64, dh int, k Consts) bool {
	return tauRel > 0 && tauRel <= k.C1/k.logDh(dh)
}

// InRegime2 reports whether C1Hi/log d_h ≤ τ/‖μ‖ ≤ C2: Thm 4.2(ii)'s
// window, the budgets P6 is checked at.
func InRegime2(tauRel float64, dh int, k Consts) bool {
	return tauRel >= k.C1Hi/k.logDh(dh) && tauRel <= k.C2
}

// CheckP5 is Thm 4.2(i) / P5 on one budget of a τ sweep (seed means), with
// SmallBudget's tolerances: robust training loss < FitLoss and robust test
// error ≤ clean test error + SmallTol. robustErr is the attacks' robust
// error (a lower bound on the true one).
func CheckP5(tauRel, errLB, errUB, cleanErr, robustTrainLoss float64, k Consts) Check {
	c := Check{ID: "P5", Rule: fmt.Sprintf("at every τ ≤ C1‖μ‖/log d_h (C1 = %g): robust training loss < FitLoss = %g; robust test error ≤ clean + SmallTol = clean + %g, decided on the bracket [robust_err_lb, robust_err_ub] (certified only by the upper bound)", k.C1, k.FitLoss, k.SmallTol)}
	hi := cleanErr + k.SmallTol
	c.Measured = fmt.Sprintf("τ = %s‖μ‖: robust training loss %s; robust error in [%s, %s] vs clean %s", tg(tauRel), FormatValue(robustTrainLoss, k.FitLoss), FormatValue(errLB, hi), FormatValue(errUB, hi), g(cleanErr))
	c.Verdict = Verdict{Statement: "P5", Tag: SEC, Bounds: []Bound{
		leq("robust training loss < FitLoss", ABS, robustTrainLoss, k.FitLoss, -math.SmallestNonzeroFloat64),
		bracketLeq("robust test error ≤ clean test error + SmallTol", CODE, errLB, errUB, hi),
	}}
	c.Status = statusOf(c.Verdict)
	if b := c.Verdict.Bounds[1]; b.Decision != "" {
		c.Note = string(b.Decision)
	}
	return c
}

// CheckP6 is Thm 4.2(ii) / P6 on one budget in the regime-2 window (seed
// means): final attention entropy ≥ EntFrac·ln M and SlowLo·M ≤ slowdown ≤
// SlowHi·M, where slowdown = steps to robust loss ε ÷ steps at τ = 0. When
// some run never reached ε the slowdown is only a lower bound (censored):
// each side of the band is then decided on the bracket [slow, +Inf] by
// DecideAtLeast / DecideAtMost, and an undecided side makes the check
// inconclusive.
func CheckP6(tauRel, entropyFrac, slow float64, censored bool, M int, k Consts) Check {
	m := float64(M)
	lo, hi := k.SlowLo*m, k.SlowHi*m
	c := Check{ID: "P6", Rule: fmt.Sprintf("at every τ in [C1Hi‖μ‖/log d_h, C2‖μ‖] (C1Hi = %g, C2 = %g): final entropy ≥ EntFrac·ln M = %g·ln M; slowdown (steps to robust loss ε ÷ steps at τ = 0) in [SlowLo·M, SlowHi·M] = [%s, %s]", k.C1Hi, k.C2, k.EntFrac, g(lo), g(hi))}
	ub := slow
	if censored {
		ub = math.Inf(1)
	}
	c.Measured = fmt.Sprintf("τ = %s‖μ‖: entropy/ln M = %s; slowdown %s%s", tg(tauRel), FormatValue(entropyFrac, k.EntFrac), g(slow), map[bool]string{true: " (censored: a lower bound)", false: ""}[censored])
	ent := geq("EntFrac·ln M ≤ entropy", CODE, entropyFrac, k.EntFrac, 0)
	c.Verdict = Verdict{Statement: "P6", Tag: SEC, Bounds: []Bound{ent, geq("SlowLo·M ≤ slowdown", SEC, slow, lo, 0), leq("slowdown ≤ SlowHi·M", SEC, slow, hi, 0)}}
	c.Status = statusOf(Verdict{Bounds: []Bound{ent}})
	for _, d := range []Decision{DecideAtLeast(slow, ub, lo), DecideAtMost(slow, ub, hi)} {
		c.Status = Worse(c.Status, StatusOf(d))
	}
	if c.Status == Inconclusive {
		c.Note = "the slowdown is censored"
	}
	return c
}

// CheckP7 is P7 on a τ sweep: RegimeBoundary (a₁ falls through the
// midpoint of its range at τ* with C1 ≤ τ*·log d_h/‖μ‖ ≤ C1Hi).
func CheckP7(dh, M int, taus, a1 []float64, k Consts) Check {
	c := Check{ID: "P7", Rule: fmt.Sprintf("a₁ falls through (a₁(0) + 1/M)/2 at τ* with τ*·log d_h/‖μ‖ in [C1, C1Hi] = [%g, %g], i.e. τ*/‖μ‖ in %s at d_h = %d",
		k.C1, k.C1Hi, FormatInterval(k.C1/k.logDh(dh), k.C1Hi/k.logDh(dh)), dh)}
	v, star, err := RegimeBoundary(dh, M, taus, a1, k)
	if err != nil {
		c.Status, c.Note, c.Measured = Inconclusive, err.Error(), "no sweep"
		return c
	}
	c.Measured = fmt.Sprintf("a₁ from %s to 1/M = %s; τ*/‖μ‖ = %s", g(a1[0]), g(1/float64(M)), FormatValue(star, k.C1/k.logDh(dh), k.C1Hi/k.logDh(dh)))
	c.Verdict, c.Status = v, statusOf(v)
	return c
}

// P8Floor is P8's floor on the robust test error of n i.i.d. test points at
// τ ≥ ‖μ‖/√2: 1/2 − ZSigma·√(0.25/n) (MidpointFloor's bound (b)).
func P8Floor(n int, k Consts) float64 { return 0.5 - float64(k.ZSigma*math.Sqrt(0.25/float64(n))) }

// CheckP8 is P8 on the budgets τ ≥ ‖μ‖/√2 of a τ sweep: every robust test
// error ≥ P8Floor(nTest). Inconclusive when the sweep has no such budget.
func CheckP8(taus, errLB, errUB []float64, nTest int, k Consts) Check {
	f := P8Floor(nTest, k)
	c := Check{ID: "P8", Rule: fmt.Sprintf("τ ≥ ‖μ‖/√2 ⇒ robust error ≥ 1/2 − ZSigma·√(0.25/n) = 1/2 − %g·√(0.25/%d) = %s (implies Thm 4.2(iii)'s ≥ %g at τ ≥ ‖μ‖), decided on the bracket (proved only by the attack lower bound)", k.ZSigma, nTest, g(f), k.Floor3)}
	var parts []string
	v := Verdict{Statement: "P8", Tag: DER, Consts: []Const{{"Z", k.ZSigma}}}
	for i, t := range taus {
		if t >= 1/math.Sqrt2 {
			parts = append(parts, fmt.Sprintf("[%s, %s] at τ = %s‖μ‖", FormatValue(errLB[i], f), FormatValue(errUB[i], f), tg(t)))
			v.Bounds = append(v.Bounds, bracketGeq(fmt.Sprintf("P8 floor ≤ robust error at τ = %g‖μ‖", t), DER, errLB[i], errUB[i], f))
		}
	}
	if len(v.Bounds) == 0 {
		c.Status, c.Note, c.Measured = Inconclusive, "no budget τ ≥ ‖μ‖/√2", "—"
		return c
	}
	c.Measured = "robust error " + strings.Join(parts, ", ")
	c.Verdict, c.Status = v, statusOf(v)
	return c
}

// CheckP9 is P9's first half on a τ sweep: MonotoneInTau over every pair of
// budgets. Measured: the largest decrease err(τ) − err(τ′), τ < τ′.
func CheckP9(taus, errLB, errUB []float64, k Consts) Check {
	c := Check{ID: "P9", Rule: fmt.Sprintf("robust error non-decreasing in τ: err(τ) ≤ err(τ′) + MonoTol = err(τ′) + %g for every τ < τ′, decided on the brackets (a decrease is witnessed when lb(τ) − ub(τ′) > MonoTol, excluded when ub(τ) − lb(τ′) ≤ MonoTol)", k.MonoTol)}
	v, err := MonotoneInTauBracket(taus, errLB, errUB, k)
	if err != nil {
		c.Status, c.Note, c.Measured = Inconclusive, err.Error(), "—"
		return c
	}
	worst, at := math.Inf(-1), ""
	worstUp := math.Inf(-1)
	for i := range taus {
		for j := i + 1; j < len(taus); j++ {
			if d := errLB[i] - errUB[j]; d > worst || math.IsNaN(d) {
				worst, at = d, fmt.Sprintf(" (τ = %s → %s‖μ‖)", tg(taus[i]), tg(taus[j]))
			}
			worstUp = math.Max(worstUp, errUB[i]-errLB[j])
		}
	}
	c.Measured = "largest witnessed decrease lb(τ) − ub(τ′) = " + FormatValue(worst, k.MonoTol) + at + "; largest possible decrease ub(τ) − lb(τ′) = " + FormatValue(worstUp, k.MonoTol)
	c.Verdict, c.Status = v, statusOf(v)
	return c
}

// CheckP9Region is P9's second half across phase diagrams of one setup:
// the fraction of shared (N, c) points that are benign (robust error <
// ErrBenign, or test loss < LossCut at τ = 0) does not grow with τ.
// fracs[i] is the fraction at taus[i] (increasing).
func CheckP9Region(taus, fracs []float64, k Consts) Check {
	c := Check{ID: "P9", Rule: fmt.Sprintf("benign region (robust error < ErrBenign = %g; at τ = 0 test loss < LossCut = %g) shrinks as τ grows: benign fraction of the shared grid points non-increasing", k.ErrBenign, k.LossCut)}
	var parts []string
	v := Verdict{Statement: "P9 region", Tag: PROP}
	for i := range taus {
		parts = append(parts, fmt.Sprintf("%.0f%% at τ = %s‖μ‖", 100*fracs[i], tg(taus[i])))
		for j := i + 1; j < len(taus); j++ {
			v.Bounds = append(v.Bounds, leq(fmt.Sprintf("benign(τ=%g) ≤ benign(τ=%g)", taus[j], taus[i]), PROP, fracs[j], fracs[i], 0))
		}
	}
	c.Measured = strings.Join(parts, ", ")
	if len(v.Bounds) == 0 {
		c.Status, c.Note = Inconclusive, "fewer than two diagrams"
		return c
	}
	c.Verdict, c.Status = v, statusOf(v)
	return c
}
