package theorems

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"vitadv/model/valid"
)

// MaxConst bounds the magnitude of every constant: far above any value a
// statement is meant to be probed with, and small enough that the grid axes
// derived from the constants (e.g. c₂ = ⌊2·log₂ C_b⌋) stay in int range and
// the instances they build stay finite.
const MaxConst = 1e6

// positiveConsts are the constants that must be > 0: the boundaries and
// budget multipliers (their logarithms set grid axes), the log base and
// the multiplicative factors. The assumption constants (cd, csig, ...) may
// be 0: hunt relaxes them to 0 to search outside the hypotheses.
var positiveConsts = []string{"cb", "ch", "c1", "c1_hi", "c2", "c3", "log_base", "growth_band", "strengthen"}

// Validate returns a *valid.Error naming the constant (by its JSON name, as
// cmd/hunt's -const takes it) unless every float constant is finite with
// magnitude at most MaxConst, the constants of positiveConsts are > 0,
// log_base ≠ 1, snr is "strong" or "weak", and growth_t ≥ 1.
func (k Consts) Validate() error {
	v := reflect.ValueOf(k)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		f := v.Field(i)
		if f.Kind() != reflect.Float64 {
			continue
		}
		x := f.Float()
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxConst {
			return &valid.Error{Field: name, Value: x, Rule: fmt.Sprintf("must be finite with |value| <= %g", MaxConst)}
		}
		for _, p := range positiveConsts {
			if p == name && !(x > 0) {
				return &valid.Error{Field: name, Value: x, Rule: "must be > 0"}
			}
		}
	}
	if k.LogBase == 1 {
		return &valid.Error{Field: "log_base", Value: k.LogBase, Rule: "must not be 1 (log base 1 is undefined)"}
	}
	if k.SNR != "strong" && k.SNR != "weak" {
		return &valid.Error{Field: "snr", Value: k.SNR, Rule: `must be "strong" or "weak"`}
	}
	if k.GrowthT < 1 || k.GrowthT > 1e6 {
		return &valid.Error{Field: "growth_t", Value: k.GrowthT, Rule: "must be in [1, 1000000]"}
	}
	return nil
}
