package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SummaryTables prints the "Summary of the checks" of REPORT.md from the
// verdict rows: first the rules, each once (a claim whose rule text
// differs between files — P8's floor depends on the test-set size n, P7's
// band on d_h, P9 has a monotonicity and a region rule — gets one row per
// text, labelled P8.1, P8.2, …), then a grid with one row per results file
// (or set of files) and one column per claim: the decision and the
// measured value, with the rule label where a claim has several, and the
// file's figures beside its verdicts.
func SummaryTables(rows []ClaimRow) string {
	// Rules in claim order, each text once.
	type rule struct{ id, text string }
	var rules []rule
	for _, r := range rows {
		if !slices.Contains(rules, rule{r.ID, r.Rule}) {
			rules = append(rules, rule{r.ID, r.Rule})
		}
	}
	slices.SortStableFunc(rules, func(a, b rule) int { return cmpClaim(a.id, b.id) })
	label := map[rule]string{}
	for i, r := range rules {
		n, k := 0, 0
		for j, s := range rules {
			if s.id == r.id {
				n++
				if j <= i {
					k++
				}
			}
		}
		label[r] = r.id
		if n > 1 {
			label[r] = fmt.Sprintf("%s.%d", r.id, k)
		}
	}
	var b strings.Builder
	b.WriteString("Each rule once (thresholds from `theorems.Defaults()`), then one row per results file with the decision and the measured value of every claim it tests, and its figures.\n\n")
	b.WriteString("| rule | claim | rule (decided by package `theorems`) |\n|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", label[r], r.id, cellText(r.text))
	}

	// The grid: files in the order the report lists them, claims as columns.
	var ids, sources []string
	type key struct{ source, id string }
	cells := map[key][]string{}
	scale := map[string]string{}
	for _, r := range rows {
		if !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
		if !slices.Contains(sources, r.Source) {
			sources = append(sources, r.Source)
		}
		scale[r.Source] = r.Scale
		v := statusWord(r.Check)
		if l := label[rule{r.ID, r.Rule}]; l != r.ID {
			v += " (" + l + ")"
		}
		if r.Measured != "" && r.Measured != "—" {
			v += ": " + r.Measured
		}
		if n := noteOf(r.Check); n != "" {
			v += " (" + n + ")"
		}
		cells[key{r.Source, r.ID}] = append(cells[key{r.Source, r.ID}], cellText(v))
	}
	slices.SortStableFunc(ids, cmpClaim)
	fmt.Fprintf(&b, "\n| file | scale | figures | %s |\n|---|---|---|%s\n", strings.Join(ids, " | "), strings.Repeat("---|", len(ids)))
	for _, s := range sources {
		fmt.Fprintf(&b, "| %s | %s | %s |", sourceCell(s), cellText(scale[s]), figureLinks(s))
		for _, id := range ids {
			c := strings.Join(cells[key{s, id}], "<br>")
			if c == "" {
				c = "·"
			}
			fmt.Fprintf(&b, " %s |", c)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n·: the file does not test the claim.\n")
	if l := OutsideLegend(rows); l != "" {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// cmpClaim orders claim IDs as P1 < P2 < … < P10, then any other ID.
func cmpClaim(a, b string) int {
	na, ea := strconv.Atoi(strings.TrimPrefix(a, "P"))
	nb, eb := strconv.Atoi(strings.TrimPrefix(b, "P"))
	switch {
	case ea == nil && eb == nil:
		return cmp.Compare(na, nb)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return cmp.Compare(a, b)
}

// figureLinks returns Markdown links to the figures of a results file
// (relative to the results root), as the report's sections draw them:
// a phase or MNIST diagram and its benign fractions, a τ sweep, the
// benign and harmful dynamics; "—" for a set of files.
func figureLinks(rel string) string {
	if strings.Contains(rel, ", ") || strings.Contains(rel, " + ") {
		return "—"
	}
	rel = figureStem(rel) // one sweep of a file with several has its own figure
	kind, _, _ := strings.Cut(rel, "/")
	var subs []string
	switch kind {
	case "phase", "mnist":
		subs = []string{"", "-benign"}
	case "tau":
		subs = []string{""}
	case "dynamics":
		subs = []string{"-benign", "-harmful"}
	default:
		return "—"
	}
	var links []string
	for _, s := range subs {
		name := "figure"
		if s != "" {
			name = strings.TrimPrefix(s, "-")
		}
		links = append(links, fmt.Sprintf("[%s](%s%s.png)", name, rel, s))
	}
	return strings.Join(links, " ")
}
