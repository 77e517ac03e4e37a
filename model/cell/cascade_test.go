package cell_test

import (
	"errors"
	"strings"
	"testing"

	"vitadv/model/cell"
	"vitadv/model/data"
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

// TestProtocolNoSignals: the signal-free protocol (Protocol.NoSignals,
// with and without Cascade) evaluates a model without signal vectors
// (the zero data.Signals, as a run from a Source has); its lower end is at
// least the PGD-only one (its PGD is the same run) and, with the cascade,
// at most the certificate's upper end, with five attackers (PGD, APGD,
// erase, row, strong: no midpoint). Run.Bracket gives the bits of
// Robust and Certify. Inconsistent combinations are *valid.Error values:
// NoSignals with the run's signals (Signals), PGDOnly with NoSignals
// (Protocol.NoSignals).
func TestProtocolNoSignals(t *testing.T) {
	s := small()
	r := mustTrain(t, s)
	only := cell.Protocol{PGDSteps: 5, PGDRestarts: 1, PGDOnly: true}
	pgd, err := only.Robust(r.Model, r.Test, data.Signals{}, s.Set, s.Tau, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	p := cell.Protocol{PGDSteps: 5, PGDRestarts: 1, APGDSteps: 10, NoSignals: true, Cascade: true}
	casc, err := p.Robust(r.Model, r.Test, data.Signals{}, s.Set, s.Tau, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := r.Certify(true, s.Set, s.Tau)
	if err != nil {
		t.Fatal(err)
	}
	if !(pgd.Error <= casc.Error) || !(casc.Error <= cr.ErrUB) {
		t.Errorf("signal-free cascade lower end %g outside [PGD alone %g, certified upper end %g]", casc.Error, pgd.Error, cr.ErrUB)
	}
	for i := range pgd.Margins {
		if !(casc.Margins[i] <= pgd.Margins[i]) {
			t.Errorf("point %d: signal-free cascade margin %g above the PGD alone's %g", i, casc.Margins[i], pgd.Margins[i])
		}
	}
	if len(casc.Wins) != 5 {
		t.Errorf("%d attackers, want 5 (PGD, APGD, erase, row, strong)", len(casc.Wins))
	}
	_, err = r.Robust(true, p, s.Set, s.Tau)
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Field != "Signals" {
		t.Errorf("NoSignals with the run's signals: err = %v, want a *valid.Error on Signals", err)
	}
	_, err = only.Robust(r.Model, r.Test, data.Signals{}, s.Set, s.Tau, 1)
	if err != nil {
		t.Errorf("PGDOnly without signals: %v", err)
	}
	bad := only
	bad.NoSignals = true
	if _, err = r.Robust(true, bad, s.Set, s.Tau); !errors.As(err, &ve) || ve.Field != "Protocol.NoSignals" {
		t.Errorf("PGDOnly with NoSignals: err = %v, want a *valid.Error on Protocol.NoSignals", err)
	}
	rob, cert, err := r.Bracket(true, only, s.Set, s.Tau)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Robust(true, only, s.Set, s.Tau)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(rob.Margins, ref.Margins) || !sameBits(cert.Bounds, cr.Bounds) {
		t.Errorf("Bracket differs from Robust and Certify")
	}
}
