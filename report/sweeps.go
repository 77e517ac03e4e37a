package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"vitadv/sweep"
	"vitadv/theorems"
)

// Issue 17, item 2: a τ-sweep file may hold several sweeps — one per step
// size η (vitadv tau -eta 0.1,0.01,0.001) and, in principle, per d_h. Each
// is judged on its own, with its own scope (its η against the step-size
// limit), so the verdict tables show one row per (file, η).

// sweepPart is one sweep of a τ-sweep file: the rows at one (η, d_h).
type sweepPart struct {
	Eta, Dh float64
	// Label names the part within its file ("η = 0.1", "η = 0.01 · d_h =
	// 64"; only the coordinates the file varies), "" when the file holds
	// one sweep.
	Label string
	T     *sweep.Table
}

// source is the part's name in the verdict tables: the file, then the
// label in brackets ("tau/ci-eta [η = 0.1]"), or the file alone.
func (p sweepPart) source(rel string) string {
	if p.Label == "" {
		return rel
	}
	return rel + " [" + p.Label + "]"
}

// stem is the part's figure stem, relative to the results root: the
// file's stem with "-eta<η>" (and "-dh<d_h>") when the file holds several
// sweeps.
func (p sweepPart) stem(rel string) string {
	return figureStem(p.source(rel))
}

// figureStem maps a source of the verdict tables to the stem of its τ
// figure: "tau/ci-eta [η = 0.1 · d_h = 64]" → "tau/ci-eta-eta0.1-dh64",
// a plain file to itself.
func figureStem(source string) string {
	rel, label, ok := strings.Cut(source, " [")
	if !ok {
		return source
	}
	for _, f := range strings.Split(strings.TrimSuffix(label, "]"), " · ") {
		name, v, _ := strings.Cut(f, " = ")
		switch name {
		case "η":
			rel += "-eta" + v
		case "d_h":
			rel += "-dh" + v
		}
	}
	return rel
}

// splitSweeps splits a τ-sweep table into its sweeps by the columns eta
// and dh (files without an eta column are one sweep), in increasing d_h,
// then decreasing η (the largest step first, as the -eta axis is usually
// written). The parts share the header; a table with one sweep is
// returned as is.
func splitSweeps(t *sweep.Table) []sweepPart {
	etas, dhs := []float64{math.NaN()}, sortedDistinct(t.Col("dh"))
	if t.Has("eta") {
		etas = sortedDistinct(t.Col("eta"))
	}
	if len(etas) <= 1 && len(dhs) <= 1 {
		return []sweepPart{{Eta: t.First("eta"), Dh: t.First("dh"), T: t}}
	}
	var parts []sweepPart
	for _, dh := range dhs {
		for i := len(etas) - 1; i >= 0; i-- {
			eta := etas[i]
			var label []string
			if len(etas) > 1 {
				label = append(label, "η = "+strconv.FormatFloat(eta, 'g', -1, 64))
			}
			if len(dhs) > 1 {
				label = append(label, "d_h = "+strconv.FormatFloat(dh, 'g', -1, 64))
			}
			sub := subTable(t, func(i int) bool {
				return t.Cols["dh"][i] == dh && (len(etas) == 1 || t.Cols["eta"][i] == eta)
			})
			if sub.Rows > 0 {
				parts = append(parts, sweepPart{Eta: eta, Dh: dh, Label: strings.Join(label, " · "), T: sub})
			}
		}
	}
	return parts
}

// subTable returns the rows of t that keep selects, in order, with t's
// header and path.
func subTable(t *sweep.Table, keep func(i int) bool) *sweep.Table {
	out := &sweep.Table{Path: t.Path, Header: t.Header, Cols: map[string][]float64{}}
	for i := 0; i < t.Rows; i++ {
		if !keep(i) {
			continue
		}
		for _, h := range t.Header {
			out.Cols[h] = append(out.Cols[h], t.Cols[h][i])
		}
		out.Rows++
	}
	return out
}

// flowTimes returns the theorems.FlowTime to ε of row i of a τ sweep:
// from steps_to_eps (negative: never reached), or, in files without it,
// from steps and converged; the ceiling is the row's max_steps.
func flowTimeOfRow(t *sweep.Table, i int) theorems.FlowTime {
	eta, ceil := t.Cols["eta"][i], t.Cols["max_steps"][i]
	if t.Has("steps_to_eps") {
		return theorems.FlowTimeOfSteps(t.Cols["steps_to_eps"][i], eta, ceil)
	}
	s := t.Cols["steps"][i]
	if t.Cols["converged"][i] != 1 {
		s = -1
	}
	return theorems.FlowTimeOfSteps(s, eta, ceil)
}

// p6Budget collects theorems.P6Budget at the budget tauRel of one sweep:
// each replicate's run at τ paired with the τ = 0 run of the same rep and
// seed (the same cell at the same η and ceiling max_steps), on clean test
// inputs (a1, entropy) and, when the file has a1_adv, on adversarial ones.
// A replicate without its τ = 0 run is left out (and counted in missing).
func p6Budget(t *sweep.Table, tauRel float64) (b theorems.P6Budget, missing int) {
	b = theorems.P6Budget{TauRel: tauRel, M: int(t.First("m"))}
	adv := t.Has("a1_adv") && t.Has("entropy_adv")
	if adv {
		b.Adv = []theorems.CollapsePair{}
	}
	reps, seeds, taus := t.Col("rep"), t.Col("seed"), t.Col("tau_over_mu")
	zero := map[[2]float64]int{}
	for i := range taus {
		if taus[i] == 0 {
			zero[[2]float64{reps[i], seeds[i]}] = i
		}
	}
	state := func(i int, a1, ent string) theorems.AttnState {
		return theorems.AttnState{Eta: t.Cols["eta"][i], Steps: int(t.Cols["max_steps"][i]), A1: t.Cols[a1][i], Entropy: t.Cols[ent][i]}
	}
	for i := range taus {
		if taus[i] != tauRel {
			continue
		}
		j, ok := zero[[2]float64{reps[i], seeds[i]}]
		if !ok {
			missing++
			continue
		}
		b.Clean = append(b.Clean, theorems.CollapsePair{Clean: state(j, "a1", "entropy"), Adv: state(i, "a1", "entropy")})
		if adv {
			b.Adv = append(b.Adv, theorems.CollapsePair{Clean: state(j, "a1_adv", "entropy_adv"), Adv: state(i, "a1_adv", "entropy_adv")})
		}
		b.Time0, b.Time = append(b.Time0, flowTimeOfRow(t, j)), append(b.Time, flowTimeOfRow(t, i))
	}
	return b, missing
}

// stepSizeText says which of the training hypotheses the first run of a
// sweep meets (theorems.ScopeP6's conditions without the τ window: the
// ones P5, P6 and P7 share), each with its value, limit and factor.
func stepSizeText(t *sweep.Table, k theorems.Consts) string {
	sc, err := theorems.ScopeP7(factsOfRow(t, 0), nil, k, theorems.DefaultScope())
	if err != nil {
		return "the run's facts are not a possible run: " + err.Error()
	}
	var met, viol []string
	for _, c := range sc.Conditions {
		if strings.HasPrefix(c.Name, "max τ") {
			continue
		}
		if c.Holds() {
			met = append(met, c.String())
		} else {
			viol = append(viol, c.String())
		}
	}
	s := fmt.Sprintf("the runs at η = %g", t.First("eta"))
	if len(viol) == 0 {
		return s + " meet every training hypothesis of Thm 4.2 (" + strings.Join(met, "; ") + ")"
	}
	s += " violate " + strings.Join(viol, "; ")
	if len(met) > 0 {
		s += ", and meet " + strings.Join(met, "; ")
	}
	return s
}
