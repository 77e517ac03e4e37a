package report

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"vitadv/sweep"
	"vitadv/theorems"
)

// MNIST 0 vs 1 under ℓ₂ adversarial training (issue 17, item 4): the
// heatmap files mnist/<name>-at-<τ>[-…] (`vitadv mnist -tau`), judged by
// P1/P2 (reportPhase, with their scopes) and here by P5 = Thm 4.2(i), cell
// by cell against the clean run of the same grid, seeds and η — the file
// named without "-at-<τ>" — and with ScopeP5 evaluated on every run.

// atTauRE matches the "-at-<τ>" part of an adversarially trained file's
// name (experiment.AtTau).
var atTauRE = regexp.MustCompile(`-at-[0-9.]+(?:e[+-]?[0-9]+)?(-|$)`)

// mnistCleanOf returns the clean companion of an adversarially trained
// MNIST file rel ("mnist/ci-at-0.1" → "mnist/ci", "mnist/ci-at-0.1-eta0.001"
// → "mnist/ci-eta0.001"), and false when rel names no budget.
func mnistCleanOf(rel string) (string, bool) {
	loc := atTauRE.FindStringIndex(rel)
	if loc == nil {
		return "", false
	}
	rest := rel[loc[1]:]
	if strings.HasSuffix(rel[loc[0]:loc[1]], "-") {
		rest = "-" + rest
	}
	return rel[:loc[0]] + rest, true
}

// mnistPoint is one benign grid point (N, σ₂) of an MNIST AT file, its
// replicates averaged, beside the same point of the clean run.
type mnistPoint struct {
	n                int
	sigma2, c        float64
	trainLoss        float64 // the largest robust training loss of the replicates
	lb, ub, cleanErr float64 // means of robust_err_lb, robust_err_ub and the clean run's test_err
	check            theorems.Check
	scope            theorems.Scope
}

// reportMNISTAT writes the P1 and P5 part of an MNIST AT file's section
// and returns its checks: P1 (outside its clean-GD scope), and P5 once per
// side of the hypotheses (the grid points
// inside P5's scope, and those outside it), each over the benign grid
// points (N·SNR² ≥ Cb) of that side. root is the results root, where the
// clean companion is read.
func reportMNISTAT(w io.Writer, root, rel string, t *sweep.Table, k theorems.Consts) []theorems.Check {
	cleanRel, ok := mnistCleanOf(rel)
	if !ok {
		return nil
	}
	// P1 is a prediction for clean GD (theorems.ScopeClean): on an AT
	// heatmap it is outside its hypotheses, and what its rule shows is a
	// finding about practice.
	fmt.Fprintf(w, "\n#### P1 and P5 = Thm 4.2(i) on MNIST under adversarial training\n\n")
	p1 := theorems.WithScope(theorems.CheckP1(p1Cells(t, k), k), theorems.ScopeClean("P1", t.First("tau_over_mu")))
	bullet(w, p1)
	checks := []theorems.Check{p1}
	fmt.Fprintf(w, "\nP5 against the clean run `%s`: ", cleanRel)
	pts, why := mnistPoints(filepath.Join(root, cleanRel+".csv"), t, k)
	if why != "" {
		c := theorems.Check{ID: "P5", Rule: theorems.CheckP5(0, 0, 0, 0, 0, k).Rule, Measured: "no clean companion", Status: theorems.Inconclusive, Note: why}
		fmt.Fprintln(w)
		bullet(w, c)
		return append(checks, c)
	}
	fmt.Fprintf(w, "Every benign grid point (N·SNR² ≥ Cb = %g, replicates averaged) is judged by `theorems.CheckP5` against the clean run's test error at the same point (same seeds and η), and each run's hypotheses by `theorems.ScopeP5` (assumption set A, THEORY §4.1's step size η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹} with σ₂ the noise token's deviation, the regime-1 window τ ≤ C1‖μ‖/log d_h). ", k.Cb)
	if t.Has(protoEvalField) {
		fmt.Fprintf(w, "The robust error is the bracket [robust_err_lb, robust_err_ub]: the signal-free cascade's error (PGD, APGD, erase and the row attack, then `attack.DefaultStrong` without its midpoint start on the points neither broken nor certified; a lower bound, each break with a witness; MNIST images have no signal token for the midpoint attack) and 1 − the certified fraction. ")
	} else {
		fmt.Fprintf(w, "The robust error is the bracket [robust_err_lb, robust_err_ub]: the evaluation PGD's error (a lower bound; MNIST images have no signal token for the exact attacks) and 1 − the certified fraction. ")
	}
	fmt.Fprintf(w, "The scope also holds the data law (`theorems.WithDataLaw`): MNIST tokens are not drawn from THEORY §1.1's signal-plus-noise model, so every MNIST run is outside P5's hypotheses whatever its step size. What P5's rule shows here is a finding about the paper's real-data experiment and about practice, never a verdict on the theorem; the rule has no sampling allowance either (one of %d test images is %.4f of error).\n\n", int(t.First("n_test")), 1/t.First("n_test"))
	fmt.Fprintf(w, "| N | σ₂ | N·SNR² | robust training loss (max) | robust error [lb, ub] | clean error | hypotheses of P5 | P5 (inside: the verdict; outside: what its rule shows, a finding about practice) |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range pts {
		side, what := "inside", bold(p.check.Status)
		if c := theorems.WithScope(p.check, p.scope); c.Outside() {
			side, what = outsideWord()+": "+p.scope.Short(), c.Finding()
		}
		fmt.Fprintf(w, "| %d | %g | %.3g | %.6g | [%.3f, %.3f] | %.3f | %s | %s |\n", p.n, p.sigma2, p.c, p.trainLoss, p.lb, p.ub, p.cleanErr, cellText(side), what)
	}
	fmt.Fprintln(w)
	for _, inside := range []bool{true, false} {
		var group []mnistPoint
		for _, p := range pts {
			if p.scope.Inside() == inside {
				group = append(group, p)
			}
		}
		if len(group) == 0 {
			continue
		}
		c := combineP5(group)
		bullet(w, c)
		checks = append(checks, c)
	}
	return checks
}

// mnistPoints pairs the benign grid points of the AT table t with the
// clean table at cleanPath and judges each; why is non-empty when they
// cannot be paired (no clean file, or another grid, seeds or η).
func mnistPoints(cleanPath string, t *sweep.Table, k theorems.Consts) (pts []mnistPoint, why string) {
	if _, err := os.Stat(cleanPath); err != nil {
		return nil, fmt.Sprintf("no clean run %s to compare with", filepath.Base(cleanPath))
	}
	cl, err := sweep.ReadTable(cleanPath)
	if err != nil {
		return nil, err.Error()
	}
	if cl.Rows != t.Rows {
		return nil, fmt.Sprintf("the clean run has %d rows, the adversarial one %d: not the same grid", cl.Rows, t.Rows)
	}
	for _, col := range []string{"n", "sigma2", "rep", "seed", "eta", "max_steps", "mu", "d", "m", "dh", "dv"} {
		if !slices.Equal(cl.Col(col), t.Col(col)) {
			return nil, fmt.Sprintf("column %s differs from the clean run's: not the same grid, seeds or optimizer", col)
		}
	}
	sk := theorems.DefaultScope()
	type key struct {
		n  int
		s2 float64
	}
	idx := map[key]int{}
	var rows [][]int
	var keys []key
	for i := 0; i < t.Rows; i++ {
		if !(t.Col("c")[i] >= k.Cb) {
			continue
		}
		kk := key{int(t.Col("n")[i]), t.Col("sigma2")[i]}
		j, ok := idx[kk]
		if !ok {
			j = len(rows)
			idx[kk] = j
			rows = append(rows, nil)
			keys = append(keys, kk)
		}
		rows[j] = append(rows[j], i)
	}
	for j, rs := range rows {
		p := mnistPoint{n: keys[j].n, sigma2: keys[j].s2, c: t.Col("c")[rs[0]], trainLoss: math.Inf(-1)}
		var scopes []theorems.Scope
		for _, i := range rs {
			p.trainLoss = math.Max(p.trainLoss, t.Col("train_obj")[i])
			p.lb += t.Col("robust_err_lb")[i] / float64(len(rs))
			p.ub += t.Col("robust_err_ub")[i] / float64(len(rs))
			p.cleanErr += cl.Col("test_err")[i] / float64(len(rs))
			sc, err := theorems.ScopeP5(factsOfRow(t, i), k, sk)
			if err != nil {
				sc = theorems.Scope{Statement: "P5"}
			}
			scopes = append(scopes, theorems.WithDataLaw(sc, false, "MNIST 0 vs 1"))
		}
		p.scope = theorems.MergeScopes("P5", scopes)
		p.check = theorems.CheckP5(t.Col("tau_over_mu")[rs[0]], p.lb, p.ub, p.cleanErr, p.trainLoss, k)
		pts = append(pts, p)
	}
	if len(pts) == 0 {
		return nil, fmt.Sprintf("no benign grid point (N·SNR² ≥ Cb = %g)", k.Cb)
	}
	return pts, ""
}

// combineP5 is P5 on a group of grid points: not reproduced when one of
// them refutes it, inconclusive when none does but one is undecided,
// reproduced when all hold; scoped with the group's merged scope.
func combineP5(group []mnistPoint) theorems.Check {
	n := map[theorems.Status]int{}
	var scopes []theorems.Scope
	worst := group[0]
	for _, p := range group {
		n[p.check.Status]++
		scopes = append(scopes, p.scope)
		if theorems.Worse(worst.check.Status, p.check.Status) != worst.check.Status {
			worst = p
		}
	}
	c := theorems.Check{ID: "P5", Rule: worst.check.Rule, Status: worst.check.Status, Note: worst.check.Note,
		Measured: fmt.Sprintf("%d benign grid points: %d reproduce, %d undecided, %d do not; worst N = %d, σ₂ = %g: %s",
			len(group), n[theorems.Reproduced], n[theorems.Inconclusive], n[theorems.NotReproduced], worst.n, worst.sigma2, worst.check.Measured)}
	return theorems.WithScope(c, theorems.MergeScopes("P5", scopes))
}
