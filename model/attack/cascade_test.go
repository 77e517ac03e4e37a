package attack_test

import (
	"errors"
	"fmt"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/valid"
)

// TestCascadeFindsHardBreaks: on every (instance, set, τ) of the hard
// corpus where the reference search broke a point, the cascade (the ci
// CSVs' cheap protocol, the certificate of package certify, DefaultStrong
// on the undecided points) breaks every point the reference broke; no
// certified point is a reference break (the certificate's soundness, on
// which skipping certified points rests); and the cascade's lower end lies
// between the cheap protocol's and the certificate's upper end, point by
// point not above the cheap margin. Negative control: the same cascade
// with a certificate that claims every point (so the strong stage never
// runs) misses some reference breaks, asserted on the corpus totals. With
// -short only the tiny instances run.
func TestCascadeFindsHardBreaks(t *testing.T) {
	var refBreaks, missed, skipMissed, undecided, points int
	for _, r := range hardRecipes {
		t.Run(r.Name, func(t *testing.T) {
			if why := hardSkipReason(r); why != "" {
				t.Skip(why)
			}
			in, err := loadHard(r)
			if err != nil {
				t.Fatal(err)
			}
			n := in.pts.N
			cert, err := certify.New(in.m, in.pts.M)
			if err != nil {
				t.Fatal(err)
			}
			all := make([]bool, n)
			for i := range all {
				all[i] = true
			}
			for _, c := range hardCombos(t, in) {
				if c.refBreaks == 0 {
					continue
				}
				seed := hardSeed(in.hardRecipe, c.si, c.ti)
				cr, err := cert.Evaluate(in.pts, c.set, c.tau)
				if err != nil {
					t.Fatal(err)
				}
				mask := make([]bool, n)
				for i, b := range cr.Bounds {
					mask[i] = b > 0
				}
				casc, st, err := ciProtocol.Cascade(in.m, in.pts, in.sig, c.set, c.tau, seed, mask)
				if err != nil {
					t.Fatal(err)
				}
				cheap, err := ciProtocol.RobustEval(in.m, in.pts, in.sig, c.set, c.tau, seed)
				if err != nil {
					t.Fatal(err)
				}
				skip, _, err := ciProtocol.Cascade(in.m, in.pts, in.sig, c.set, c.tau, seed, all)
				if err != nil {
					t.Fatal(err)
				}
				undecided += st.Undecided
				points += n
				combo := fmt.Sprintf("set=%s tau/mu=%g", c.set, c.tom)
				if !(casc.Error >= cheap.Error) || !(casc.Error <= cr.ErrUB) {
					t.Errorf("%s: cascade lower end %g outside [cheap %g, certified upper end %g]", combo, casc.Error, cheap.Error, cr.ErrUB)
				}
				for i := 0; i < n; i++ {
					name := fmt.Sprintf("%s point=%d", combo, i)
					if !(casc.Margins[i] <= cheap.Margins[i]) {
						t.Errorf("%s: cascade margin %g above the cheap protocol's %g", name, casc.Margins[i], cheap.Margins[i])
					}
					if c.ref[i] > 0 {
						continue
					}
					refBreaks++
					if mask[i] {
						t.Errorf("%s: certified (bound %g) but the reference broke it (margin %g): the certificate is unsound", name, cr.Bounds[i], c.ref[i])
					}
					if !(casc.Margins[i] <= 0) {
						missed++
						t.Errorf("%s: the reference broke it (margin %g), the cascade did not (margin %g)", name, c.ref[i], casc.Margins[i])
					}
					if !(skip.Margins[i] <= 0) {
						skipMissed++
					}
				}
			}
		})
	}
	t.Logf("reference breaks %d: missed by the cascade %d, by the cascade without its strong stage %d; strong stage ran on %d of %d points",
		refBreaks, missed, skipMissed, undecided, points)
	if refBreaks == 0 {
		t.Fatal("no reference break was checked: the corpus is empty or unread")
	}
	if skipMissed == 0 {
		t.Error("control: the cascade without its strong stage found every reference break; the test cannot tell the strong stage's work")
	}
}

// TestCascadeBadMask: a certified mask of the wrong length is a
// *valid.Error naming the field, not a panic.
func TestCascadeBadMask(t *testing.T) {
	in, err := loadHard(hardRecipes[0])
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ciProtocol.Cascade(in.m, in.pts, in.sig, attack.Frobenius, 0.1*in.pts.Mu, 1, make([]bool, in.pts.N-1))
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Field != "certified" {
		t.Fatalf("err = %v, want a *valid.Error on field certified", err)
	}
}
