// Package valid holds the typed error every constructor in this module returns
// for bad user input, and small checks that build it.
//
// User-supplied configuration is not programmer misuse: it is checked where it
// enters (constructors, file loaders, command-line flags) and a bad value comes
// back as an *Error naming the field, the value and the rule it broke. Kernels
// behind a validated constructor never see bad configuration.
package valid

import (
	"fmt"
	"math"
)

// Error reports one invalid configuration value.
type Error struct {
	Field string // dotted path of the field, e.g. "Data.Sigma2"
	Value any    // the offending value as given
	Rule  string // what the value must satisfy, e.g. "must be > 0"
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid %s = %v: %s", e.Field, e.Value, e.Rule)
}

// IntMin returns an *Error unless v >= min.
func IntMin(field string, v, min int) error {
	if v < min {
		return &Error{Field: field, Value: v, Rule: fmt.Sprintf("must be >= %d", min)}
	}
	return nil
}

// EvenIntMin returns an *Error unless v >= min and v is even.
func EvenIntMin(field string, v, min int) error {
	if v < min || v%2 != 0 {
		return &Error{Field: field, Value: v, Rule: fmt.Sprintf("must be even and >= %d", min)}
	}
	return nil
}

// Finite returns an *Error if v is NaN or ±Inf.
func Finite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &Error{Field: field, Value: v, Rule: "must be finite"}
	}
	return nil
}

// NonNeg returns an *Error unless v is finite and >= 0.
func NonNeg(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return &Error{Field: field, Value: v, Rule: "must be finite and >= 0"}
	}
	return nil
}

// Positive returns an *Error unless v is finite and > 0.
func Positive(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return &Error{Field: field, Value: v, Rule: "must be finite and > 0"}
	}
	return nil
}

// Range returns an *Error unless lo <= v < hi (v finite).
func Range(field string, v, lo, hi float64) error {
	if math.IsNaN(v) || v < lo || v >= hi {
		return &Error{Field: field, Value: v, Rule: fmt.Sprintf("must be in [%g, %g)", lo, hi)}
	}
	return nil
}

// First returns the first non-nil error of errs.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
