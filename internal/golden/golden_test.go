package golden_test

import (
	"flag"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"vitadv/internal/golden"
)

// recorder is a testing.TB that records failures instead of failing, so
// that the negative controls can assert that Check fails.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Logf(string, ...any)       {}
func (r *recorder) Errorf(f string, a ...any) { r.failed, r.msg = true, f }
func (r *recorder) Fatalf(f string, a ...any) { r.failed, r.msg = true, f }

// TestFormatFloatRoundTrips: every value a golden file holds parses back
// to the same bits, so comparing the text is comparing the bits.
func TestFormatFloatRoundTrips(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1, -1.5, math.Pi, 1e-310, math.SmallestNonzeroFloat64,
		math.MaxFloat64, math.Inf(1), math.Inf(-1), 0.1 + 0.2, math.Nextafter(1, 2)}
	for _, x := range xs {
		s := golden.FormatFloat(x)
		y, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(y) != math.Float64bits(x) {
			t.Errorf("FormatFloat(%v) = %q parses to %v (%v)", x, s, y, err)
		}
	}
	if s := golden.FormatFloat(math.NaN()); s != "NaN" {
		t.Errorf("FormatFloat(NaN) = %q", s)
	}
}

// TestDiffNamesTheValueThatMoved: a value moved by one ulp is reported
// with its key and both values; equal files give no diff; a missing line
// is reported as a length difference.
func TestDiffNamesTheValueThatMoved(t *testing.T) {
	var a, b golden.Values
	for i, x := range []float64{0.25, 1.0 / 3, 7} {
		a.Float("v"+strconv.Itoa(i)+" margin", x)
		if i == 1 {
			x = math.Nextafter(x, 1)
		}
		b.Float("v"+strconv.Itoa(i)+" margin", x)
	}
	if d := golden.Diff(a.Bytes(), a.Bytes(), 20); d != "" {
		t.Errorf("Diff of equal files = %q, want empty", d)
	}
	d := golden.Diff(b.Bytes(), a.Bytes(), 20)
	for _, want := range []string{"line 2: v1 margin: got 0.33333333333333337, want 0.3333333333333333", "1 of 3 lines differ"} {
		if !strings.Contains(d, want) {
			t.Errorf("Diff = %q, want it to contain %q", d, want)
		}
	}
	var c golden.Values
	c.Float("v0 margin", 0.25)
	c.Float("v1 margin", 1.0/3)
	c.Float("v2 margin", 8) // same length as 7
	if d := golden.Diff(c.Bytes(), a.Bytes(), 20); !strings.Contains(d, "line 3: v2 margin: got 8, want 7") {
		t.Errorf("Diff = %q, want line 3 named", d)
	}
	short := []byte(strings.Join(strings.Split(string(a.Bytes()), "\n")[:2], "\n") + "\n")
	if d := golden.Diff(short, a.Bytes(), 20); !strings.Contains(d, "got 2 lines, want 3") {
		t.Errorf("Diff with a missing line = %q, want the lengths", d)
	}
}

// TestVectorShortAndLong: a short vector is written element by element;
// a long one by its norm and the hash of its bits, which a one-ulp change
// of any element moves.
func TestVectorShortAndLong(t *testing.T) {
	var v golden.Values
	v.Vector("x", []float64{3, 4}, 2)
	if got, want := string(v.Bytes()), "x[0] 3\nx[1] 4\n"; got != want {
		t.Errorf("short vector: %q, want %q", got, want)
	}
	var w golden.Values
	w.Vector("x", []float64{3, 4}, 1)
	if got, want := string(w.Bytes()), "x ‖·‖₂ 5\nx bits n=2,fnv64a="; !strings.HasPrefix(got, want) {
		t.Errorf("long vector: %q, want prefix %q", got, want)
	}
	x := make([]float64, 1000)
	for i := range x {
		x[i] = float64(i) / 7
	}
	h := golden.Hash(x)
	for _, k := range []int{0, 500, 999} {
		y := append([]float64(nil), x...)
		y[k] = math.Nextafter(y[k], 1e9)
		if golden.Hash(y) == h {
			t.Errorf("element %d moved by one ulp: hash unchanged", k)
		}
	}
}

// TestCheckUpdateThenCompare: -update writes the file; Check then passes
// on the same values and fails on a value moved by one ulp, and on a
// missing file (negative controls through a recorder).
func TestCheckUpdateThenCompare(t *testing.T) {
	t.Chdir(t.TempDir())
	old := flag.Lookup("update").Value.String()
	t.Cleanup(func() { flag.Set("update", old) })
	if err := flag.Set("update", "false"); err != nil {
		t.Fatal(err)
	}
	var v golden.Values
	v.Float("a", 0.1)
	v.Float("b", 2)
	rec := &recorder{TB: t}
	golden.Check(rec, "missing", v.Bytes())
	if !rec.failed {
		t.Error("Check passed without a golden file")
	}
	if err := flag.Set("update", "true"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "pin", v.Bytes())
	if err := flag.Set("update", "false"); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(golden.Path("pin")); err != nil || string(data) != "a 0.1\nb 2\n" {
		t.Fatalf("written file %q (%v)", data, err)
	}
	golden.Check(t, "pin", v.Bytes())
	var moved golden.Values
	moved.Float("a", math.Nextafter(0.1, 1))
	moved.Float("b", 2)
	rec = &recorder{TB: t}
	golden.Check(rec, "pin", moved.Bytes())
	if !rec.failed {
		t.Error("negative control: a value moved by one ulp passed Check")
	}
	var same golden.Values // a change that keeps the file's length
	same.Float("a", 0.1)
	same.Float("b", 3)
	rec = &recorder{TB: t}
	golden.Check(rec, "pin", same.Bytes())
	if !rec.failed {
		t.Error("negative control: b = 3 instead of 2 passed Check")
	}
	entries, err := os.ReadDir("testdata")
	if err != nil || len(entries) != 1 {
		t.Errorf("testdata holds %v (%v), want the golden file alone (no temporary left)", entries, err)
	}
}
