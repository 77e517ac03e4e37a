package theorems

import (
	"errors"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"vitadv/model/valid"
)

// paperFacts is a run at the paper's size (THEORY §2.2) and the committed
// paper τ sweep's optimizer: N = 20, ‖μ‖ = 90, d = 1024, M = 16,
// d_h = 512, σ₂ = 4, σ_w = 0.2, c = 16, η = 0.1, 400 steps; ‖w_O‖² = 1/3 is
// its expectation under both init laws (d_v entries of variance 1/(3d_v)).
func paperFacts(tauRel float64) RunFacts {
	return RunFacts{N: 20, D: 1024, M: 16, Dh: 512, Mu: 90, Sigma2: 4, SigmaW: 0.2, TauOverMu: tauRel,
		Eta: 0.1, Steps: 400, InitShrink: 16, WoNorm2: 1.0 / 3}
}

// TestConditionHolds: ≤, <, ≥, > and NaN; the printed relation is the one
// that holds between the numbers, with the factor.
func TestConditionHolds(t *testing.T) {
	for _, c := range []struct {
		c    Condition
		want bool
	}{
		{Condition{Value: 1, Limit: 1, AtMost: true}, true},
		{Condition{Value: 1, Limit: 1, AtMost: true, Strict: true}, false},
		{Condition{Value: 1, Limit: 1}, true},
		{Condition{Value: 1, Limit: 1, Strict: true}, false},
		{Condition{Value: 2, Limit: 1, AtMost: true}, false},
		{Condition{Value: 0.5, Limit: 1}, false},
		{Condition{Value: math.NaN(), Limit: 1, AtMost: true}, false},
		{Condition{Value: math.NaN(), Limit: 1}, false},
		{Condition{Value: 1, Limit: math.NaN(), AtMost: true}, false},
	} {
		if got := c.c.Holds(); got != c.want {
			t.Errorf("%+v.Holds() = %v, want %v", c.c, got, c.want)
		}
	}
	c := Condition{Name: "η ≤ limit", Value: 0.1, Limit: 0.1 / 1638.4, AtMost: true}
	if s := c.String(); !strings.Contains(s, "0.1 > 6.104e-05") || !strings.Contains(s, "×1638") {
		t.Errorf("String() = %q, want the values, the violated relation and the factor", s)
	}
}

// TestScopeStepSizePinned pins THEORY §4.1's step-size limit
// min{‖μ‖⁻², (σ₂²d)⁻¹} at the two committed sweep sizes, the numbers issue
// 17 quotes: paper (‖μ‖ = 90, σ₂²d = 16384) 1/16384 = 6.1035e-05, so η = 0.1
// is ×1638.4; ci (‖μ‖² = σ₂²d = 2048) 1/2048, η = 0.1 is ×204.8. Control: a
// CetaTheory of 2000 admits η = 0.1 at the paper size (0.1 ≤ 0.122).
func TestScopeStepSizePinned(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	const tol = 1e-12 // relative: a product and a quotient of exact binary values
	for _, c := range []struct {
		name   string
		f      RunFacts
		limit  float64
		factor float64
	}{
		{"paper", paperFacts(0.4), 1.0 / 16384, 1638.4},
		{"ci", RunFacts{N: 20, D: 128, M: 8, Dh: 64, Mu: 45.254833995939045, Sigma2: 4, SigmaW: 0.2, TauOverMu: 0.55, Eta: 0.1, Steps: 150, InitShrink: 16, WoNorm2: 1.0 / 3}, 1.0 / 2048, 204.8},
	} {
		sc, err := ScopeP6(c.f, k, s)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := sc.Find("η ≤ CetaTheory")
		if !ok {
			t.Fatalf("%s: no step-size condition in %+v", c.name, sc.Conditions)
		}
		if !(math.Abs(st.Limit-c.limit) <= tol*c.limit) || !(math.Abs(st.Factor()-c.factor) <= tol*c.factor) || st.Holds() {
			t.Errorf("%s: step condition %v, want limit %g, factor %g, violated", c.name, st, c.limit, c.factor)
		}
		if sc.Inside() || len(sc.Violated) != 1 || sc.Violated[0].Name != st.Name {
			t.Errorf("%s: scope %v, want outside on the step size alone", c.name, sc)
		}
	}
	s.CetaTheory = 2000
	sc, _ := ScopeP6(paperFacts(0.4), k, s)
	if !sc.Inside() {
		t.Errorf("CetaTheory = 2000: %v, want inside (0.1 ≤ 2000/16384)", sc)
	}
}

// TestScopeMatchesAssumptionSet: on a cell of each scale the scope's
// conditions of assumption set A carry exactly AssumptionSet's values
// (κ₀ and the η-term, from the same initialization), and a planted
// violation (init shrink c = 1: κ₀ × 256) puts both outside on the same
// hypothesis.
func TestScopeMatchesAssumptionSet(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	for _, scale := range []Scale{Tiny(), CI()} {
		inst := scale.Cell(20, 20, 0.4, 3)
		f, err := FactsOf(inst)
		if err != nil {
			t.Fatal(err)
		}
		v, err := AssumptionSet(inst, k)
		if err != nil {
			t.Fatalf("%s: AssumptionSet: %v", scale.Name, err)
		}
		sc, err := ScopeP6(f, k, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"κ₀", "η·R²"} {
			b, _ := v.Bound(name)
			c, ok := sc.Find(name)
			if !ok || c.Value != b.LHS || c.Limit != b.RHS || !c.Holds() {
				t.Errorf("%s: scope %v, AssumptionSet %v: want the same sides", scale.Name, c, b)
			}
		}
		inst.Init.Shrink = 1
		f, _ = FactsOf(inst)
		sc, _ = ScopeP6(f, k, s)
		_, err = AssumptionSet(inst, k)
		var h *HypothesisError
		if !errors.As(err, &h) || sc.Inside() || !strings.HasPrefix(sc.Violated[0].Name, "κ₀") || sc.Violated[0].Value != h.Value {
			t.Errorf("%s: c = 1: scope %v, AssumptionSet %v; want both outside on κ₀ with one value", scale.Name, sc, err)
		}
	}
}

// TestScopeWindows: each statement's τ window, P8 ignoring the optimizer,
// P9 needing two budgets.
func TestScopeWindows(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	s.CetaTheory = 2000 // admit η = 0.1: only the windows are under test
	in := func(f func(RunFacts, Consts, ScopeConsts) (Scope, error), tau float64) bool {
		sc, err := f(paperFacts(tau), k, s)
		if err != nil {
			t.Fatal(err)
		}
		return sc.Inside()
	}
	// d_h = 512: regime 1 is (0, 0.5/ln 512 = 0.0801], regime 2 [2/ln 512 = 0.3206, 0.6].
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"P5 τ = 0", in(ScopeP5, 0), false},
		{"P5 τ = 0.05", in(ScopeP5, 0.05), true},
		{"P5 τ = 0.1", in(ScopeP5, 0.1), false},
		{"P6 τ = 0.25", in(ScopeP6, 0.25), false},
		{"P6 τ = 0.4", in(ScopeP6, 0.4), true},
		{"P6 τ = 0.7", in(ScopeP6, 0.7), false},
		{"P8 τ = 0.7", ScopeP8(0.7).Inside(), false},
		{"P8 τ = 0.75", ScopeP8(0.75).Inside(), true},
		{"P9 one budget", ScopeP9([]float64{0}).Inside(), false},
		{"P9 two budgets", ScopeP9([]float64{0, 0.1}).Inside(), true},
		{"empty scope", Scope{}.Inside(), false},
	} {
		if c.got != c.want {
			t.Errorf("%s: inside = %v, want %v", c.name, c.got, c.want)
		}
	}
	p7 := func(taus []float64) bool {
		sc, _ := ScopeP7(paperFacts(0), taus, k, s)
		return sc.Inside()
	}
	if p7([]float64{0, 0.1, 0.25}) || !p7([]float64{0, 0.1, 0.4}) {
		t.Errorf("P7: a sweep must reach C1Hi/ln 512 = 0.32")
	}
}

// TestScopeBadInput: a bad RunFacts or ScopeConsts is a *valid.Error naming
// the field, never a panic or a silent scope.
func TestScopeBadInput(t *testing.T) {
	k := Defaults()
	for _, c := range []struct {
		field string
		f     func(*RunFacts, *ScopeConsts)
	}{
		{"Eta", func(f *RunFacts, _ *ScopeConsts) { f.Eta = math.NaN() }},
		{"Eta", func(f *RunFacts, _ *ScopeConsts) { f.Eta = 0 }},
		{"WoNorm2", func(f *RunFacts, _ *ScopeConsts) { f.WoNorm2 = math.Inf(1) }},
		{"TauOverMu", func(f *RunFacts, _ *ScopeConsts) { f.TauOverMu = -1 }},
		{"N", func(f *RunFacts, _ *ScopeConsts) { f.N = 0 }},
		{"ceta_theory", func(_ *RunFacts, s *ScopeConsts) { s.CetaTheory = 0 }},
		{"ceta_theory", func(_ *RunFacts, s *ScopeConsts) { s.CetaTheory = math.NaN() }},
		{"collapse_a1", func(_ *RunFacts, s *ScopeConsts) { s.CollapseA1 = 1.5 }},
		{"collapse_ent", func(_ *RunFacts, s *ScopeConsts) { s.CollapseEnt = math.NaN() }},
	} {
		f, s := paperFacts(0.4), DefaultScope()
		c.f(&f, &s)
		for _, scope := range []func(RunFacts, Consts, ScopeConsts) (Scope, error){ScopeP5, ScopeP6} {
			_, err := scope(f, k, s)
			var ve *valid.Error
			if !errors.As(err, &ve) || ve.Field != c.field {
				t.Errorf("%s: err = %v, want *valid.Error on %s", c.field, err, c.field)
			}
		}
	}
	if err := DefaultScope().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// knob is one way to push a run out of a statement's hypotheses, and the
// condition that must then be named as violated.
type knob struct {
	cond  string
	apply func(f *RunFacts, fam string)
}

var knobs = []knob{
	{"d ≥ Cd", func(f *RunFacts, _ string) { f.D = 32 }},                                               // d = 32 < Cd·N = 40 (κ₀ breaks too)
	{"κ₀", func(f *RunFacts, _ string) { f.InitShrink = 1 }},                                           // κ₀ × 256
	{"N·SNR²", func(f *RunFacts, _ string) { f.Mu = f.Sigma2 * math.Sqrt(float64(f.D)/float64(f.N)) }}, // N·SNR₂² = 1 < Cb = 7.5
	{"M ≥ 2", func(f *RunFacts, _ string) { f.M = 1 }},
	{"τ/‖μ‖", func(f *RunFacts, fam string) { // out of the family's window
		f.TauOverMu = map[string]float64{"P5": 0.3, "P6": 0.1, "P7": 0}[fam]
	}},
	{"η ≤ CetaTheory", func(f *RunFacts, _ string) { f.Eta = float64(2+f.Steps%7) * f.StepLimitTheory(DefaultScope()) }}, // last: 2–8× the limit of the final sizes
}

// TestOutsideNeverRefutes (issue 17 item 5): a run planted outside a
// statement's hypotheses — any non-empty set of the knobs above, any
// observed outcome, any of the τ-sweep statements P5, P6, P7 — is reported
// as OutsideHypotheses, names every planted violation, and its text never
// says "refuted" or "not reproduced". Negative control, in the same
// property: the same outcome on the unmodified run (inside) is passed
// through, so a refutation inside stays a refutation.
func TestOutsideNeverRefutes(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	base := map[string]float64{"P5": 0.05, "P6": 0.4, "P7": 0}
	scope := func(fam string, f RunFacts) Scope {
		var sc Scope
		var err error
		switch fam {
		case "P5":
			sc, err = ScopeP5(f, k, s)
		case "P6":
			sc, err = ScopeP6(f, k, s)
		default:
			sc, err = ScopeP7(f, []float64{0, 0.1, f.TauOverMu + 0.4}, k, s)
		}
		if err != nil {
			t.Fatalf("%s: %v", fam, err)
		}
		return sc
	}
	rapid.Check(t, func(rt *rapid.T) {
		fam := rapid.SampledFrom([]string{"P5", "P6", "P7"}).Draw(rt, "statement")
		obs := rapid.SampledFrom([]Status{Reproduced, NotReproduced, Inconclusive}).Draw(rt, "observed")
		f := paperFacts(base[fam])
		f.Eta = 5e-5 // inside THEORY's step limit 6.1e-05 at this size
		f.Steps = rapid.IntRange(1, 100).Draw(rt, "steps")
		in := Judge(obs, scope(fam, f))
		if !in.Scope.Inside() || in.Status() != obs || !strings.HasPrefix(in.String(), string(obs)) {
			rt.Fatalf("control: the unmodified run is not judged inside: %v", in)
		}
		var planted []string
		for _, kn := range knobs {
			if kn.cond == "τ/‖μ‖" && fam == "P7" {
				continue // P7 is a sweep claim: its window is the sweep's reach, planted below
			}
			if rapid.Bool().Draw(rt, "violate "+kn.cond) {
				kn.apply(&f, fam)
				planted = append(planted, kn.cond)
			}
		}
		if len(planted) == 0 {
			last := knobs[len(knobs)-1]
			last.apply(&f, fam)
			planted = append(planted, last.cond)
		}
		var sc Scope
		if fam == "P7" && rapid.Bool().Draw(rt, "short sweep") {
			sc, _ = ScopeP7(f, []float64{0, 0.1, 0.2}, k, s)
			planted = append(planted, "max τ/‖μ‖")
		} else {
			sc = scope(fam, f)
		}
		j := Judge(obs, sc)
		txt := j.String()
		if j.Status() != OutsideHypotheses || j.Status() == NotReproduced {
			rt.Fatalf("planted %v, observed %q: reported %q, want %q", planted, obs, j.Status(), OutsideHypotheses)
		}
		if strings.Contains(txt, "refuted") || strings.Contains(txt, string(NotReproduced)) {
			rt.Fatalf("planted %v: text %q reads as a refutation", planted, txt)
		}
		for _, p := range planted {
			named := false
			for _, v := range j.Scope.Violated {
				named = named || strings.HasPrefix(v.Name, p)
			}
			if !named || !strings.Contains(txt, p) {
				rt.Fatalf("planted %q not named: %s", p, txt)
			}
		}
	})
}

// TestJudgeInsidePassesThrough: inside the hypotheses every outcome is the
// verdict (refutations included); outside, the finding about practice is
// kept in words.
func TestJudgeInsidePassesThrough(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	f := paperFacts(0.4)
	f.Eta = 5e-5
	in, _ := ScopeP6(f, k, s)
	out, _ := ScopeP6(paperFacts(0.4), k, s)
	for _, st := range []Status{Reproduced, NotReproduced, Inconclusive} {
		if got := Judge(st, in).Status(); got != st {
			t.Errorf("inside, observed %q: reported %q", st, got)
		}
		j := Judge(st, out)
		if j.Status() != OutsideHypotheses || !strings.Contains(j.String(), "finding about practice: "+practice(st)) || !strings.Contains(j.String(), "×1638") {
			t.Errorf("outside, observed %q: %q", st, j)
		}
	}
	c := CheckP6(0.4, 0.45, 8, false, 16, k) // finding 8's concentration: absolute rule fails
	if c.Status != NotReproduced || JudgeCheck(c, out).Status() != OutsideHypotheses || JudgeCheck(c, in).Status() != NotReproduced {
		t.Errorf("CheckP6 %q judged outside %q, inside %q", c.Status, JudgeCheck(c, out).Status(), JudgeCheck(c, in).Status())
	}
}
