package cell_test

import (
	"errors"
	"testing"

	"vitadv/model/cell"
	"vitadv/model/valid"
)

// TestBracketDeep: Protocol.DeepNodes certifies again, with a larger
// branch-and-bound budget, the points the cascade left undecided. At each
// budget τ it changes no lower end (the same attack margins, bit for bit),
// keeps every bound that was already positive, never certifies a point an
// attack broke, counts exactly the positive bounds, and so only lowers the
// upper end; at some τ of the small run it must certify a point the
// default budget did not (the stage is not a no-op). Controls: DeepNodes
// below 0 or above MaxDeepNodes is a *valid.Error naming
// Protocol.DeepNodes.
func TestBracketDeep(t *testing.T) {
	s := small()
	s.Eval.Cascade, s.Eval.Joint = true, true
	r := mustTrain(t, s)
	deep := s.Eval
	deep.DeepNodes = 4096
	gained := 0
	for _, f := range []float64{0.5, 0.75, 0.8, 0.9} {
		tau := f * s.Tau
		rob, cert, err := r.Bracket(true, s.Eval, s.Set, tau)
		if err != nil {
			t.Fatal(err)
		}
		drob, dcert, err := r.Bracket(true, deep, s.Set, tau)
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(rob.Margins, drob.Margins) {
			t.Errorf("τ = %g: the deep stage changed attack margins", tau)
		}
		n := 0
		for i, b := range dcert.Bounds {
			if cert.Bounds[i] > 0 && b != cert.Bounds[i] {
				t.Errorf("τ = %g, point %d: a certified bound %g changed to %g", tau, i, cert.Bounds[i], b)
			}
			if b > 0 {
				n++
				if !(drob.Margins[i] > 0) {
					t.Errorf("τ = %g, point %d: certified (bound %g) and broken (margin %g)", tau, i, b, drob.Margins[i])
				}
			}
		}
		if n != dcert.Certified || dcert.ErrUB != 1-float64(n)/float64(dcert.N) {
			t.Errorf("τ = %g: Certified %d, ErrUB %g for %d positive bounds of %d", tau, dcert.Certified, dcert.ErrUB, n, dcert.N)
		}
		if !(dcert.ErrUB <= cert.ErrUB) || !(drob.Error <= dcert.ErrUB) {
			t.Errorf("τ = %g: deep bracket [%g, %g] against [%g, %g]", tau, drob.Error, dcert.ErrUB, rob.Error, cert.ErrUB)
		}
		gained += dcert.Certified - cert.Certified
		t.Logf("τ = %.3g: bracket [%.3f, %.3f] → [%.3f, %.3f]", tau, rob.Error, cert.ErrUB, drob.Error, dcert.ErrUB)
	}
	if gained == 0 {
		t.Errorf("the deep stage certified no point the default budget left at any τ")
	}
	for _, n := range []int{-1, cell.MaxDeepNodes + 1} {
		p := s.Eval
		p.DeepNodes = n
		_, _, err := r.Bracket(true, p, s.Set, s.Tau)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "Protocol.DeepNodes" {
			t.Errorf("DeepNodes = %d: err = %v, want a *valid.Error on Protocol.DeepNodes", n, err)
		}
	}
}
