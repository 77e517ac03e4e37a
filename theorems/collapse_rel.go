package theorems

import (
	"fmt"
	"math"
	"strings"
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

// FlowTime is the gradient-flow time η·t at which a run first reached
// robust training loss ε (TimeTo). Censored: it never did before its η·T
// ceiling ended it, and EtaT is that ceiling — a lower bound on the time,
// never a time at which the run converged.
type FlowTime struct {
	EtaT     float64
	Censored bool
}

// FlowTimeOfSteps is the FlowTime of a τ-sweep row: stepsToEps is its
// column steps_to_eps (the first GD step with robust training loss < ε,
// negative when never reached), eta its η and maxSteps its ceiling T (column
// max_steps). A negative stepsToEps gives {η·T, censored}.
func FlowTimeOfSteps(stepsToEps, eta, maxSteps float64) FlowTime {
	if stepsToEps < 0 {
		return FlowTime{EtaT: eta * maxSteps, Censored: true}
	}
	return FlowTime{EtaT: eta * stepsToEps}
}

// Slowdown is P6's slowdown of the runs at τ against the τ = 0 runs of the
// same cells (same seeds, η and η·T ceiling): the ratio of the summed (i.e.
// mean) gradient-flow times to ε,
//
//	slow = Σ_r t_r(τ) / Σ_r t_r(0),
//
// and the bracket [lo, hi] that censoring leaves on it. A censored t_r(τ)
// is a lower bound, so the ratio may be arbitrarily larger: hi = +Inf. A
// censored t_r(0) makes the denominator a lower bound, so the ratio may be
// arbitrarily smaller: lo = 0. Both: [0, +Inf], nothing decided. A zero or
// non-finite denominator, or replicate lists of different lengths, give
// NaN and [0, +Inf] too.
func Slowdown(t0, t []FlowTime) (slow, lo, hi float64) {
	if len(t0) != len(t) || len(t) == 0 {
		return math.NaN(), 0, math.Inf(1)
	}
	var num, den float64
	var cNum, cDen bool
	for r := range t {
		num += t[r].EtaT
		den += t0[r].EtaT
		cNum = cNum || t[r].Censored
		cDen = cDen || t0[r].Censored
	}
	if !(den > 0) || math.IsInf(den, 0) || math.IsNaN(num) {
		return math.NaN(), 0, math.Inf(1)
	}
	slow = num / den
	lo, hi = slow, slow
	if cDen {
		lo = 0
	}
	if cNum {
		hi = math.Inf(1)
	}
	return slow, lo, hi
}

// CollapsePair is one replicate of a budget: the attention of the τ = 0
// run (Clean) and of the run at τ (Adv) of the same cell — same seed, η and
// η·T ceiling — on one kind of test input.
type CollapsePair struct{ Clean, Adv AttnState }

// P6Budget is what CheckP6Relative judges at one budget τ of a sweep at
// one η: per replicate, the attention pairs on clean test inputs (columns
// a1, entropy) and, when the file measured them, on adversarial ones
// (a1_adv, entropy_adv: after the evaluation PGD at τ; at τ = 0 these are
// the clean inputs), and the flow times to ε at τ = 0 and at τ.
type P6Budget struct {
	TauRel      float64
	M           int
	Clean       []CollapsePair
	Adv         []CollapsePair // nil: not measured
	Time0, Time []FlowTime     // per replicate, in the order of Clean
}

// CheckP6Relative is P6 = Thm 4.2(ii) on one budget of a τ sweep, decided
// on the relative collapse rule (issue 17, item 3) instead of the absolute
// entropy cut of CheckP6 (which clean training at M = 16 already meets).
//
// Collapse: every replicate's run at τ is judged by RelativeCollapse
// against the τ = 0 run of its own cell (same seed, same η, same η·T) —
// on clean test inputs, and on adversarial ones when measured. Replicates
// combine as "every run collapses" (Thm 4.2(ii) is a statement about each
// run of GD): one decided failure is a failure, otherwise one undecided
// replicate leaves the collapse undecided. The clean and adversarial
// inputs combine the same way, as a conjunction: the attention has
// collapsed on these runs only when it has on both kinds of input, and a
// failure on either is a failure (the adversarial inputs are what the
// model was trained on; the clean ones what the statement is usually read
// on). A file without adversarial columns is judged on clean inputs alone,
// and Measured says so.
//
// Slowdown: Slowdown's ratio of mean flow times to ε (a ratio of times at
// one η is a ratio of step counts), in [SlowLo·M, SlowHi·M], each side
// decided on Slowdown's bracket by DecideAtLeast / DecideAtMost: a
// censored run is a lower bound on its time, never a converged one.
//
// The check is not scoped: pair it with ScopeP6 through WithScope.
func CheckP6Relative(b P6Budget, k Consts, s ScopeConsts) Check {
	m := float64(b.M)
	lo, hi := k.SlowLo*m, k.SlowHi*m
	c := Check{ID: "P6", Rule: fmt.Sprintf("at every τ in [C1Hi‖μ‖/log d_h, C2‖μ‖] (C1Hi = %g, C2 = %g), every replicate against the τ = 0 run of its cell (same seed, η and η·T), on clean and, where measured, adversarial test inputs: a₁ falls ≥ CollapseA1 = %g of the way to 1/M and entropy closes ≥ CollapseEnt = %g of its gap to ln M; slowdown (mean flow time to robust loss ε ÷ that at τ = 0, censored runs as lower bounds) in [SlowLo·M, SlowHi·M] = [%s, %s]",
		k.C1Hi, k.C2, s.CollapseA1, s.CollapseEnt, g(lo), g(hi))}
	if len(b.Clean) == 0 || len(b.Time) != len(b.Clean) || len(b.Time0) != len(b.Clean) || (b.Adv != nil && len(b.Adv) != len(b.Clean)) {
		c.Status, c.Note, c.Measured = Inconclusive, "no replicate, or replicate lists of different lengths", "—"
		return c
	}
	v := Verdict{Statement: "P6 relative", Tag: SEC, Consts: []Const{{"CollapseA1", s.CollapseA1}, {"CollapseEnt", s.CollapseEnt}}}
	var parts []string
	note := ""
	kinds := []struct {
		name  string
		pairs []CollapsePair
	}{{"clean inputs", b.Clean}, {"adversarial inputs", b.Adv}}
	for _, kd := range kinds {
		if kd.pairs == nil {
			parts = append(parts, kd.name+" not measured")
			continue
		}
		var a0, a1, h0, h1 float64
		minA, minH := math.Inf(1), math.Inf(1)
		held := 0
		for r, p := range kd.pairs {
			rv, err := RelativeCollapse(p.Clean, p.Adv, b.M, k, s)
			if err != nil {
				c.Status, c.Note, c.Measured = Inconclusive, err.Error(), "—"
				return c
			}
			for _, bd := range rv.Bounds {
				bd.Name = fmt.Sprintf("%s, replicate %d: %s", kd.name, r, bd.Name)
				v.Bounds = append(v.Bounds, bd)
				if bd.IsUndecided() && note == "" {
					note = bd.Undecided
				}
			}
			if rv.Holds() {
				held++
			}
			a0, a1 = a0+p.Clean.A1, a1+p.Adv.A1
			h0, h1 = h0+p.Clean.Entropy, h1+p.Adv.Entropy
			minA, minH = minFrac(minA, rv.Bounds[0].RHS), minFrac(minH, rv.Bounds[1].RHS)
		}
		n, lnM := float64(len(kd.pairs)), math.Log(m)
		parts = append(parts, fmt.Sprintf("%s: a₁ %s → %s (smallest fraction %s), entropy/ln M %s → %s (smallest fraction %s), %d of %d replicates collapse",
			kd.name, g(a0/n), g(a1/n), FormatValue(minA, s.CollapseA1), g(h0/n/lnM), g(h1/n/lnM), FormatValue(minH, s.CollapseEnt), held, len(kd.pairs)))
	}
	slow, slo, shi := Slowdown(b.Time0, b.Time)
	cens := 0
	for r := range b.Time {
		if b.Time[r].Censored || b.Time0[r].Censored {
			cens++
		}
	}
	st := fmt.Sprintf("slowdown %s, bracket %s", g(slow), FormatInterval(slo, shi))
	if cens > 0 {
		st += fmt.Sprintf(" (%d of %d replicates censored: their times are lower bounds)", cens, len(b.Time))
	}
	c.Measured = fmt.Sprintf("τ = %s‖μ‖, %d replicates — %s; %s", tg(b.TauRel), len(b.Clean), strings.Join(parts, "; "), st)
	collapse := statusOf(v)
	v.Bounds = append(v.Bounds, geq("SlowLo·M ≤ slowdown", SEC, slow, lo, 0), leq("slowdown ≤ SlowHi·M", SEC, slow, hi, 0))
	c.Verdict, c.Status = v, collapse
	for _, d := range []Decision{DecideAtLeast(slo, shi, lo), DecideAtMost(slo, shi, hi)} {
		c.Status = Worse(c.Status, StatusOf(d))
	}
	switch {
	case collapse == Inconclusive:
		c.Note = note
	case c.Status == Inconclusive:
		c.Note = "the slowdown is censored"
	}
	return c
}

// minFrac is the smaller of two fractions, NaN counting as the smallest.
func minFrac(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}
