package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"vitadv/sweep"
)

// DecidedWidth is the widest robust-error bracket that counts as decided:
// a row is decided when robust_err_ub − robust_err_lb ≤ DecidedWidth
// (issue 18: "≥ 95% of the committed bracket rows decided").
const DecidedWidth = 0.05

// widthSlack absorbs the rounding of the subtraction ub − lb: the ends are
// fractions k/n of n test points, so a bracket of exactly DecidedWidth·n
// points (25 of 500: lb 0.174, ub 0.224) computes as 0.05000000000000002.
// It is far below one test point (1/n ≥ 5·10⁻⁴ for every committed file),
// so no bracket a point wider is counted.
const widthSlack = 1e-9

// decidedBracket reports whether the bracket [lb, ub] is decided:
// ub − lb ≤ DecidedWidth, up to widthSlack.
func decidedBracket(lb, ub float64) bool { return ub-lb <= DecidedWidth+widthSlack }

// bracketTally sums the robust-error brackets [robust_err_lb,
// robust_err_ub] of the adversarial rows (τ > 0) of one scale and
// perturbation set. Per row, lb is the fraction of test points an attack
// broke (each with a witness), 1 − ub the fraction the certificate proved
// robust, and ub − lb the fraction neither decided.
type bracketTally struct {
	scale, set string
	files      []string
	rows       int     // rows with τ > 0 and a finite bracket
	decided    int     // rows with ub − lb ≤ DecidedWidth
	nonFinite  int     // rows with τ > 0 and a NaN or infinite end
	broken     float64 // Σ lb
	certified  float64 // Σ (1 − ub)
	undecided  float64 // Σ (ub − lb)
}

// bracketTallies collects bracketTally by (scale, set), in first-seen order.
type bracketTallies struct {
	order []*bracketTally
}

// add tallies the adversarial rows of the results file rel (at scale) into
// ts, naming it with the protocol of its brackets (bracketProtocol); a
// file without the bracket columns adds nothing.
func (ts *bracketTallies) add(rel, scale, proto string, t *sweep.Table) {
	if !t.Has("robust_err_lb") || !t.Has("robust_err_ub") || !t.Has("tau_over_mu") {
		return
	}
	set := setName(t)
	i := slices.IndexFunc(ts.order, func(b *bracketTally) bool { return b.scale == scale && b.set == set })
	if i < 0 {
		ts.order = append(ts.order, &bracketTally{scale: scale, set: set})
		i = len(ts.order) - 1
	}
	b := ts.order[i]
	lbs, ubs, taus := t.Col("robust_err_lb"), t.Col("robust_err_ub"), t.Col("tau_over_mu")
	used := false
	for r := range lbs {
		if !(taus[r] > 0) {
			continue
		}
		used = true
		lb, ub := lbs[r], ubs[r]
		if math.IsNaN(lb) || math.IsNaN(ub) || math.IsInf(lb, 0) || math.IsInf(ub, 0) {
			b.nonFinite++
			continue
		}
		b.rows++
		if decidedBracket(lb, ub) {
			b.decided++
		}
		b.broken += lb
		b.certified += 1 - ub
		b.undecided += ub - lb
	}
	if used {
		b.files = append(b.files, "`"+rel+"` ("+proto+")")
	}
}

// write prints the tallies as a Markdown table, one row per scale and set
// (nothing when no file had adversarial rows).
func (ts *bracketTallies) write(w io.Writer) {
	var rows []string
	for _, b := range ts.order {
		if b.rows+b.nonFinite == 0 {
			continue
		}
		n := float64(b.rows)
		nf := ""
		if b.nonFinite > 0 {
			nf = fmt.Sprintf(" (+%d non-finite, undecided)", b.nonFinite)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %d%s | %d (%.0f%%) | %.3f | %.3f | %.3f | %s |", b.scale, b.set, b.rows, nf,
			b.decided, 100*float64(b.decided)/float64(b.rows+b.nonFinite), b.broken/n, b.certified/n, b.undecided/n, strings.Join(b.files, ", ")))
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n---\n\n## Robust error: broken, certified, undecided\n\n")
	fmt.Fprintf(w, "Every adversarial row (τ > 0) of the results files, by scale and perturbation set: a row is decided when its bracket is at most %g wide (robust_err_ub − robust_err_lb ≤ %g); the fractions are means over the rows of the test points an attack broke (robust_err_lb, each with a witness), the certificate proved robust (1 − robust_err_ub) and neither decided (the rest). After each file, the protocol of its lower ends, by one rule on its sidecar: _%s_ when the sidecar's \"eval\" records \"cascade\": true (after PGD, APGD, midpoint and erase, the strong attack `attack.DefaultStrong` on every point neither broken nor certified: the strong protocol, issue 18), _%s_ when it also records \"no_signals\": true (the same without the midpoint attack and the strong attack's midpoint start, the only readers of the signal tokens: MNIST images have none), _%s_ when it records an \"eval\" without the cascade, _%s_ when it has no \"eval\" (written before the protocol was recorded, when the cascade had no flag and was off); the CSV's column eval_cascade must agree; then, after \"; \", _%s_ when it records \"joint\": true (the upper ends certified with package certify's joint bounds as well as the interval bound, flag -cert-joint; the CSV's column cert_joint must agree), nothing for the interval bound alone; then _deep branch-and-bound (N nodes)_ when it records \"deep_nodes\": N (the points left undecided certified once more with N bound evaluations, flag -cert-deep; the CSV's column cert_deep must hold N).\n\n", DecidedWidth, DecidedWidth, protoCascade, protoNoSignals, protoCheap, protoUnrecord, protoJoint)
	fmt.Fprintf(w, "| scale | set | rows | decided | broken | certified | undecided | files |\n|---|---|---|---|---|---|---|---|\n%s\n", strings.Join(rows, "\n"))
}
