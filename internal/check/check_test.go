package check

import (
	"math"
	"testing"
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
		{"LE(NaN, 1)", LE(nan, 1)},
		{"LE(1, NaN)", LE(1, nan)},
		{"GE(NaN, 0)", GE(nan, 0)},
		{"Close(NaN, 1)", Close(nan, 1, 1, 1)},
		{"Close(1, NaN)", Close(1, nan, 1, 1)},
		{"Close(NaN, NaN)", Close(nan, nan, 1, 1)},
		{"Close(Inf, 1)", Close(math.Inf(1), 1, 1, 1)},
		{"Close(1, 2, tol NaN)", Close(1, 2, nan, 0)},
	} {
		if c.ok {
			t.Errorf("%s = true, want false", c.name)
		}
	}
	if !LE(1, 1) || !GE(1, 1) || !Close(1, 1+1e-13, 1e-12, 0) || !Close(math.Inf(-1), math.Inf(-1), 0, 0) {
		t.Error("a true comparison reported false")
	}
	if FirstNonFinite([]float64{0, 1, nan}) != 2 || FirstNonFinite([]float64{0, math.Inf(1)}) != 1 || FirstNonFinite([]float64{1}) != -1 {
		t.Error("FirstNonFinite")
	}
	if FirstFar([]float64{1, nan}, []float64{1, 1}, 1, 1) != 1 || FirstFar([]float64{1}, []float64{1, 1}, 0, 0) != 1 || FirstFar([]float64{1}, []float64{1}, 0, 0) != -1 {
		t.Error("FirstFar")
	}
	if r := RelErr(1.5, 1, 1e-300); r != 0.5 || !math.IsNaN(RelErr(nan, 1, 1)) {
		t.Errorf("RelErr")
	}
}

func TestHelpersFailOnNaN(t *testing.T) {
	nan := math.NaN()
	for name, f := range map[string]func(tb testing.TB){
		"AtMost(NaN)":   func(tb testing.TB) { AtMost(tb, "x", nan, 1) },
		"AtMost(2 > 1)": func(tb testing.TB) { AtMost(tb, "x", 2, 1) },
		"AtLeast(NaN)":  func(tb testing.TB) { AtLeast(tb, "x", nan, 0) },
		"Near(NaN)":     func(tb testing.TB) { Near(tb, "x", nan, 1, 1e-3, 0) },
		"AllNear(NaN)":  func(tb testing.TB) { AllNear(tb, "x", []float64{1, nan}, []float64{1, 1}, 1e-3, 0) },
		"AllNear(len)":  func(tb testing.TB) { AllNear(tb, "x", []float64{1}, []float64{1, 1}, 1e-3, 0) },
		"Finite(Inf)":   func(tb testing.TB) { Finite(tb, "x", []float64{math.Inf(1)}) },
	} {
		r := newRecorder(t)
		f(r)
		r.mustFail(t, name)
	}
	r := newRecorder(t)
	AtMost(r, "x", 1, 1)
	AtLeast(r, "x", 1, 1)
	Near(r, "x", 1, 1, 0, 0)
	AllNear(r, "x", []float64{1, 2}, []float64{1, 2}, 0, 0)
	Finite(r, "x", []float64{0, -1})
	if r.failed {
		t.Error("a passing comparison failed")
	}
}
