package theorems

import (
	"math"
	"slices"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// pinSet draws a small balanced set with alternating labels.
func pinSet(t *testing.T) (*data.Set, data.Signals) {
	t.Helper()
	c := data.Config{D: 6, M: 4, N: 8, NTest: 20, MuNorm: 2, Sigma2: 1, SigmaW: 0.3}
	_, te, err := data.Draw(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	return te, data.SignalsOf(c)
}

// TestPairedStructure pins Paired (THEORY §3.4 [DER]): the two members
// of a pair (2k, 2k+1) are bit-identical in every token except token 1 (row
// 0, the signal), including the strong-noise token 2; member 2k and every
// signal token are the input's; the input is not modified.
// It kills mutant thm-paired-skip-strong-token of mutate/catalogue.txt.
func TestPairedStructure(t *testing.T) {
	s, _ := pinSet(t)
	orig := slices.Clone(s.X)
	p := Paired(s)
	if !slices.Equal(s.X, orig) {
		t.Fatal("Paired modified its input")
	}
	S, D := s.M*s.D, s.D
	for k := 0; k+1 < s.N; k += 2 {
		a, b := p.X[k*S:(k+1)*S], p.X[(k+1)*S:(k+2)*S]
		if !slices.Equal(a[D:], b[D:]) {
			t.Errorf("pair %d: noise tokens differ (first differing token row %d)", k/2, 1+firstDiff(a[D:], b[D:])/D)
		}
		if !slices.Equal(a, s.X[k*S:(k+1)*S]) {
			t.Errorf("pair %d: the +1 member was changed", k/2)
		}
		if !slices.Equal(b[:D], s.X[(k+1)*S:(k+1)*S+D]) {
			t.Errorf("pair %d: the −1 member's signal token was changed", k/2)
		}
	}
	if !slices.Equal(p.Y, s.Y) {
		t.Error("labels changed")
	}
	// Consequence used by P8 (a): after the midpoint attack the members of
	// a pair are identical, so any model gives them the same output and
	// misclassifies at least one: here a model that reads only noise
	// (uniform attention, value vector e₃: coordinate 3 of every token,
	// which carries no signal) still has error ≥ 1/2.
	m, _ := vit.New(vit.Arch{D: D, Dh: 1, Dv: 1})
	m.Wv[2], m.Wo[0] = 1, 1
	_, sig := pinSet(t)
	mid, err := attack.NewMidpoint(sig, s.M, attack.Frobenius, attack.MidpointCost(2))
	if err != nil {
		t.Fatal(err)
	}
	check.AtLeast(t, "paired midpoint error of a noise reader", attackError(m, p, mid), 0.5)
}

func firstDiff(a, b []float64) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestMidpointFloorBothSides pins the two right-hand sides of P8 at the
// statement's constants (THEORY §3.4, §8 P8): the paired floor is exactly
// 1/2 and the i.i.d. floor is exactly 1/2 − Z·√(0.25/n) for the n test
// points, so a floor loosened (or a band widened) is caught even where the
// measured error clears both.
// It kills mutant thm-midpoint-band-no-n of mutate/catalogue.txt.
func TestMidpointFloorBothSides(t *testing.T) {
	s, sig := pinSet(t)
	k := Defaults()
	m, _ := vit.New(vit.Arch{D: s.D, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 1, -1, 1 // the signal oracle
	v, err := MidpointFloor(m, s, sig, attack.Frobenius, attack.MidpointCost(2), k)
	if err != nil {
		t.Fatal(err)
	}
	paired, ok := v.Bound("1/2 ≤")
	if !ok {
		t.Fatalf("no paired bound in %v", v)
	}
	iid, ok := v.Bound("1/2 − Z")
	if !ok {
		t.Fatalf("no i.i.d. bound in %v", v)
	}
	// geq(name, tag, value, floor, slack) stores floor ≤ value as
	// LHS = floor, RHS = value.
	check.Near(t, "paired floor", paired.LHS, 0.5, 0, 0)
	want := 0.5 - k.ZSigma*math.Sqrt(0.25/float64(s.N))
	check.Near(t, "i.i.d. floor", iid.LHS, want, 1e-15, 0)
	if !v.Holds() {
		t.Errorf("P8 fails on the oracle:\n%v", v)
	}
}

// TestAttackErrorCountsTieAsError pins the 0-1 error of attackError (THEORY
// §3.4: a point is an error when y·f ≤ 0): a classifier that outputs
// exactly 0 — here the zero model, f ≡ 0 — gets no credit for abstaining,
// so its error is 1 under any attack, and P8 holds for it with room.
// Counting ties as correct would give error 0 and break P8's floor on the
// very model that is least able to classify.
// It kills mutant thm-attackerror-tie-correct of mutate/catalogue.txt.
func TestAttackErrorCountsTieAsError(t *testing.T) {
	s, sig := pinSet(t)
	m, _ := vit.New(vit.Arch{D: s.D, Dh: 1, Dv: 1}) // all weights zero
	erase, err := attack.NewErase(s.M, attack.Frobenius, 2)
	if err != nil {
		t.Fatal(err)
	}
	check.Near(t, "error of f ≡ 0", attackError(m, s, erase), 1, 0, 0)
	v, err := MidpointFloor(m, s, sig, attack.Frobenius, attack.MidpointCost(2), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if !v.Holds() {
		t.Errorf("P8 fails on the zero model (error must be 1):\n%v", v)
	}
}
