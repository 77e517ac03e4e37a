package report

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"vitadv/sweep"
	"vitadv/theorems"
)

// radiusTally collects, for one scale and perturbation set, the ratio
//
//	radius_cert / radius_attack
//
// of every test point in the per-point radius files of the τ sweeps
// (<file>.radii/cell-*.csv, experiment.RadiiDir; every cell, τ = 0
// included: each is one trained model) whose attack radius is finite and
// positive. radius_cert is the largest radius the certificate proves
// (bisection up to radius_attack), radius_attack the smallest radius an
// attack broke the point at (FMN-100, or τ where the cell's evaluation
// broke it), so the ratio is in [0, 1] and 1 means the certificate is as
// tight as the attack (issue 18 item 3: target ≥ 0.9 at tiny and ci
// scale, ≥ 0.5 at paper scale).
type radiusTally struct {
	scale, set string
	files      []string
	ratios     []float64
	unbroken   int // points with radius_attack = +Inf: no attack broke them, no ratio
	zero       int // points with radius_attack = 0: misclassified without perturbation
}

// radiusTallies collects radiusTally by (scale, set), in first-seen order.
type radiusTallies struct {
	order []*radiusTally
}

// RadiusError reports a radius file the ratio table cannot use: a missing
// column, a non-finite or negative radius, or a certified radius above the
// attack radius (a certificate proving robustness where an attack broke
// the point: unsound, or the columns swapped).
type RadiusError struct {
	Path   string
	Point  int
	Reason string
}

func (e *RadiusError) Error() string {
	if e.Point < 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s: point %d: %s", e.Path, e.Point, e.Reason)
}

// add tallies the radius files of directory dir (the radii of results
// file rel, at scale, in set); a missing directory adds nothing.
func (ts *radiusTallies) add(dir, rel, scale, set string) error {
	files, err := filepath.Glob(filepath.Join(dir, "cell-*.csv"))
	if err != nil || len(files) == 0 {
		return err
	}
	slices.SortFunc(files, func(a, b string) int { return cellIndex(a) - cellIndex(b) })
	i := slices.IndexFunc(ts.order, func(r *radiusTally) bool { return r.scale == scale && r.set == set })
	if i < 0 {
		ts.order = append(ts.order, &radiusTally{scale: scale, set: set})
		i = len(ts.order) - 1
	}
	r := ts.order[i]
	for _, f := range files {
		t, err := sweep.ReadTable(f)
		if err != nil {
			return err
		}
		if !t.Has("radius_cert") || !t.Has("radius_attack") {
			return &RadiusError{Path: f, Point: -1, Reason: "no radius_cert and radius_attack columns"}
		}
		rc, ra := t.Col("radius_cert"), t.Col("radius_attack")
		for p := range rc {
			switch {
			case !(rc[p] >= 0) || math.IsInf(rc[p], 0):
				return &RadiusError{Path: f, Point: p, Reason: fmt.Sprintf("radius_cert = %g is not a finite radius ≥ 0", rc[p])}
			case !(ra[p] >= 0):
				return &RadiusError{Path: f, Point: p, Reason: fmt.Sprintf("radius_attack = %g is not a radius ≥ 0", ra[p])}
			case rc[p] > ra[p]:
				return &RadiusError{Path: f, Point: p, Reason: fmt.Sprintf("radius_cert = %g above radius_attack = %g: the certificate proves a radius an attack broke (unsound, or the columns swapped)", rc[p], ra[p])}
			case math.IsInf(ra[p], 1):
				r.unbroken++
			case ra[p] == 0:
				r.zero++
			default:
				r.ratios = append(r.ratios, rc[p]/ra[p])
			}
		}
	}
	r.files = append(r.files, "`"+rel+"`")
	return nil
}

// cellIndex returns N of a path ending in cell-N.csv (−1 if none).
func cellIndex(path string) int {
	s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "cell-"), ".csv")
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// write prints the tallies as a Markdown table, one row per scale and set
// (nothing when no file had radii).
func (ts *radiusTallies) write(w io.Writer) {
	var rows []string
	for _, r := range ts.order {
		n := len(r.ratios)
		v := slices.Clone(r.ratios)
		q1, med, q3 := theorems.Quantile(v, 0.25), theorems.Quantile(v, 0.5), theorems.Quantile(v, 0.75)
		stat := "— | —"
		if n > 0 {
			stat = fmt.Sprintf("%.3f | [%.3f, %.3f]", med, q1, q3)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %d | %s | %d | %d | %s |", r.scale, r.set, n, stat, r.unbroken, r.zero, strings.Join(r.files, ", ")))
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### Certified ÷ attack radius\n\n")
	fmt.Fprintf(w, "Per test point of every cell of the τ sweeps' radius files (`<file>.radii/cell-*.csv`, τ = 0 cells included: each cell is one trained model), by scale and perturbation set: the ratio radius_cert ÷ radius_attack of the largest radius the certificate proves (bisection up to radius_attack) to the smallest radius an attack broke the point at (FMN-100, or τ where the cell's evaluation broke it). The ratio is in [0, 1]; 1 is a certificate as tight as the attack (issue 18's target: median ≥ 0.9 at tiny and ci scale, ≥ 0.5 at paper scale). Points no attack broke (radius_attack = +Inf) or misclassified unperturbed (radius_attack = 0) have no ratio and are counted apart.\n\n")
	fmt.Fprintf(w, "| scale | set | points with a ratio | median | quartiles [Q1, Q3] | unbroken (no ratio) | radius_attack = 0 | files |\n|---|---|---|---|---|---|---|---|\n%s\n", strings.Join(rows, "\n"))
}
