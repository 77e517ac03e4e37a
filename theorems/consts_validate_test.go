package theorems

import (
	"errors"
	"math"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestConstsValidate: the defaults pass; each hostile override is a
// *valid.Error naming the constant by its JSON name.
func TestConstsValidate(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*Consts)
	}{
		{"log_base", func(k *Consts) { k.LogBase = 1 }},
		{"log_base", func(k *Consts) { k.LogBase = 0 }},
		{"log_base", func(k *Consts) { k.LogBase = -1 }},
		{"c1", func(k *Consts) { k.C1 = math.NaN() }},
		{"cb", func(k *Consts) { k.Cb = math.NaN() }},
		{"cb", func(k *Consts) { k.Cb = 1e300 }},
		{"memo_factor", func(k *Consts) { k.MemoFactor = math.NaN() }},
		{"frac", func(k *Consts) { k.Frac = math.Inf(-1) }},
		{"snr", func(k *Consts) { k.SNR = "bogus" }},
		{"growth_t", func(k *Consts) { k.GrowthT = 0 }},
	} {
		k := Defaults()
		c.edit(&k)
		err := k.Validate()
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want *valid.Error on %s", c.field, err, c.field)
		}
	}
}

// TestValidateRefusesZero: the constants that must be > 0 refuse 0
// (a zero boundary makes log-grids and ratios meaningless).
func TestValidateRefusesZero(t *testing.T) {
	k := Defaults()
	k.C1 = 0
	var ve *valid.Error
	if err := k.Validate(); !errors.As(err, &ve) || ve.Field != "c1" {
		t.Errorf("c1 = 0: %v, want *valid.Error on c1", err)
	}
	k = Defaults()
	k.Strengthen = 0
	if err := k.Validate(); !errors.As(err, &ve) || ve.Field != "strengthen" {
		t.Errorf("strengthen = 0: %v, want *valid.Error on strengthen", err)
	}
	if err := Defaults().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
