package theorems

import (
	"math"
	"strings"
	"testing"
)

// ciFacts is a run of the committed ci τ sweeps (d = 128, η = 0.1).
func ciFacts(tauRel, eta float64) RunFacts {
	return RunFacts{N: 20, D: 128, M: 8, Dh: 64, Mu: 45.254833995939045, Sigma2: 4, SigmaW: 0.2, TauOverMu: tauRel,
		Eta: eta, Steps: 150, InitShrink: 16, WoNorm2: ExpectedWoNorm2}
}

// TestWorseRanksOutsideLowest: an outside status never masks a refutation
// and is never turned into one, in either argument order; with any inside
// status the inside one decides; outside with outside stays outside. The
// other ranks are unchanged.
func TestWorseRanksOutsideLowest(t *testing.T) {
	for _, c := range []struct{ a, b, want Status }{
		{OutsideHypotheses, NotReproduced, NotReproduced},
		{OutsideHypotheses, Inconclusive, Inconclusive},
		{OutsideHypotheses, Reproduced, Reproduced},
		{OutsideHypotheses, OutsideHypotheses, OutsideHypotheses},
		{Reproduced, Inconclusive, Inconclusive},
		{Inconclusive, NotReproduced, NotReproduced},
		{Reproduced, NotReproduced, NotReproduced},
	} {
		if got := Worse(c.a, c.b); got != c.want {
			t.Errorf("Worse(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
		if got := Worse(c.b, c.a); got != c.want {
			t.Errorf("Worse(%q, %q) = %q, want %q", c.b, c.a, got, c.want)
		}
	}
}

// TestWithScope: inside, the status is the rule's; outside it is
// OutsideHypotheses whatever the rule gave, the rule's outcome is kept as
// Observed and worded without a verdict. An unscoped check is not outside.
func TestWithScope(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	if (Check{Status: NotReproduced}).Outside() {
		t.Error("an unscoped check reports outside")
	}
	out, err := ScopeP6(ciFacts(0.55, 0.1), k, s)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ScopeP6(ciFacts(0.55, 1e-4), k, s)
	if err != nil {
		t.Fatal(err)
	}
	if out.Inside() || !in.Inside() {
		t.Fatalf("premise: η = 0.1 inside %v, η = 1e-4 inside %v; want outside, inside", out.Inside(), in.Inside())
	}
	for _, st := range []Status{Reproduced, NotReproduced, Inconclusive} {
		c := WithScope(Check{ID: "P6", Status: st}, out)
		if c.Status != OutsideHypotheses || !c.Outside() || c.Observed != st {
			t.Errorf("outside, rule %q: status %q observed %q outside %v", st, c.Status, c.Observed, c.Outside())
		}
		if f := c.Finding(); strings.Contains(f, string(NotReproduced)) || strings.Contains(f, "refut") {
			t.Errorf("outside, rule %q: finding %q uses the words of a verdict", st, f)
		}
		c = WithScope(Check{ID: "P6", Status: st}, in)
		if c.Status != st || c.Outside() {
			t.Errorf("inside, rule %q: status %q outside %v", st, c.Status, c.Outside())
		}
	}
	if c := WithScope(Check{Status: NotReproduced}, Scope{Statement: "P6"}); c.Status != OutsideHypotheses {
		t.Errorf("a scope with no condition evaluated passes the rule's %q through", c.Status)
	}
}

// TestMergeScopes: a merged scope is inside only when every run is; it
// reports the worst run of each violated condition (larger factor), and a
// violating run before a holding one whatever the order. Control: the
// merged scope of inside runs is inside; of nothing, not inside.
func TestMergeScopes(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	sc := func(eta float64) Scope {
		x, err := ScopeP6(ciFacts(0.55, eta), k, s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, order := range [][]float64{{1e-4, 0.1, 0.01}, {0.01, 0.1, 1e-4}, {0.1, 1e-4, 0.01}} {
		var scs []Scope
		for _, e := range order {
			scs = append(scs, sc(e))
		}
		m := MergeScopes("P6", scs)
		c, _ := m.Find("η ≤")
		if m.Inside() || len(m.Violated) != 1 || c.Value != 0.1 {
			t.Errorf("order %v: inside %v, violated %v, η condition %v; want outside at η = 0.1 only", order, m.Inside(), m.Violated, c)
		}
	}
	if m := MergeScopes("P6", []Scope{sc(1e-4), sc(2e-4)}); !m.Inside() {
		t.Errorf("control: two runs inside merge to %v", m)
	}
	if m := MergeScopes("P6", nil); m.Inside() {
		t.Error("control: no run merges to inside")
	}
	nan := sc(0.1)
	nan.Conditions[0].Value = math.NaN() // "M ≥ 2" with M = NaN: violated, NaN factor
	if m := MergeScopes("P6", []Scope{sc(0.1), nan}); m.Inside() || !math.IsNaN(m.Conditions[0].Value) {
		t.Errorf("a NaN run does not win the merge: %v", m.Conditions[0])
	}
}

// TestConditionShort pins the compact form the grids print, against the
// full form (ExampleScopeP6's numbers at d = 128).
func TestConditionShort(t *testing.T) {
	sc, err := ScopeP5(ciFacts(0.05, 0.1), Defaults(), DefaultScope())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sc.Short(), "η = 0.1 > 0.00049 (×205)"; got != want {
		t.Errorf("Short = %q, want %q", got, want)
	}
	c, _ := sc.Find("η ≤")
	if got, want := c.String(), "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	lo := Condition{Name: "τ/‖μ‖ > 0", Value: 0, Limit: 0, Strict: true}
	if got, want := lo.Short(), "τ/‖μ‖ = 0 ≤ 0"; got != want {
		t.Errorf("Short = %q, want %q", got, want)
	}
	in, _ := ScopeP5(ciFacts(0.05, 1e-4), Defaults(), DefaultScope())
	if in.Short() != "" {
		t.Errorf("inside: Short = %q, want empty", in.Short())
	}
}

// TestScopeP2Adv: P2 under adversarial training has Thm 4.2's training
// conditions without the benign cell (a harmful grid cell is inside) and
// the regime-1 window; the committed AT diagrams' η = 0.1 is outside.
func TestScopeP2Adv(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	harm := ciFacts(0.1, 1e-5)
	harm.Mu = 5 // N·SNR² = 20·(5/(4√128))² ≈ 0.24 < Cb
	sc, err := ScopeP2Adv(harm, k, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.Find("N·SNR²"); ok || !sc.Inside() {
		t.Errorf("harmful cell at small η: %v, want inside with no benign-cell condition", sc)
	}
	if p5, _ := ScopeP5(harm, k, s); p5.Inside() {
		t.Errorf("control: P5's scope admits the harmful cell: %v", p5)
	}
	for _, c := range []struct {
		tau, eta float64
		viol     string
	}{{0.1, 0.1, "η ≤"}, {0.4, 1e-5, "τ/‖μ‖ ≤ C1"}, {0, 1e-5, "τ/‖μ‖ > 0"}} {
		sc, err := ScopeP2Adv(ciFacts(c.tau, c.eta), k, s)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Inside() || len(sc.Violated) != 1 || !strings.HasPrefix(sc.Violated[0].Name, c.viol) {
			t.Errorf("τ = %g, η = %g: violated %v, want only %q", c.tau, c.eta, sc.Violated, c.viol)
		}
	}
	if _, err := ScopeP2Adv(RunFacts{}, k, s); err == nil {
		t.Error("impossible run: no error")
	}
}

// TestScopeClean: the clean predictions are inside on clean GD at any η
// and outside under adversarial training.
func TestScopeClean(t *testing.T) {
	if sc := ScopeClean("P1", 0); !sc.Inside() {
		t.Errorf("clean: %v", sc)
	}
	if sc := ScopeClean("P1", 0.1); sc.Inside() || sc.Short() != "τ/‖μ‖ = 0.1 > 0" {
		t.Errorf("τ = 0.1: inside %v, %q", sc.Inside(), sc.Short())
	}
}
