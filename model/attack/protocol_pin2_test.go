package attack

import (
	"math"
	"testing"

	"vitadv/model/data"
)

// TestProtocolAPGDPin2: a Protocol with APGDSteps > 0 runs PGD, APGD,
// midpoint and erase, in that order (the indices of Robust.Worst), the
// APGD at the protocol's steps, budget, set and seed; APGDSteps = 0 drops
// it. RobustEval's worst case is at most APGD's own margin on every point
// (APGD is deterministic from Δ = 0 with one run), and its Wins has one
// slot per attacker.
func TestProtocolAPGDPin2(t *testing.T) {
	c := smallData(2)
	_, test, err := data.Draw(c, 10)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, c.D, 3)
	sig := data.SignalsOf(c)
	tau := 0.4 * c.Mu()
	p := Protocol{PGDSteps: 5, PGDRestarts: 1, APGDSteps: 9}
	atk, err := p.Attackers(m.Arch, c.M, test.N, sig, PerToken, tau, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(atk) != 4 {
		t.Fatalf("APGDSteps 9: %d attackers, want 4 (PGD, APGD, midpoint, erase)", len(atk))
	}
	ap, ok := atk[1].(*APGD)
	if !ok {
		t.Fatalf("attacker 1 is %T, want *APGD", atk[1])
	}
	if want := (APGDConfig{Set: PerToken, Tau: tau, Steps: 9, Restarts: 1, Seed: 5}); ap.cfg != want {
		t.Errorf("APGD config %+v, want %+v", ap.cfg, want)
	}
	p0 := p
	p0.APGDSteps = 0
	if atk0, err := p0.Attackers(m.Arch, c.M, test.N, sig, PerToken, tau, 5); err != nil || len(atk0) != 3 {
		t.Fatalf("APGDSteps 0: %d attackers (%v), want 3", len(atk0), err)
	}
	r, err := p.RobustEval(m, test, sig, PerToken, tau, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Wins) != 4 {
		t.Errorf("Wins has %d slots, want 4", len(r.Wins))
	}
	alone, err := NewAPGD(APGDConfig{Set: PerToken, Tau: tau, Steps: 9, Restarts: 1, Seed: 5}, m.Arch, c.M, test.N)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := Evaluate(m, test, test.N, alone)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Margins {
		if !(r.Margins[i] <= ra.Margins[i]+1e-12*math.Max(1, math.Abs(ra.Margins[i]))) {
			t.Fatalf("point %d: RobustEval worst margin %g above APGD's own %g", i, r.Margins[i], ra.Margins[i])
		}
	}
}
