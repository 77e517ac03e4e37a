package properties

import (
	"errors"
	"testing"

	"vitadv/model/valid"
)

// strictFromEnv reads VITADV_STRICT through getenv: "1" turns recorded
// findings into failures (see the package doc), "" (unset) or "0" keeps
// them as findings. Any other value ("true", "yes", " 1") is a
// *valid.Error naming the variable and the value, so that a misspelt
// request for a strict run is never silently a lenient one.
func strictFromEnv(getenv func(string) string) (bool, error) {
	switch v := getenv("VITADV_STRICT"); v {
	case "1":
		return true, nil
	case "", "0":
		return false, nil
	default:
		return false, &valid.Error{Field: "VITADV_STRICT", Value: v, Rule: `must be 1 (strict) or 0 / unset (findings are not failures)`}
	}
}

// TestStrictFromEnv: the documented values of VITADV_STRICT are accepted;
// a misspelling is a *valid.Error naming the variable and the value.
func TestStrictFromEnv(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "1": true} {
		got, err := strictFromEnv(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("strictFromEnv(VITADV_STRICT=%q) = %v, %v; want %v, nil", v, got, err, want)
		}
	}
	for _, v := range []string{"true", "yes", "on", " 1", "2", "TRUE"} {
		got, err := strictFromEnv(func(string) string { return v })
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "VITADV_STRICT" || ve.Value != v || got {
			t.Errorf("strictFromEnv(VITADV_STRICT=%q) = %v, %v; want a *valid.Error naming VITADV_STRICT and %q", v, got, err, v)
		}
	}
}
