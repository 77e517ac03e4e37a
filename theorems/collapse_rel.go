package theorems

import (
	"fmt"
	"math"
)

// AttnState is what a τ-sweep row records of a run's final attention (the
// committed files: on clean test inputs, columns a1 and entropy; the rule
// applies unchanged to the same statistics on adversarial test inputs),
// with the step size and the number of GD updates that produced it, so that
// runs are compared at matched gradient-flow time η·T.
type AttnState struct {
	Eta     float64 // η (column eta)
	Steps   int     // T, GD updates (column steps)
	A1      float64 // mean attention on the signal token (column a1)
	Entropy float64 // mean attention entropy in nats (column entropy)
}

// RelativeCollapse is the relative collapse rule for P6 = Thm 4.2(ii)
// (issue 17, item 3): the adversarial run adv has collapsed when its
// attention moved at least part of the way from the τ = 0 run clean of the
// same cell, at the same η and η·T, towards uniform:
//
//	(a) (a₁(0) − a₁(τ)) / (a₁(0) − 1/M)   ≥ CollapseA1   (a₁ fell through its midpoint),
//	(b) (H(τ) − H(0))   / (ln M − H(0))   ≥ CollapseEnt  (entropy closed half its gap),
//
// with a₁(0), H(0) from clean and a₁(τ), H(τ) from adv. An absolute entropy
// cut (P6's ≥ 0.9 ln M) does not measure collapse: clean training meets it
// at M = 16 (0.956–0.967 ln M in the committed sweeps). The rule is measured against clean, so it
// needs a clean run whose attention specialized: when a₁(0) < AttnFactor/M
// (P3's threshold; then H(0) is close to ln M as well) both bounds are
// undecided, as they are for non-finite inputs. A run identical to clean
// gives 0 on both sides and fails; a uniform one gives 1 and holds.
// Hypotheses (a *HypothesisError otherwise): M ≥ 2; same η; same T.
func RelativeCollapse(clean, adv AttnState, M int, k Consts, s ScopeConsts) (Verdict, error) {
	const name = "P6 RelativeCollapse"
	if err := s.Validate(); err != nil {
		return Verdict{}, err
	}
	if M < 2 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "M ≥ 2", Value: float64(M), Limit: 2}
	}
	if !(clean.Eta == adv.Eta) {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "the τ = 0 run at the same η", Value: adv.Eta, Limit: clean.Eta}
	}
	if clean.Steps != adv.Steps {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "the τ = 0 run at the same η·T", Value: adv.Eta * float64(adv.Steps), Limit: clean.Eta * float64(clean.Steps)}
	}
	m := float64(M)
	lnM := math.Log(m)
	a1Frac := (clean.A1 - adv.A1) / (clean.A1 - 1/m)
	entFrac := (adv.Entropy - clean.Entropy) / (lnM - clean.Entropy)
	v := Verdict{Statement: name, Tag: SEC, Bounds: []Bound{
		geq("CollapseA1 ≤ (a₁(0) − a₁(τ))/(a₁(0) − 1/M)", SEC, a1Frac, s.CollapseA1, 0),
		geq("CollapseEnt ≤ (H(τ) − H(0))/(ln M − H(0))", SEC, entFrac, s.CollapseEnt, 0),
	}, Consts: []Const{{"CollapseA1", s.CollapseA1}, {"CollapseEnt", s.CollapseEnt}, {"a₁(0)", clean.A1}, {"a₁(τ)", adv.A1},
		{"H(τ)/H(0)", adv.Entropy / clean.Entropy}, {"η", clean.Eta}, {"η·T", clean.Eta * float64(clean.Steps)}}}
	why := ""
	for _, x := range []float64{clean.A1, adv.A1, clean.Entropy, adv.Entropy} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			why = "a non-finite attention statistic"
		}
	}
	if why == "" && !(clean.A1 >= k.AttnFactor/m) {
		why = fmt.Sprintf("the τ = 0 run's attention did not specialize (a₁(0) = %.4g < AttnFactor/M = %.4g): no collapse to measure", clean.A1, k.AttnFactor/m)
	}
	if why != "" {
		for i := range v.Bounds {
			v.Bounds[i].Undecided = why
		}
	}
	return v, nil
}

// TimeTo returns the gradient-flow time η·t of the first GD step t whose
// (robust) training loss losses[t] is < eps, and censored = false; when no
// loss is below eps it returns η·len(losses) (a lower bound) and censored
// = true. losses[t] is the loss before update t (Run.Losses).
func TimeTo(losses []float64, eta, eps float64) (etaT float64, censored bool) {
	for t, l := range losses {
		if l < eps {
			return eta * float64(t), false
		}
	}
	return eta * float64(len(losses)), true
}

// CheckP6Relative is P6 = Thm 4.2(ii) on one budget of a τ sweep with the
// relative collapse rule (RelativeCollapse of adv against the τ = 0 run
// clean at the same η and η·T) in place of the absolute entropy cut, and
// the slowdown as CheckP6 decides it: steps to robust loss ε ÷ steps at
// τ = 0 in [SlowLo·M, SlowHi·M], censored slowdowns decided on
// [slow, +Inf]. The check is not scoped: pair it with ScopeP6 through
// JudgeCheck.
func CheckP6Relative(tauRel float64, clean, adv AttnState, slow float64, censored bool, M int, k Consts, s ScopeConsts) Check {
	m := float64(M)
	lo, hi := k.SlowLo*m, k.SlowHi*m
	c := Check{ID: "P6", Rule: fmt.Sprintf("at every τ in [C1Hi‖μ‖/log d_h, C2‖μ‖] (C1Hi = %g, C2 = %g), against the τ = 0 run at the same η and η·T: a₁ falls ≥ CollapseA1 = %g of the way to 1/M and entropy closes ≥ CollapseEnt = %g of its gap to ln M; slowdown in [SlowLo·M, SlowHi·M] = [%s, %s]",
		k.C1Hi, k.C2, s.CollapseA1, s.CollapseEnt, g(lo), g(hi))}
	v, err := RelativeCollapse(clean, adv, M, k, s)
	if err != nil {
		c.Status, c.Note, c.Measured = Inconclusive, err.Error(), "—"
		return c
	}
	ub := slow
	if censored {
		ub = math.Inf(1)
	}
	a1f, ef := v.Bounds[0].RHS, v.Bounds[1].RHS
	c.Measured = fmt.Sprintf("τ = %s‖μ‖: a₁ %s → %s (fraction %s), entropy/ln M %s → %s (fraction %s); slowdown %s%s",
		tg(tauRel), g(clean.A1), g(adv.A1), FormatValue(a1f, s.CollapseA1), g(clean.Entropy/math.Log(m)), g(adv.Entropy/math.Log(m)), FormatValue(ef, s.CollapseEnt),
		g(slow), map[bool]string{true: " (censored: a lower bound)", false: ""}[censored])
	v.Bounds = append(v.Bounds, geq("SlowLo·M ≤ slowdown", SEC, slow, lo, 0), leq("slowdown ≤ SlowHi·M", SEC, slow, hi, 0))
	c.Verdict = v
	c.Status = statusOf(Verdict{Bounds: v.Bounds[:2]})
	for _, d := range []Decision{DecideAtLeast(slow, ub, lo), DecideAtMost(slow, ub, hi)} {
		c.Status = worse(c.Status, StatusOf(d))
	}
	switch {
	case v.Bounds[0].IsUndecided():
		c.Note = v.Bounds[0].Undecided
	case c.Status == Inconclusive:
		c.Note = "the slowdown is censored"
	}
	return c
}
