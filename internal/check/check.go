// Package check holds the NaN-safe comparisons every test of the suite uses.
//
// A comparison written as `if err > tol { fail }` lets NaN through, because
// every ordered comparison with NaN is false. Each function here is written
// the other way round, `ok := x <= tol`, so that NaN (and a NaN tolerance)
// fails. Tests call the testing.TB helpers (AtMost, AtLeast, Near, AllNear,
// Finite); code that only needs the predicate calls LE, GE, Close.
package check

import (
	"fmt"
	"math"
	"testing"
)

// LE reports x ≤ max; false if either is NaN.
func LE(x, max float64) bool { return x <= max }

// GE reports x ≥ min; false if either is NaN.
func GE(x, min float64) bool { return x >= min }

// Close reports |got − want| ≤ atol + rtol·|want|; false if any operand is
// NaN, and false for got = ±Inf unless want is the same infinity.
func Close(got, want, rtol, atol float64) bool {
	if got == want { // covers equal infinities
		return true
	}
	return math.Abs(got-want) <= atol+float64(rtol*math.Abs(want))
}

// RelErr returns |got − want| / max(|want|, floor): the relative error with
// an absolute floor for want near 0. NaN in, NaN out.
func RelErr(got, want, floor float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), floor)
}

// FirstNonFinite returns the index of the first NaN or ±Inf in x, or −1.
func FirstNonFinite(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// FirstFar returns the index of the first i with !Close(got[i], want[i],
// rtol, atol), −1 if every element is close; len(got) if the lengths differ.
func FirstFar(got, want []float64, rtol, atol float64) int {
	if len(got) != len(want) {
		return len(got)
	}
	for i := range got {
		if !Close(got[i], want[i], rtol, atol) {
			return i
		}
	}
	return -1
}

// AtMost fails t unless x ≤ max (NaN fails).
func AtMost(t testing.TB, name string, x, max float64) {
	t.Helper()
	if !LE(x, max) {
		t.Errorf("%s = %.17g, want ≤ %.17g", name, x, max)
	}
}

// AtLeast fails t unless x ≥ min (NaN fails).
func AtLeast(t testing.TB, name string, x, min float64) {
	t.Helper()
	if !GE(x, min) {
		t.Errorf("%s = %.17g, want ≥ %.17g", name, x, min)
	}
}

// Near fails t unless Close(got, want, rtol, atol).
func Near(t testing.TB, name string, got, want, rtol, atol float64) {
	t.Helper()
	if !Close(got, want, rtol, atol) {
		t.Errorf("%s = %.17g, want %.17g (rtol %g, atol %g)", name, got, want, rtol, atol)
	}
}

// AllNear fails t at the first element of got that is not Close to want.
func AllNear(t testing.TB, name string, got, want []float64, rtol, atol float64) {
	t.Helper()
	if i := FirstFar(got, want, rtol, atol); i >= 0 {
		if i >= len(got) || i >= len(want) {
			t.Errorf("%s: len %d, want %d", name, len(got), len(want))
			return
		}
		t.Errorf("%s[%d] = %.17g, want %.17g (rtol %g, atol %g)", name, i, got[i], want[i], rtol, atol)
	}
}

// Finite fails t at the first NaN or ±Inf in x.
func Finite(t testing.TB, name string, x []float64) {
	t.Helper()
	if i := FirstNonFinite(x); i >= 0 {
		t.Errorf("%s[%d] = %v, want finite", name, i, x[i])
	}
}

// Describe formats a comparison for a log line without judging it.
func Describe(name string, got, want float64) string {
	return fmt.Sprintf("%s = %.6g (want %.6g, rel %.2g)", name, got, want, RelErr(got, want, 1e-300))
}
