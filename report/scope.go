package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"vitadv/sweep"
	"vitadv/theorems"
)

// Issue 17, item 1: every check the claims tables show is paired with its
// statement's scope (package theorems, claims_scope.go) evaluated on the
// runs it judged, read from the columns of the results file. Outside the
// hypotheses a check reports theorems.OutsideHypotheses with the violated
// conditions; what its rule observed is printed as a finding about
// practice, never with the words of a verdict.

// factsOfRow returns the theorems.RunFacts of row i of a results table
// (columns n, d, m, dh, mu, sigma2, sigma_w, tau_over_mu, eta, max_steps,
// init_shrink; T is max_steps, the horizon the run was given). ‖w_O‖² is
// theorems.ExpectedWoNorm2: the table holds seeds as float64 and cannot
// redraw the initialization; only assumption set A's curvature term uses
// it, at 7.7–36 against Ceta = 400 in the committed sweeps.
func factsOfRow(t *sweep.Table, i int) theorems.RunFacts {
	v := func(name string) float64 {
		if c := t.Col(name); i < len(c) {
			return c[i]
		}
		return math.NaN()
	}
	n := func(name string) int {
		x := v(name)
		if math.IsNaN(x) || math.Abs(x) > 1<<30 {
			return 0 // fails RunFacts.Validate
		}
		return int(x)
	}
	return theorems.RunFacts{N: n("n"), D: n("d"), M: n("m"), Dh: n("dh"), Mu: v("mu"), Sigma2: v("sigma2"), SigmaW: v("sigma_w"),
		TauOverMu: v("tau_over_mu"), Eta: v("eta"), Steps: n("max_steps"), InitShrink: v("init_shrink"), WoNorm2: theorems.ExpectedWoNorm2}
}

// scopeRows evaluates a statement's scope on every row of t that sel
// selects and merges them (theorems.MergeScopes: inside only when every run
// is). A row whose facts are not a possible run, or no row at all, gives a
// scope with no condition evaluated, which is not inside.
func scopeRows(statement string, t *sweep.Table, sel func(i int) bool, scope func(theorems.RunFacts) (theorems.Scope, error)) theorems.Scope {
	var scs []theorems.Scope
	for i := 0; i < t.Rows; i++ {
		if sel != nil && !sel(i) {
			continue
		}
		sc, err := scope(factsOfRow(t, i))
		if err != nil {
			return theorems.Scope{Statement: statement}
		}
		scs = append(scs, sc)
	}
	if len(scs) == 0 {
		return theorems.Scope{Statement: statement}
	}
	return theorems.MergeScopes(statement, scs)
}

// atTau selects the rows of t at the budget tauRel.
func atTau(t *sweep.Table, tauRel float64) func(int) bool {
	c := t.Col("tau_over_mu")
	return func(i int) bool { return c[i] == tauRel }
}

// outsideWord is how the tables print the outside status: italic, not
// bold, since it is no failure of the statement.
func outsideWord() string { return "_" + string(theorems.OutsideHypotheses) + "_" }

// statusWord prints a check's status for a grid cell: bold for not
// reproduced and inconclusive, plain for reproduced; outside the
// hypotheses with the violated conditions in compact form and the rule's
// observation as a finding about practice.
func statusWord(c theorems.Check) string {
	if c.Outside() {
		return fmt.Sprintf("%s (%s; in practice %s)", outsideWord(), c.Scope.Short(), c.Finding())
	}
	return bold(c.Status)
}

// OutsideLegend lists, once, the full violated conditions of every source
// with a check outside its statement's hypotheses: one line per source and
// condition, with the claims it puts outside. Empty when no check is
// outside.
func OutsideLegend(rows []ClaimRow) string {
	type key struct{ src, cond string }
	var keys []key
	ids := map[key][]string{}
	for _, r := range rows {
		if !r.Outside() {
			continue
		}
		conds := r.Scope.Violated
		texts := make([]string, len(conds))
		for i, c := range conds {
			texts[i] = c.String()
		}
		if len(texts) == 0 {
			texts = []string{"no hypothesis evaluated (the file lacks the columns of the run's facts)"}
		}
		for _, s := range texts {
			k := key{r.Source, s}
			if _, ok := ids[k]; !ok {
				keys = append(keys, k)
			}
			if !slices.Contains(ids[k], r.ID) {
				ids[k] = append(ids[k], r.ID)
			}
		}
	}
	if len(keys) == 0 {
		return ""
	}
	for _, k := range keys {
		slices.SortStableFunc(ids[k], cmpClaim)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the runs of these files violate a hypothesis of the statement they were checked against, so what the rule observed on them is a finding about practice, not a verdict on the statement (issue 17; scopes in `theorems/claims_scope.go`). The violated conditions, with the run's value, the limit and the factor between them (worst run of the file):\n\n", outsideWord())
	for _, k := range keys {
		fmt.Fprintf(&b, "* %s — %s: %s\n", sourceCell(k.src), strings.Join(ids[k], ", "), cellText(k.cond))
	}
	return b.String()
}

// scopeP8 is P8's scope on a τ sweep: its one hypothesis τ ≥ ‖μ‖/√2 at the
// smallest budget CheckP8 judges (every budget ≥ ‖μ‖/√2), or at the largest
// budget of the sweep when it has none (then outside: nothing to judge).
func scopeP8(taus []float64) theorems.Scope {
	lo, top := math.Inf(1), math.Inf(-1)
	for _, t := range taus {
		if t >= 1/math.Sqrt2 {
			lo = math.Min(lo, t)
		}
		top = math.Max(top, t)
	}
	if math.IsInf(lo, 1) {
		lo = top
	}
	return theorems.ScopeP8(lo)
}

// scopeP2 is P2's scope on a phase diagram: clean GD (theorems.ScopeClean)
// for a clean diagram; under adversarial training, theorems.ScopeP2Adv on
// every run of the grid, merged.
func scopeP2(t *sweep.Table, k theorems.Consts) theorems.Scope {
	if tau := t.First("tau_over_mu"); tau == 0 {
		return theorems.ScopeClean("P2", tau)
	}
	sk := theorems.DefaultScope()
	return scopeRows("P2", t, nil, func(f theorems.RunFacts) (theorems.Scope, error) { return theorems.ScopeP2Adv(f, k, sk) })
}

// outsideParts is resultsCell's part for the rows of claim id outside
// their statement's hypotheses: grouped by the violated conditions
// (compact) and the rule's observation, worded as a finding about
// practice; per source "k of n" when only some of its rows are outside.
// srcs and per are resultsCell's sources and status counts.
func outsideParts(rows []ClaimRow, id string, srcs []string, per map[string]map[theorems.Status]int) []string {
	type group struct{ why, finding string }
	var groups []group
	count := map[group]map[string]int{}
	for _, r := range rows {
		if r.ID != id || !r.Outside() {
			continue
		}
		g := group{r.Scope.Short(), r.Finding()}
		if _, ok := count[g]; !ok {
			groups = append(groups, g)
			count[g] = map[string]int{}
		}
		count[g][r.Source]++
	}
	var parts []string
	for _, g := range groups {
		var list []string
		for _, s := range srcs {
			c := count[g][s]
			if c == 0 {
				continue
			}
			n := 0
			for _, x := range per[s] {
				n += x
			}
			item := sourceCell(s)
			if c < n {
				item += fmt.Sprintf(" (%d of %d)", c, n)
			}
			list = append(list, item)
		}
		parts = append(parts, fmt.Sprintf("%s (%s; in practice %s): %s", outsideWord(), g.why, g.finding, strings.Join(list, ", ")))
	}
	return parts
}

// noteOf is a check's note as the tables print it. Outside the hypotheses
// a bracket decision is worded as what the attacks or the certificate
// showed on the runs, not as a verdict ("refuted (witness)" would read as
// a refutation of the statement).
func noteOf(c theorems.Check) string {
	if !c.Outside() {
		return c.Note
	}
	switch theorems.Decision(c.Note) {
	case theorems.Refuted:
		return "the attacks witness it on these runs"
	case theorems.Certified:
		return "the certificate proves it on these runs"
	}
	return c.Note
}
