package theorems

import (
	"math"
	"strings"
	"testing"
)

// TestBracketBounds: a bracketed claim holds only when the proving side
// settles it; a straddling bracket is undecided (never holds), a
// contradicting one refuted, and NaN undecided. The String names the
// decision.
func TestBracketBounds(t *testing.T) {
	for _, c := range []struct {
		b    Bound
		want Decision
	}{
		{bracketLeq("err ≤ 0.1", CODE, 0.02, 0.08, 0.1), Certified},
		{bracketLeq("err ≤ 0.1", CODE, 0.02, 0.3, 0.1), Undecided},
		{bracketLeq("err ≤ 0.1", CODE, 0.2, 0.3, 0.1), Refuted},
		{bracketLeq("err ≤ 0.1", CODE, math.NaN(), 0.05, 0.1), Undecided},
		{bracketGeq("0.5 ≤ err", DER, 0.6, 1, 0.5), Certified},
		{bracketGeq("0.5 ≤ err", DER, 0.2, 1, 0.5), Undecided},
		{bracketGeq("0.5 ≤ err", DER, 0.1, 0.3, 0.5), Refuted},
		{bracketGeq("0.5 ≤ err", DER, 0.6, math.NaN(), 0.5), Undecided},
	} {
		if c.b.Decision != c.want {
			t.Errorf("%s [%v, %v]: decision %q, want %q", c.b.Name, c.b.Lo, c.b.Hi, c.b.Decision, c.want)
		}
		if c.b.Holds() != (c.want == Certified) {
			t.Errorf("%s [%v, %v]: Holds() = %v with decision %q", c.b.Name, c.b.Lo, c.b.Hi, c.b.Holds(), c.want)
		}
		want := string(c.want)
		if c.want == Refuted && c.b.LHS == c.b.Limit { // a floor is refuted by the certificate
			want = "refuted (certificate)"
		}
		if !strings.Contains(c.b.String(), want) {
			t.Errorf("String %q does not name the decision %q", c.b.String(), want)
		}
	}
}

// TestBracketRefutationNamed: a refuted ceiling names its witness, a refuted
// floor its certificate.
func TestBracketRefutationNamed(t *testing.T) {
	ceil := bracketLeq("err ≤ 0.1", CODE, 0.3, 0.5, 0.1)
	floor := bracketGeq("0.25 ≤ err", SEC, 0.05, 0.21, 0.25)
	if ceil.Decision != Refuted || !strings.Contains(ceil.String(), "refuted (witness)") {
		t.Errorf("ceiling: %s", ceil)
	}
	if floor.Decision != Refuted || !strings.Contains(floor.String(), "refuted (certificate)") {
		t.Errorf("floor: %s", floor)
	}
	if c := bracketGeq("0.25 ≤ err", SEC, 0.3, 0.5, 0.25); !strings.Contains(c.String(), "certified") {
		t.Errorf("certified floor: %s", c)
	}
}
