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
		if !strings.Contains(c.b.String(), string(c.want)) {
			t.Errorf("String %q does not name the decision %q", c.b.String(), c.want)
		}
	}
}
