package cell_test

import (
	"errors"
	"strings"
	"testing"

	"vitadv/model/cell"
	"vitadv/model/valid"
)

// TestEvaluateCascade: with Eval.Cascade, Evaluate's lower end lies
// between the cheap protocol's (same points, same seed) and the
// certificate's upper end, no point's margin is above its cheap margin,
// the strong attacker is the sixth index of Wins (after the row attack), and Evaluate (which
// reuses its certificate) gives the bits of Robust (which computes it).
// The Key of a spec without Cascade has no "cascade" (committed specs and
// CSVs are unchanged); the control sets it and sees the key. PGDOnly with
// Cascade is a *valid.Error naming Protocol.Cascade.
func TestEvaluateCascade(t *testing.T) {
	s := small()
	if strings.Contains(s.Key(), `"cascade"`) {
		t.Errorf("Key() = %s contains cascade with Cascade off", s.Key())
	}
	s.Eval.Cascade = true
	if !strings.Contains(s.Key(), `"cascade":true`) {
		t.Errorf("control: Key() = %s lacks cascade", s.Key())
	}
	r := mustTrain(t, s)
	ev, err := r.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	cheapP := s.Eval
	cheapP.Cascade = false
	cheap, err := r.Robust(true, cheapP, s.Set, s.Tau)
	if err != nil {
		t.Fatal(err)
	}
	if !(cheap.Error <= ev.Robust.Error) || !(ev.Robust.Error <= ev.Cert.ErrUB) {
		t.Errorf("cascade lower end %g outside [cheap %g, certified upper end %g]", ev.Robust.Error, cheap.Error, ev.Cert.ErrUB)
	}
	for i := range cheap.Margins {
		if !(ev.Robust.Margins[i] <= cheap.Margins[i]) {
			t.Errorf("point %d: cascade margin %g above the cheap %g", i, ev.Robust.Margins[i], cheap.Margins[i])
		}
	}
	if len(ev.Robust.Wins) != 6 {
		t.Errorf("%d attackers, want 6 (PGD, APGD, midpoint, erase, row, strong)", len(ev.Robust.Wins))
	}
	rob, err := r.Robust(true, s.Eval, s.Set, s.Tau)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(rob.Margins, ev.Robust.Margins) {
		t.Errorf("Evaluate's cascade margins differ from Robust's")
	}
	_, err = r.Robust(true, cell.Protocol{PGDSteps: 5, PGDRestarts: 1, PGDOnly: true, Cascade: true}, s.Set, s.Tau)
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Field != "Protocol.Cascade" {
		t.Errorf("PGDOnly with Cascade: err = %v, want a *valid.Error on Protocol.Cascade", err)
	}
}
