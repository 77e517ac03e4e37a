package check_test

import (
	"math"
	"testing"

	"vitadv/internal/check"
)

// recorder is a testing.TB that records failures instead of failing, so the
// helpers' own negative controls can assert that they fail.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Logf(string, ...any)   {}
func (r *recorder) Error(...any)          { r.failed = true }
func newRecorder(t *testing.T) *recorder  { return &recorder{TB: t} }
func (r *recorder) mustFail(t *testing.T, what string) {
	t.Helper()
	if !r.failed {
		t.Errorf("%s did not fail", what)
	}
}

func TestPredicatesRejectNaN(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"check.LE(NaN, 1)", check.LE(nan, 1)},
		{"check.LE(1, NaN)", check.LE(1, nan)},
		{"check.GE(NaN, 0)", check.GE(nan, 0)},
		{"check.Close(NaN, 1)", check.Close(nan, 1, 1, 1)},
		{"check.Close(1, NaN)", check.Close(1, nan, 1, 1)},
		{"check.Close(NaN, NaN)", check.Close(nan, nan, 1, 1)},
		{"check.Close(Inf, 1)", check.Close(math.Inf(1), 1, 1, 1)},
		{"check.Close(1, 2, tol NaN)", check.Close(1, 2, nan, 0)},
	} {
		if c.ok {
			t.Errorf("%s = true, want false", c.name)
		}
	}
	if !check.LE(1, 1) || !check.GE(1, 1) || !check.Close(1, 1+1e-13, 1e-12, 0) || !check.Close(math.Inf(-1), math.Inf(-1), 0, 0) {
		t.Error("a true comparison reported false")
	}
	if check.FirstNonFinite([]float64{0, 1, nan}) != 2 || check.FirstNonFinite([]float64{0, math.Inf(1)}) != 1 || check.FirstNonFinite([]float64{1}) != -1 {
		t.Error("FirstNonFinite")
	}
	if check.FirstFar([]float64{1, nan}, []float64{1, 1}, 1, 1) != 1 || check.FirstFar([]float64{1}, []float64{1, 1}, 0, 0) != 1 || check.FirstFar([]float64{1}, []float64{1}, 0, 0) != -1 {
		t.Error("FirstFar")
	}
	if r := check.RelErr(1.5, 1, 1e-300); r != 0.5 || !math.IsNaN(check.RelErr(nan, 1, 1)) {
		t.Errorf("RelErr")
	}
}

func TestHelpersFailOnNaN(t *testing.T) {
	nan := math.NaN()
	for name, f := range map[string]func(tb testing.TB){
		"check.AtMost(NaN)":   func(tb testing.TB) { check.AtMost(tb, "x", nan, 1) },
		"check.AtMost(2 > 1)": func(tb testing.TB) { check.AtMost(tb, "x", 2, 1) },
		"check.AtLeast(NaN)":  func(tb testing.TB) { check.AtLeast(tb, "x", nan, 0) },
		"check.Near(NaN)":     func(tb testing.TB) { check.Near(tb, "x", nan, 1, 1e-3, 0) },
		"check.AllNear(NaN)":  func(tb testing.TB) { check.AllNear(tb, "x", []float64{1, nan}, []float64{1, 1}, 1e-3, 0) },
		"check.AllNear(len)":  func(tb testing.TB) { check.AllNear(tb, "x", []float64{1}, []float64{1, 1}, 1e-3, 0) },
		"check.Finite(Inf)":   func(tb testing.TB) { check.Finite(tb, "x", []float64{math.Inf(1)}) },
	} {
		r := newRecorder(t)
		f(r)
		r.mustFail(t, name)
	}
	r := newRecorder(t)
	check.AtMost(r, "x", 1, 1)
	check.AtLeast(r, "x", 1, 1)
	check.Near(r, "x", 1, 1, 0, 0)
	check.AllNear(r, "x", []float64{1, 2}, []float64{1, 2}, 0, 0)
	check.Finite(r, "x", []float64{0, -1})
	if r.failed {
		t.Error("a passing comparison failed")
	}
}
