package report

import (
	"math"
	"strings"
	"testing"

	"vitadv/sweep"
)

// TestBracketTallies: decided rows and the three fractions of a small
// table by hand; τ = 0 rows are left out and a NaN end counts as an
// undecided row. Controls: a bracket just wider than DecidedWidth is not
// decided, and a file without bracket columns adds nothing.
func TestBracketTallies(t *testing.T) {
	tb := &sweep.Table{Header: []string{"tau_over_mu", "robust_err_lb", "robust_err_ub"}, Rows: 5, Cols: map[string][]float64{
		"tau_over_mu":   {0, 0.1, 0.1, 0.4, 0.4},
		"robust_err_lb": {0, 0.10, 0.2, 1, math.NaN()},
		"robust_err_ub": {0, 0.15, 0.2 + DecidedWidth + 1e-9, 1, 1},
	}}
	var ts bracketTallies
	ts.add("tau/x", "ci", protoCascade, tb)
	if len(ts.order) != 1 {
		t.Fatalf("%d tallies, want 1", len(ts.order))
	}
	b := ts.order[0]
	if b.rows != 3 || b.nonFinite != 1 || b.decided != 2 {
		t.Errorf("rows %d, non-finite %d, decided %d; want 3, 1, 2", b.rows, b.nonFinite, b.decided)
	}
	want := [3]float64{(0.1 + 0.2 + 1) / 3, (0.85 + 1 - 0.2 - DecidedWidth - 1e-9) / 3, (0.05 + DecidedWidth + 1e-9) / 3}
	got := [3]float64{b.broken / 3, b.certified / 3, b.undecided / 3}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= 1e-12) {
			t.Errorf("fraction %d = %v, want %v", i, got[i], want[i])
		}
	}
	var sb strings.Builder
	ts.write(&sb)
	if !strings.Contains(sb.String(), "| ci | frobenius | 3 (+1 non-finite, undecided) | 2 (50%) |") || !strings.Contains(sb.String(), "`tau/x` (cascade) |") {
		t.Errorf("table:\n%s", sb.String())
	}
	var none bracketTallies
	none.add("phase/x", "ci", protoCheap, &sweep.Table{Header: []string{"tau_over_mu"}, Rows: 1, Cols: map[string][]float64{"tau_over_mu": {0.1}}})
	sb.Reset()
	none.write(&sb)
	if sb.Len() != 0 {
		t.Errorf("a file without brackets printed:\n%s", sb.String())
	}
}
