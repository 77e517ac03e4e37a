package report

import (
	"math"
	"strings"
	"testing"

	"vitadv/sweep"
)

// TestBracketTallies: decided rows and the three fractions of a small
// table by hand; τ = 0 rows are left out and a NaN end counts as an
// undecided row. Controls: a bracket just wider than DecidedWidth (by
// 10⁻⁶, far less than one test point) is not decided, and a file without
// bracket columns adds nothing. TestDecidedBracket checks the rule at its
// edge.
func TestBracketTallies(t *testing.T) {
	tb := &sweep.Table{Header: []string{"tau_over_mu", "robust_err_lb", "robust_err_ub"}, Rows: 5, Cols: map[string][]float64{
		"tau_over_mu":   {0, 0.1, 0.1, 0.4, 0.4},
		"robust_err_lb": {0, 0.10, 0.2, 1, math.NaN()},
		"robust_err_ub": {0, 0.15, 0.2 + DecidedWidth + 1e-6, 1, 1},
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
	want := [3]float64{(0.1 + 0.2 + 1) / 3, (0.85 + 1 - 0.2 - DecidedWidth - 1e-6) / 3, (0.05 + DecidedWidth + 1e-6) / 3}
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

// TestDecidedBracket: a bracket of exactly 25 of 500 points (lb 0.174,
// ub 0.224, whose float difference is 0.05000000000000002) and of 10 of
// 200 are decided, as are narrower ones; one point more (26 of 500, 11 of
// 200), a bracket 10⁻⁶ too wide, and a NaN end are not.
func TestDecidedBracket(t *testing.T) {
	for _, c := range []struct {
		lb, ub float64
		want   bool
	}{
		{0.174, 0.224, true},
		{0.2, 0.25, true},
		{0.1, 0.15, true},
		{0, 0, true},
		{0.174, 0.226, false},
		{0.2, 0.255, false},
		{0.1, 0.15 + 1e-6, false},
		{math.NaN(), 1, false},
		{0, math.NaN(), false},
	} {
		if got := decidedBracket(c.lb, c.ub); got != c.want {
			t.Errorf("decidedBracket(%v, %v) = %v, want %v", c.lb, c.ub, got, c.want)
		}
	}
	lb, ub := 0.174, 0.224
	if ub-lb <= DecidedWidth {
		t.Errorf("control: 0.224 − 0.174 ≤ %g in float64; the edge case no longer tests the slack", DecidedWidth)
	}
}
