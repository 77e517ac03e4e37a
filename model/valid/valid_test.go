package valid

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		err  error
		fail bool
	}{
		{IntMin("D", 1, 1), false}, {IntMin("D", 0, 1), true},
		{EvenIntMin("N", 4, 2), false}, {EvenIntMin("N", 3, 2), true}, {EvenIntMin("N", 0, 2), true},
		{Finite("x", 1), false}, {Finite("x", nan), true}, {Finite("x", -inf), true},
		{NonNeg("s", 0), false}, {NonNeg("s", -1e-300), true}, {NonNeg("s", nan), true}, {NonNeg("s", inf), true},
		{Positive("eta", 1e-300), false}, {Positive("eta", 0), true}, {Positive("eta", nan), true},
		{Range("p", 0, 0, 0.5), false}, {Range("p", 0.5, 0, 0.5), true}, {Range("p", nan, 0, 0.5), true},
	} {
		if (c.err != nil) != c.fail {
			t.Errorf("check error = %v, want failure %v", c.err, c.fail)
		}
	}
}

// TestErrorNamesFieldAndValue: the message names the field and the value,
// and errors.As finds the *Error through First.
func TestErrorNamesFieldAndValue(t *testing.T) {
	err := First(nil, Positive("Tau", -1), IntMin("Steps", 0, 1))
	var ve *Error
	if !errors.As(err, &ve) || ve.Field != "Tau" || ve.Value != -1.0 {
		t.Fatalf("First(...) = %#v, want the Tau error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "Tau") || !strings.Contains(msg, "-1") {
		t.Errorf("message %q does not name field and value", msg)
	}
	if First(nil, nil) != nil {
		t.Error("First(nil, nil) != nil")
	}
}
