package theorems

import (
	"fmt"
	"math"
	"strings"
)

// This file wires the scopes of hypotheses.go into the checks the claims
// tables show (issue 17, item 1): every Check… on a results file is paired
// with the Scope of its statement on the runs it judged (WithScope), and a
// check outside its statement's hypotheses is reported as
// OutsideHypotheses, with the violated conditions, never as a refutation.
//
// Which scope applies to which claim:
//
//   - P5 = Thm 4.2(i), P6 = Thm 4.2(ii), P7: ScopeP5, ScopeP6, ScopeP7 (the
//     training conditions with THEORY §4.1's step size, and the regime's
//     τ window).
//   - P2 on a phase diagram under adversarial training (τ > 0): ScopeP2Adv,
//     the benign condition of 2604.19724 as THEORY §4.3 restates it
//     (N·SNR² = Ω(1) and τ ≲ ‖μ‖/log d_h), i.e. Thm 4.2(i)'s hypotheses
//     without the benign cell (a diagram spans both sides of the boundary).
//   - P1, P2 on a clean diagram (with the fitted C_b and slope), P3, P4:
//     ScopeClean, "clean GD". These are THEORY §8's [CODE]-calibrated
//     predictions, stated at the configuration of Jiang et al.'s scripts,
//     which themselves run η = 0.1 (heatmap; THEORY §3.1); THEORY §4.1's
//     step-size condition is the [PROP/LIT] template of an unrecovered
//     proof ("for parametrization only"), not a hypothesis of a prediction
//     calibrated at η = 0.1. Their decisions stay as they were.
//   - P8 and P9: ScopeP8, ScopeP9 (no condition on the training: P8 holds
//     for every classifier, P9 is the suite's own claim about its runs).

// ScopeClean evaluates the one hypothesis of the clean [CODE] predictions
// P1–P4 on a run (see the file comment): clean GD, τ = 0.
func ScopeClean(id string, tauRel float64) Scope {
	sc := Scope{Statement: id}
	sc.add(Condition{Name: "τ/‖μ‖ ≤ 0 (clean GD)", Value: tauRel, Limit: 0, AtMost: true, Tag: CODE})
	return sc
}

// ScopeP2Adv evaluates the hypotheses of P2 on a phase diagram under
// adversarial training, on one run f of it: the training conditions of
// Theorem 4.2 (assumption set A, THEORY §4.1's step size) without the
// benign cell N·SNR² ≥ Cb (the diagram's grid spans both sides of the
// boundary it locates), and the regime-1 window 0 < τ ≤ C1‖μ‖/log d_h of
// THEORY §4.3's benign condition N·SNR² = Ω(1) and τ ≲ ‖μ‖/log d_h.
func ScopeP2Adv(f RunFacts, k Consts, s ScopeConsts) (Scope, error) {
	sc, err := newScope("P2", f, k, s)
	if err != nil {
		return sc, err
	}
	var all Scope
	f.trainingConditions(&all, k, s)
	for _, c := range all.Conditions {
		if !strings.HasPrefix(c.Name, "N·SNR²") {
			sc.add(c)
		}
	}
	sc.add(Condition{Name: "τ/‖μ‖ > 0", Value: f.TauOverMu, Limit: 0, Strict: true, Tag: SEC})
	sc.add(Condition{Name: "τ/‖μ‖ ≤ C1/log d_h", Value: f.TauOverMu, Limit: k.C1 / k.logDh(f.Dh), AtMost: true, Tag: SEC})
	return sc, nil
}

// MergeScopes is the scope of a check that judges several runs at once
// (the seeds of one budget, the cells of a diagram): inside only when every
// run is. Per condition (by name, in first-seen order) it keeps the run
// farthest from meeting it — a violating run before a holding one, then the
// larger Factor (a NaN factor counts as the farthest) — so the reported
// violation is the worst one.
func MergeScopes(statement string, scopes []Scope) Scope {
	out := Scope{Statement: statement}
	idx := map[string]int{}
	for _, s := range scopes {
		for _, c := range s.Conditions {
			i, ok := idx[c.Name]
			if !ok {
				idx[c.Name] = len(out.Conditions)
				out.Conditions = append(out.Conditions, c)
				continue
			}
			if farther(c, out.Conditions[i]) {
				out.Conditions[i] = c
			}
		}
	}
	for _, c := range out.Conditions {
		if !c.Holds() {
			out.Violated = append(out.Violated, c)
		}
	}
	return out
}

// farther reports whether a is farther from meeting its hypothesis than b.
func farther(a, b Condition) bool {
	if a.Holds() != b.Holds() {
		return !a.Holds()
	}
	fa, fb := a.Factor(), b.Factor()
	if math.IsNaN(fb) {
		return false
	}
	return math.IsNaN(fa) || fa > fb
}

// Symbol is the left-hand side of the condition's name, "η" for
// "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}".
func (c Condition) Symbol() string {
	name := c.Name
	for _, rel := range []string{" ≤ ", " ≥ ", " < ", " > "} {
		if i := strings.Index(name, rel); i >= 0 && i < len(name) {
			name = name[:i]
		}
	}
	return name
}

// Short prints a violated condition compactly for a grid cell: the
// symbol, the run's value, the relation that holds and the limit, and the
// factor, "η = 0.1 > 0.00049 (×205)".
func (c Condition) Short() string {
	rel := map[bool]string{true: "≤", false: "≥"}[c.AtMost]
	if c.Strict {
		rel = map[bool]string{true: "<", false: ">"}[c.AtMost]
	}
	if !c.Holds() {
		rel = map[string]string{"≤": ">", "<": "≥", "≥": "<", ">": "≤"}[rel]
	}
	s := fmt.Sprintf("%s = %.2g %s %.2g", c.Symbol(), c.Value, rel, c.Limit)
	if f := c.Factor(); !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0 {
		if f >= 10 {
			s += fmt.Sprintf(" (×%.0f)", f)
		} else {
			s += fmt.Sprintf(" (×%.2g)", f)
		}
	}
	return s
}

// Short lists the violated conditions compactly ("" when inside).
func (s Scope) Short() string {
	if s.Inside() {
		return ""
	}
	if len(s.Conditions) == 0 {
		return "no hypothesis evaluated"
	}
	parts := make([]string, len(s.Violated))
	for i, c := range s.Violated {
		parts[i] = c.Short()
	}
	return strings.Join(parts, "; ")
}

// WithScope pairs a check with its statement's scope on the runs it
// judged (Judge): Observed keeps the rule's outcome; outside the
// hypotheses Status becomes OutsideHypotheses, whatever the rule gave.
func WithScope(c Check, sc Scope) Check {
	c.Scope = &sc
	c.Observed = c.Status
	c.Status = Judge(c.Status, sc).Status()
	return c
}

// Outside reports whether the check was scoped and its runs lie outside
// the statement's hypotheses.
func (c Check) Outside() bool { return c.Scope != nil && !c.Scope.Inside() }

// Finding words what the rule observed on runs outside the hypotheses, as
// a finding about practice, without the vocabulary of a verdict ("the
// conclusion fails on these runs").
func (c Check) Finding() string { return practice(c.Observed) }
