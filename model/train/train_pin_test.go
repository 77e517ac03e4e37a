package train

import (
	"math"
	"slices"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/vit"
)

// shiftAttack is a deterministic stand-in attacker: xadv = x + 1/4 in every
// entry, whatever the model.
type shiftAttack struct{ calls int }

func (a *shiftAttack) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	a.calls++
	for i := range x[:len(xadv)] {
		xadv[i] = x[i] + 0.25
	}
}

// TestAdversarialStepUsesAttackedInputsPin pins the robust objective
// (Danskin, docs/THEORY.md §3.2): with an attacker, Gradient returns the
// loss at the attacked inputs and the update is −η times the gradient
// there, not at the clean inputs. The reference is computed independently
// with vit.Model.LossGrad on x + 1/4.
func TestAdversarialStepUsesAttackedInputsPin(t *testing.T) {
	m, tr, _, _ := smallCell(t, 6, 4, 3)
	ref := m.Clone()
	atk := &shiftAttack{}
	tn, err := New(m, tr, Config{Eta: 0.5, MaxSteps: 1}, atk)
	if err != nil {
		t.Fatal(err)
	}
	xadv := slices.Clone(tr.X)
	for i := range xadv {
		xadv[i] += 0.25
	}
	ws := vit.NewWorkspace(ref.Arch, tr.M, tr.N)
	g := vit.NewGrads(ref.Arch)
	want := ref.LossGrad(ws, xadv, tr.Y, tr.N, g)
	clean := ref.Loss(ws, tr.X, tr.Y, tr.N)
	if !(math.Abs(want-clean) > 1e-6) {
		t.Fatalf("control: the shift does not change the loss (%g vs %g)", want, clean)
	}
	got := tn.Step()
	check.Near(t, "robust loss", got, want, 1e-14, 0)
	if atk.calls != 1 {
		t.Errorf("attacker called %d times for one step, want 1", atk.calls)
	}
	ref.Step(g, 0.5)
	check.AllNear(t, "W_QK after one robust step", m.WQK, ref.WQK, 1e-14, 1e-15)
	check.AllNear(t, "W_V after one robust step", m.Wv, ref.Wv, 1e-14, 1e-15)
}
