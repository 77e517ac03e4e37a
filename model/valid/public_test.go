package valid_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestChecksFromOutside: each check accepts the values its rule allows and
// returns a *valid.Error naming the field and the value otherwise, NaN and
// ±Inf included; the message names both. First returns the first failure
// in argument order. Every accepted case is a negative control of the
// rejected ones next to it (the table has both sides of each edge).
func TestChecksFromOutside(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		err  error
		bad  bool
	}{
		{"Positive(1e-300)", valid.Positive("f", 1e-300), false},
		{"Positive(0)", valid.Positive("f", 0), true},
		{"Positive(NaN)", valid.Positive("f", nan), true},
		{"Positive(+Inf)", valid.Positive("f", inf), true},
		{"NonNeg(0)", valid.NonNeg("f", 0), false},
		{"NonNeg(-1e-300)", valid.NonNeg("f", -1e-300), true},
		{"NonNeg(NaN)", valid.NonNeg("f", nan), true},
		{"Finite(-1e308)", valid.Finite("f", -1e308), false},
		{"Finite(-Inf)", valid.Finite("f", -inf), true},
		{"Range(lo)", valid.Range("f", 0, 0, 0.5), false},
		{"Range(below hi)", valid.Range("f", math.Nextafter(0.5, 0), 0, 0.5), false},
		{"Range(hi)", valid.Range("f", 0.5, 0, 0.5), true},
		{"Range(NaN)", valid.Range("f", nan, 0, 0.5), true},
		{"IntMin(2, 2)", valid.IntMin("f", 2, 2), false},
		{"IntMin(1, 2)", valid.IntMin("f", 1, 2), true},
		{"EvenIntMin(4, 2)", valid.EvenIntMin("f", 4, 2), false},
		{"EvenIntMin(5, 2)", valid.EvenIntMin("f", 5, 2), true},
		{"EvenIntMin(0, 2)", valid.EvenIntMin("f", 0, 2), true},
	} {
		if (c.err != nil) != c.bad {
			t.Errorf("%s = %v, want an error: %v", c.name, c.err, c.bad)
			continue
		}
		if !c.bad {
			continue
		}
		var ve *valid.Error
		if !errors.As(c.err, &ve) || ve.Field != "f" || ve.Rule == "" {
			t.Errorf("%s: %#v, want *valid.Error on field f with a rule", c.name, c.err)
		}
		if !strings.Contains(c.err.Error(), "f = ") {
			t.Errorf("%s: message %q does not name the field and value", c.name, c.err)
		}
	}
	err := valid.First(nil, valid.IntMin("a", 0, 1), valid.IntMin("b", 0, 1))
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Field != "a" || ve.Value != 0 {
		t.Errorf("First = %v, want the error on a", err)
	}
	if err := valid.First(nil, nil); err != nil {
		t.Errorf("First(nil, nil) = %v", err)
	}
}
