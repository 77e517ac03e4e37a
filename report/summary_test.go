package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vitadv/theorems"
)

// summaryOf returns the "Summary of the checks" section of a report.
func summaryOf(t *testing.T, report string) string {
	t.Helper()
	_, s, ok := strings.Cut(report, "## Summary of the checks\n")
	if !ok {
		t.Fatal("no summary of the checks in the report")
	}
	s, _, _ = strings.Cut(s, "\n## ")
	return s
}

// TestSummaryStatesEachRuleOnce: on the committed results, the summary of
// REPORT.md states each rule text exactly once, gives every verdict row's
// decision and measured value in the grid row of its file, and links each
// file's figures, which exist.
func TestSummaryStatesEachRuleOnce(t *testing.T) {
	root := filepath.Join("..", "results")
	text, rows, err := ReportText(root)
	if err != nil {
		t.Fatal(err)
	}
	sum := summaryOf(t, text)
	rules := map[string]bool{}
	for _, r := range rows {
		rules[r.Rule] = true
	}
	for rule := range rules {
		if n := strings.Count(sum, cellText(rule)); n != 1 {
			t.Errorf("rule stated %d times in the summary, want once: %s", n, rule)
		}
	}
	lines := strings.Split(sum, "\n")
	for _, r := range rows {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, "| "+sourceCell(r.Source)+" |") && strings.Contains(l, cellText(statusWord(r.Check))) && strings.Contains(l, cellText(r.Measured)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no grid row of %s with %s's decision %q and measured %q", r.Source, r.ID, r.Status, r.Measured)
		}
	}
	links := regexp.MustCompile(`\]\(([^)]+\.png)\)`).FindAllStringSubmatch(sum, -1)
	if len(links) < 10 {
		t.Errorf("the summary links %d figures, want those of every file", len(links))
	}
	for _, m := range links {
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			t.Errorf("the summary links %s: %v", m[1], err)
		}
	}
}

// TestSummaryTablesLabels: one rule shared by two files is one rules row;
// two rule texts of one claim are labelled P8.1 and P8.2 and each verdict
// names its label; a file that does not test a claim shows "·".
func TestSummaryTablesLabels(t *testing.T) {
	row := func(src, id, rule, measured string, st theorems.Status) ClaimRow {
		return ClaimRow{Source: src, Scale: "ci", Check: theorems.Check{ID: id, Rule: rule, Measured: measured, Status: st}}
	}
	s := SummaryTables([]ClaimRow{
		row("tau/a", "P8", "floor 0.359", "lb 1.00", theorems.Reproduced),
		row("tau/b", "P8", "floor 0.300", "lb 0.20", theorems.NotReproduced),
		row("tau/b", "P3", "a1 rule", "a1 0.3", theorems.Reproduced),
		row("tau/c", "P3", "a1 rule", "a1 0.1", theorems.NotReproduced),
	})
	for _, want := range []string{
		"| P8.1 | P8 | floor 0.359 |", "| P8.2 | P8 | floor 0.300 |", "| P3 | P3 | a1 rule |",
		"| `tau/a` | ci | [figure](tau/a.png) | · | **reproduced** (P8.1): lb 1.00 |",
		"| `tau/b` | ci | [figure](tau/b.png) | **reproduced**: a1 0.3 | **not reproduced** (P8.2): lb 0.20 |",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "a1 rule"); n != 1 {
		t.Errorf("a rule shared by two files is stated %d times, want once", n)
	}
}
