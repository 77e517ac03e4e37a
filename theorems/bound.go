package theorems

import (
	"fmt"
	"math"
	"strings"
)

// Tag is the provenance of a statement (docs/THEORY.md §0): how firm it is, and
// therefore whether a test may assert it exactly ([DER]), within a stated
// band ([CODE]) or only as a shape with fitted constants (the rest, §5).
type Tag string

// The provenance tags of docs/THEORY.md §0.
const (
	ABS    Tag = "[ABS]"
	CODE   Tag = "[CODE]"
	REV    Tag = "[REV]"
	SEC    Tag = "[SEC]"
	LIT    Tag = "[LIT]"
	DER    Tag = "[DER]"
	PROP   Tag = "[PROP]"
	RECALL Tag = "[RECALL?]"
)

// Bound is one evaluated inequality LHS ≤ RHS + Slack of a statement
// (docs/STYLE.md §7). A claim "x ≥ c" is stored as LHS = c, RHS = x.
type Bound struct {
	Name     string  // what is compared, e.g. "1/2 ≤ robust error (paired, midpoint)"
	Tag      Tag     // provenance of this part of the claim
	LHS, RHS float64 // both sides, evaluated on the instance
	Slack    float64 // rounding or sampling allowance, justified where it is set
	// Undecided, when non-empty, says why the instance cannot decide this
	// bound (e.g. too few points for the statistic): the bound neither
	// holds nor fails, and LHS/RHS are not meaningful.
	Undecided string
	// Decision, when set, decides a claim on a bracketed quantity (robust
	// error known as lb ≤ x ≤ ub, see Decision): the bound holds only when
	// it is Certified, fails only when it is Refuted, and is undecided
	// otherwise. LHS ≤ RHS then reads the proving side against the
	// threshold Limit, and Lo, Hi are the bracket.
	Decision      Decision
	Lo, Hi, Limit float64
}

// IsUndecided reports a bound the instance cannot decide: an Undecided
// reason, or a bracket that straddles its threshold.
func (b Bound) IsUndecided() bool {
	return b.Undecided != "" || (b.Decision != "" && b.Decision != Certified && b.Decision != Refuted)
}

// Holds reports LHS ≤ RHS + Slack (NaN on either side never holds); a
// bracketed bound holds only when its Decision is Certified; an undecided
// bound never holds.
func (b Bound) Holds() bool {
	if b.IsUndecided() {
		return false
	}
	if b.Decision != "" {
		return b.Decision == Certified
	}
	return b.LHS <= b.RHS+b.Slack
}

// Fails reports that the bound was decided and does not hold.
func (b Bound) Fails() bool { return !b.IsUndecided() && !b.Holds() }

// Gap returns RHS + Slack − LHS: how much room the bound has (negative when
// it fails).
func (b Bound) Gap() float64 { return b.RHS + b.Slack - b.LHS }

func (b Bound) String() string {
	if b.Undecided != "" {
		return fmt.Sprintf("%s %s: undecided (%s)", b.Tag, b.Name, b.Undecided)
	}
	ok := "holds"
	if !b.Holds() {
		ok = "FAILS"
	}
	if b.Decision != "" {
		return fmt.Sprintf("%s %s: bracket [%.6g, %.6g] (width %.3g) against %.6g: %s", b.Tag, b.Name, b.Lo, b.Hi, b.Hi-b.Lo, b.Limit, b.decisionText())
	}
	return fmt.Sprintf("%s %s: lhs=%.6g rhs=%.6g slack=%.3g gap=%.4g (%s)", b.Tag, b.Name, b.LHS, b.RHS, b.Slack, b.Gap(), ok)
}

// decisionText names a bracketed bound's decision by what settled it. A
// floor "x ≥ Limit" (bracketGeq: LHS = Limit, RHS = Lo) is refuted by the
// certificate side (ub < Limit), a ceiling by an attack witness; Decision
// itself keeps the one Refuted value.
func (b Bound) decisionText() string {
	if b.Decision == Refuted && b.LHS == b.Limit && b.RHS == b.Lo {
		return "refuted (certificate)"
	}
	return string(b.Decision)
}

// Const is one named constant a verdict was computed with (docs/STYLE.md §7: the
// constants used travel with the result).
type Const struct {
	Name  string
	Value float64
}

// Verdict is the outcome of one statement on one instance: the conjunction
// of its Bounds, with the constants it used. It is never a bare bool.
type Verdict struct {
	Statement string // statement ID and function, e.g. "P8 MidpointFloor"
	Tag       Tag    // provenance of the statement as a whole
	Bounds    []Bound
	Consts    []Const
}

// Holds reports whether every bound holds. A verdict without bounds does not
// hold: a statement that checked nothing has not been verified.
func (v Verdict) Holds() bool {
	if len(v.Bounds) == 0 {
		return false
	}
	for _, b := range v.Bounds {
		if !b.Holds() {
			return false
		}
	}
	return true
}

// Refuted reports whether some decided bound fails: the instance is a
// counterexample whatever the undecided bounds would say.
func (v Verdict) Refuted() bool {
	for _, b := range v.Bounds {
		if b.Fails() {
			return true
		}
	}
	return false
}

// Undecided reports a verdict that neither holds nor is refuted: no decided
// bound fails, but some bound could not be decided on the instance.
func (v Verdict) Undecided() bool { return !v.Holds() && !v.Refuted() && len(v.Bounds) > 0 }

// Failed returns the decided bounds that do not hold.
func (v Verdict) Failed() []Bound {
	var out []Bound
	for _, b := range v.Bounds {
		if b.Fails() {
			out = append(out, b)
		}
	}
	return out
}

// Bound returns the first bound whose name starts with prefix, and whether
// one exists.
func (v Verdict) Bound(prefix string) (Bound, bool) {
	for _, b := range v.Bounds {
		if strings.HasPrefix(b.Name, prefix) {
			return b, true
		}
	}
	return Bound{}, false
}

// MinGap returns the smallest Gap over the decided bounds (+Inf without
// any).
func (v Verdict) MinGap() float64 {
	g := math.Inf(1)
	for _, b := range v.Bounds {
		if b.IsUndecided() {
			continue
		}
		g = math.Min(g, b.Gap())
	}
	return g
}

func (v Verdict) String() string {
	var sb strings.Builder
	ok := "holds"
	switch {
	case v.Refuted():
		ok = "FAILS"
	case v.Undecided():
		ok = "UNDECIDED"
	case !v.Holds():
		ok = "FAILS" // no bounds: nothing was verified
	}
	fmt.Fprintf(&sb, "%s %s %s", v.Statement, v.Tag, ok)
	for _, b := range v.Bounds {
		fmt.Fprintf(&sb, "\n  %s", b)
	}
	if len(v.Consts) > 0 {
		sb.WriteString("\n  constants:")
		for _, c := range v.Consts {
			fmt.Fprintf(&sb, " %s=%g", c.Name, c.Value)
		}
	}
	return sb.String()
}

// HypothesisError reports an instance outside a statement's hypotheses,
// with the offending value and the limit it broke (docs/STYLE.md §7), so that a
// property test can tell "claim false" (a Verdict that fails) from "claim
// not applicable" (this error).
type HypothesisError struct {
	Lemma      string  // statement, e.g. "P8 MidpointFloor"
	Hypothesis string  // the violated assumption in words, e.g. "τ ≥ ‖μ‖/√2"
	Value      float64 // its value on the instance
	Limit      float64 // the limit it must respect
}

func (e *HypothesisError) Error() string {
	return fmt.Sprintf("%s: hypothesis %q violated: value %.6g, limit %.6g", e.Lemma, e.Hypothesis, e.Value, e.Limit)
}

// Calibrated is a constant the paper leaves as O(1), fitted from a sweep
// (docs/THEORY.md §5): a point estimate, a 95% interval and the command that
// regenerates it.
type Calibrated struct {
	Name     string  // e.g. "C_b in N·SNR_2² ≥ C_b"
	Estimate float64 // point estimate
	Lo, Hi   float64 // 95% interval (bootstrap over seeds unless stated)
	Command  string  // command that regenerates the fit
}

func (c Calibrated) String() string {
	return fmt.Sprintf("%s = %.4g [%.4g, %.4g] (%s)", c.Name, c.Estimate, c.Lo, c.Hi, c.Command)
}

// geq returns the bound "lo ≤ x" named name.
func geq(name string, tag Tag, x, lo, slack float64) Bound {
	return Bound{Name: name, Tag: tag, LHS: lo, RHS: x, Slack: slack}
}

// leq returns the bound "x ≤ hi" named name.
func leq(name string, tag Tag, x, hi, slack float64) Bound {
	return Bound{Name: name, Tag: tag, LHS: x, RHS: hi, Slack: slack}
}

// bracketLeq returns the bracketed claim "x ≤ hi" for lb ≤ x ≤ ub, decided
// by DecideAtMost on the upper end (robust error: ub = 1 − certified
// fraction proves it, lb > hi from attack witnesses refutes it).
func bracketLeq(name string, tag Tag, lb, ub, hi float64) Bound {
	return Bound{Name: name, Tag: tag, LHS: ub, RHS: hi, Decision: DecideAtMost(lb, ub, hi), Lo: lb, Hi: ub, Limit: hi}
}

// bracketGeq returns the bracketed claim "lo ≤ x" for lb ≤ x ≤ ub, decided
// by DecideAtLeast on the lower end (attack witnesses prove it, ub < lo
// from certificates refutes it).
func bracketGeq(name string, tag Tag, lb, ub, lo float64) Bound {
	return Bound{Name: name, Tag: tag, LHS: lo, RHS: lb, Decision: DecideAtLeast(lb, ub, lo), Lo: lb, Hi: ub, Limit: lo}
}
