package theorems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
)

// This file gives the statements of All() the scope a counterexample hunt
// evaluates at every point it checks (issue 17, item 1 of the hunts): the
// same Scope… functions the claims tables apply to the results files
// (hypotheses.go, claims_scope.go), evaluated on the instances the
// statement's Check trains at that point. A hunted point outside its
// statement's hypotheses (at the scales' η = 0.1, THEORY §4.1's step-size
// condition is violated at every cell) is tallied apart by cmd/hunt and
// reported as a finding about practice, never as a refutation.
//
// Which scope a statement has:
//
//   - Thm4.2(i), Thm4.2(ii), P7: ScopeP5, ScopeP6, ScopeP7 on the cell's
//     instance (the training conditions with THEORY's step size, and the
//     regime's τ window);
//   - P12 (OverfittingIsReal, regime 1 of Thm 4.2): ScopeP12;
//   - P1b, P1c, P2, P3, P4 (the clean [CODE] predictions): ScopeClean, clean
//     GD (inside at every point: their checks train at τ = 0);
//   - A, D, Thm4.2(iii), P8, P9, P10: none — their Check returns a
//     *HypothesisError outside their hypotheses (for P8 that is ScopeP8's
//     τ ≥ ‖μ‖/√2; P9's hunt always judges three budgets, ScopeP9's
//     condition), which the hunt tallies as n/a.

// DrawPoint returns point i of a hunt with search seed seed over axes (in
// the relaxed ranges when relax): each axis in order, uniform over its
// integer range from rand.NewPCG(seed, i). It is the one definition of
// cmd/hunt's search, so that the points of a logged run can be redrawn
// from its command (cmd/hunt -label-scope).
func DrawPoint(axes []Axis, relax bool, seed uint64, i int) Point {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	p := Point{}
	for _, a := range axes {
		lo, hi := a.Lo, a.Hi
		if relax {
			lo, hi = a.RelaxLo, a.RelaxHi
		}
		p[a.Name] = lo + r.IntN(hi-lo+1)
	}
	return p
}

// ScopeP12 evaluates the hypotheses of P12 (OverfittingIsReal, the
// abstract's near-zero robust training loss in regime 1 of Thm 4.2) on the
// run f: the training conditions (assumption set A, THEORY's step size, a
// benign cell) and 0 ≤ τ ≤ C1·‖μ‖/log d_h (τ = 0, clean GD, included).
func ScopeP12(f RunFacts, k Consts, s ScopeConsts) (Scope, error) {
	sc, err := newScope("P12", f, k, s)
	if err != nil {
		return sc, err
	}
	f.trainingConditions(&sc, k, s)
	sc.add(Condition{Name: "τ/‖μ‖ ≤ C1/log d_h", Value: f.TauOverMu, Limit: k.C1 / k.logDh(f.Dh), AtMost: true, Tag: SEC})
	return sc, nil
}

// cellScope evaluates scope on the facts of the instance sc.Cell(N, c,
// tauRel, seed) of point p (no training: FactsOf draws the
// initialization only).
func cellScope(sc Scale, p Point, tauRel float64, scope func(RunFacts) (Scope, error)) (Scope, error) {
	f, err := FactsOf(sc.Cell(nOf(p), cOf(p), tauRel, uint64(p["seed"])))
	if err != nil {
		return Scope{}, err
	}
	return scope(f)
}

// huntScope returns the scope of statement id's checks at a point, nil
// when the statement has none.
func huntScope(id string) func(sc Scale, p Point, k Consts, s ScopeConsts) (Scope, error) {
	cell := func(tau func(Point) float64, scope func(RunFacts, Consts, ScopeConsts) (Scope, error)) func(Scale, Point, Consts, ScopeConsts) (Scope, error) {
		return func(sc Scale, p Point, k Consts, s ScopeConsts) (Scope, error) {
			return cellScope(sc, p, tau(p), func(f RunFacts) (Scope, error) { return scope(f, k, s) })
		}
	}
	tau20 := func(p Point) float64 { return float64(p["tau20"]) / 20 }
	switch id {
	case "Thm4.2(i)":
		return cell(tau20, ScopeP5)
	case "Thm4.2(ii)":
		return cell(tau20, ScopeP6)
	case "P12":
		return cell(tau20, ScopeP12)
	case "P7":
		return cell(func(Point) float64 { return 0 }, func(f RunFacts, k Consts, s ScopeConsts) (Scope, error) { return ScopeP7(f, SweepTaus(), k, s) })
	case "P1b", "P1c", "P2", "P3", "P4":
		return func(Scale, Point, Consts, ScopeConsts) (Scope, error) { return ScopeClean(id, 0), nil }
	}
	return nil
}

// HuntScope returns the scope of statement id's check at point p of scale
// sc (constants k and s), and false when the statement has none (its
// Check's *HypothesisError is its scope). An error means the point is not
// a possible run (RunFacts.Validate).
func HuntScope(id string, sc Scale, p Point, k Consts, s ScopeConsts) (Scope, bool, error) {
	f := huntScope(id)
	if f == nil {
		return Scope{}, false, nil
	}
	scope, err := f(sc, p, k, s)
	return scope, true, err
}

// Record prints a violated condition exactly, for the hunts' text logs:
// the name, the tag, the run's value and the limit in shortest round-trip
// form with the relation that holds between them, and the factor,
//
//	η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹} [LIT]: 0.1 > 0.0009765625 (×102.4)
//
// ParseConditionRecord reads it back (only violated conditions have a
// record: the printed relation is the negation of the hypothesis).
func (c Condition) Record() string {
	s := fmt.Sprintf("%s %s: %s %s %s", c.Name, c.Tag, strconv.FormatFloat(c.Value, 'g', -1, 64), c.relation(), strconv.FormatFloat(c.Limit, 'g', -1, 64))
	if f := c.Factor(); !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0 {
		s += fmt.Sprintf(" (×%.4g)", f)
	}
	return s
}

// relation is the relation that holds between Value and Limit as String
// prints it.
func (c Condition) relation() string {
	rel := map[bool]string{true: "≤", false: "≥"}[c.AtMost]
	if c.Strict {
		rel = map[bool]string{true: "<", false: ">"}[c.AtMost]
	}
	if !c.Holds() {
		rel = map[string]string{"≤": ">", "<": "≥", "≥": "<", ">": "≤"}[rel]
	}
	return rel
}

var conditionRecordRE = regexp.MustCompile(`^(.+) (\[[A-Z?/]+\]): (\S+) (≤|≥|<|>) (\S+)(?: \(×(\S+)\))?$`)

// ParseConditionRecord reads a violated condition printed by Record. A
// string that is not such a record, or whose condition holds, is an error.
func ParseConditionRecord(s string) (Condition, error) {
	m := conditionRecordRE.FindStringSubmatch(s)
	if m == nil {
		return Condition{}, fmt.Errorf("%q is not a violated condition (want \"NAME [TAG]: VALUE REL LIMIT (×F)\")", s)
	}
	v, err1 := strconv.ParseFloat(m[3], 64)
	l, err2 := strconv.ParseFloat(m[5], 64)
	if err1 != nil || err2 != nil {
		return Condition{}, fmt.Errorf("%q: value or limit is not a number", s)
	}
	c := Condition{Name: m[1], Tag: Tag(m[2]), Value: v, Limit: l}
	// A violated hypothesis prints the negated relation.
	switch m[4] {
	case ">":
		c.AtMost = true
	case "≥":
		c.AtMost, c.Strict = true, true
	case "≤":
		c.Strict = true
	}
	if c.Holds() {
		return Condition{}, fmt.Errorf("%q: the condition holds (a record lists violated conditions only)", s)
	}
	if c.Record() != s {
		return Condition{}, fmt.Errorf("%q does not read back as itself (got %q)", s, c.Record())
	}
	return c, nil
}
