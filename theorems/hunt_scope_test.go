package theorems

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDrawPoint: the hunt's draw is the plain loop cmd/hunt has always
// run (each axis in order, lo + IntN(hi−lo+1) from PCG(seed, i)), so the
// points of a logged run can be redrawn; the relaxed ranges are used with
// relax. Control: another seed draws other points.
func TestDrawPoint(t *testing.T) {
	axes := All()[7].Axes(Tiny(), Defaults()) // Thm4.2(i)
	for i := 0; i < 50; i++ {
		r := rand.New(rand.NewPCG(1, uint64(i)))
		want := Point{}
		for _, a := range axes {
			want[a.Name] = a.Lo + r.IntN(a.Hi-a.Lo+1)
		}
		got := DrawPoint(axes, false, 1, i)
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("DrawPoint(i=%d)[%s] = %d, want %d", i, k, got[k], v)
			}
		}
		for _, a := range axes {
			if x := DrawPoint(axes, true, 1, i)[a.Name]; x < a.RelaxLo || x > a.RelaxHi {
				t.Fatalf("relaxed draw %s = %d outside [%d, %d]", a.Name, x, a.RelaxLo, a.RelaxHi)
			}
		}
	}
	same := 0
	for i := 0; i < 50; i++ {
		a, b := DrawPoint(axes, false, 1, i), DrawPoint(axes, false, 2, i)
		if a["c2"] == b["c2"] && a["log2N"] == b["log2N"] && a["seed"] == b["seed"] && a["tau20"] == b["tau20"] {
			same++
		}
	}
	if same > 10 {
		t.Errorf("control: seeds 1 and 2 draw the same point %d times in 50", same)
	}
}

// TestHuntScope (issue 17): the hunts of Thm 4.2(i), (ii), P7 and P12 at
// the tiny scale train at η = 0.1, outside THEORY's step-size hypothesis
// (limit 1/max(‖μ‖², σ₂²d) ≤ 1/1024), and only that hypothesis fails at
// their default points; with CetaTheory large enough to admit η = 0.1 the
// same points are inside. The clean statements' hunts are inside; A has no
// scope (its Check's *HypothesisError is its scope).
func TestHuntScope(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	loose := s
	loose.CetaTheory = 1e4 // limit ≥ 1e4/8192 > 0.1 at every tiny cell
	for _, st := range All() {
		switch st.ID {
		case "Thm4.2(i)", "Thm4.2(ii)", "P7", "P12":
		default:
			continue
		}
		axes := st.Axes(Tiny(), k)
		for i := 0; i < 10; i++ {
			p := DrawPoint(axes, false, 1, i)
			sco, ok, err := HuntScope(st.ID, Tiny(), p, k, s)
			if err != nil || !ok {
				t.Fatalf("%s at %v: %v, %v", st.ID, p, ok, err)
			}
			if sco.Inside() || len(sco.Violated) != 1 || sco.Violated[0].Name != "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}" || !(sco.Violated[0].Factor() >= 102.4) {
				t.Errorf("%s at %v: %s, want outside on η alone, ×102.4 or more", st.ID, p, sco)
			}
			if in, _, _ := HuntScope(st.ID, Tiny(), p, k, loose); !in.Inside() {
				t.Errorf("control: %s at %v with CetaTheory = 1e4: %s, want inside", st.ID, p, in)
			}
		}
	}
	for _, id := range []string{"P1b", "P1c", "P2", "P3", "P4"} {
		if sco, ok, err := HuntScope(id, Tiny(), Point{}, k, s); err != nil || !ok || !sco.Inside() {
			t.Errorf("%s: %s, %v, %v; want inside (clean GD)", id, sco, ok, err)
		}
	}
	if _, ok, _ := HuntScope("A", Tiny(), Point{}, k, s); ok {
		t.Error("A has a hunt scope; want none")
	}
}

// TestConditionRecord: a violated condition's record reads back exactly,
// for each of the four relations; a holding condition, a garbled record
// and a rounded number are refused.
func TestConditionRecord(t *testing.T) {
	for _, c := range []Condition{
		{Name: "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}", Value: 0.1, Limit: 1.0 / 3000, AtMost: true, Tag: LIT},
		{Name: "τ/‖μ‖ > 0", Value: 0, Limit: 0, Strict: true, Tag: SEC},
		{Name: "d ≥ Cd·N^DExp", Value: 64, Limit: 128, Tag: PROP},
		{Name: "x < y", Value: 2, Limit: 1, AtMost: true, Strict: true, Tag: RECALL},
	} {
		got, err := ParseConditionRecord(c.Record())
		if err != nil || got != c {
			t.Errorf("ParseConditionRecord(%q) = %+v, %v; want %+v", c.Record(), got, err, c)
		}
	}
	held := Condition{Name: "η ≤ C", Value: 1e-4, Limit: 1e-3, AtMost: true, Tag: LIT}
	for _, s := range []string{held.Record(), "η ≤ C: 0.1 > 0.001", "η ≤ C [LIT]: 0.1 > 0.001 (×99)", "η ≤ C [LIT]: x > 0.001"} {
		if _, err := ParseConditionRecord(s); err == nil {
			t.Errorf("ParseConditionRecord(%q) = nil, want an error", s)
		}
	}
	if math.IsNaN(held.Factor()) {
		t.Fatal("premise")
	}
}
