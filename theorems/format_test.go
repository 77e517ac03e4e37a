package theorems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestFormatInterval: the calibrated slope interval [−0.495821, −0.420041]
// excludes −1/2 by 0.0042; two decimals ([−0.50, −0.42]) hide that, the
// formatter must not.
func TestFormatInterval(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		lo, hi float64
		refs   []float64
		want   string
	}{
		{-0.495821, -0.420041, []float64{-0.5}, "[−0.4958, −0.4200]"},
		{-0.495821, -0.420041, nil, "[−0.496, −0.420]"},
		{1.83639, 2.08522, []float64{2.5}, "[1.84, 2.09]"},
		{1.83639, 2.49991, []float64{2.5}, "[1.836390, 2.499910]"},
		{0.2574, inf, []float64{0.5}, "[0.257, +Inf]"},
		{-inf, 0.5, nil, "[−Inf, 0.500]"},
		{nan, nan, []float64{-0.5}, "[NaN, NaN]"},
		{nan, -0.42, []float64{-0.5}, "[NaN, −0.420]"},
		{-0.5, -0.4, []float64{-0.5}, "[−0.500, −0.400]"},
		{-1e-13, 1e-13, []float64{0}, "[0.000000000, 0.000000000]"},
	} {
		if got := FormatInterval(c.lo, c.hi, c.refs...); got != c.want {
			t.Errorf("FormatInterval(%v, %v, %v) = %q, want %q", c.lo, c.hi, c.refs, got, c.want)
		}
	}
}

// TestFormatIntervalKeepsSides: on random endpoints near a reference, the
// printed endpoint never lands on or across the reference unless it is
// within 1e-9 of it.
func TestFormatIntervalKeepsSides(t *testing.T) {
	r := newRand(1, 2)
	for i := 0; i < 2000; i++ {
		ref := -0.5
		x := ref + (r.Float64()-0.5)*math.Pow(10, -1-7*r.Float64())
		s := FormatValue(x, ref)
		back := parseFormatted(t, s)
		if math.Abs(x-ref) < 1e-9 {
			continue
		}
		if (back-ref)*(x-ref) <= 0 {
			t.Fatalf("FormatValue(%.17g, %g) = %s: printed value is not on the side of %g that x is", x, ref, s, ref)
		}
	}
}

func parseFormatted(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	neg := false
	if len(s) >= 3 && s[:3] == "−" {
		neg, s = true, s[3:]
	}
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	if neg {
		v = -v
	}
	return v
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		x    float64
		refs []float64
		want string
	}{
		{-0.462783, []float64{-0.5}, "−0.463"},
		{-0.4958, []float64{-0.5}, "−0.4958"},
		{1.97246, []float64{2.5}, "1.97"},
		{math.NaN(), []float64{2.5}, "NaN"},
		{math.Inf(1), nil, "+Inf"},
		{-0.0, nil, "0.00"},
		{1234.5, nil, "1234"},
	} {
		if got := FormatValue(c.x, c.refs...); got != c.want {
			t.Errorf("FormatValue(%v, %v) = %q, want %q", c.x, c.refs, got, c.want)
		}
	}
}

func TestContains(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		lo, hi, v float64
		in, ok    bool
		word      string
	}{
		{-0.4958, -0.42, -0.5, false, true, "no"},
		{-0.5, -0.42, -0.5, true, true, "yes"},
		{1.84, 2.09, 2.5, false, true, "no"},
		{nan, -0.42, -0.5, false, false, "undecided (NaN interval)"},
		{-0.6, nan, -0.5, false, false, "undecided (NaN interval)"},
		{-0.6, -0.4, nan, false, false, "undecided (NaN interval)"},
		{-0.4, -0.6, -0.5, false, false, "undecided (NaN interval)"},
		{0.26, math.Inf(1), 0.5, true, true, "yes"},
	} {
		in, ok := Contains(c.lo, c.hi, c.v)
		if in != c.in || ok != c.ok {
			t.Errorf("Contains(%v, %v, %v) = %v, %v; want %v, %v", c.lo, c.hi, c.v, in, ok, c.in, c.ok)
		}
		if w := ContainsWord(c.lo, c.hi, c.v); w != c.word {
			t.Errorf("ContainsWord(%v, %v, %v) = %q, want %q", c.lo, c.hi, c.v, w, c.word)
		}
	}
}

// TestFormatGapDigits: decimalsFor's contract, x − r shown with at
// least 2 significant digits: the printed value p of x (next to reference
// r) is within 5% of the gap |x − r| of x (rounding to 1 − ⌊log₁₀ g⌋
// decimals errs by ≤ ½·10^{⌊log₁₀ g⌋−1} ≤ g/20), for gaps above the
// 1e-9 cap; and FormatInterval gives both ends the larger of their digit
// counts, so each end meets the same bound.
// It kills mutants m2-format-interval-min-digits and m2-format-gap-digit of mutate/catalogue.txt.
func TestFormatGapDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 4))
	parse := func(s string) float64 {
		v, err := strconv.ParseFloat(strings.Replace(s, "−", "-", 1), 64)
		if err != nil {
			t.Fatalf("parse %q: %v", s, err)
		}
		return v
	}
	for i := 0; i < 20000; i++ {
		ref := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(7)-3))
		gap := math.Pow(10, -7*r.Float64()) * math.Abs(ref+1)
		x := ref + gap*float64(1-2*r.IntN(2))
		if !(math.Abs(x-ref) > 1e-7) {
			continue
		}
		s := FormatValue(x, ref)
		if p := parse(s); !(math.Abs(p-x) <= math.Abs(x-ref)/20*(1+1e-9)) {
			t.Fatalf("FormatValue(%v, ref %v) = %q: off x by %g, more than 5%% of the gap %g", x, ref, s, math.Abs(p-x), math.Abs(x-ref))
		}
		lo, hi := math.Min(x, ref+0.37), math.Max(x, ref+0.37)
		iv := FormatInterval(lo, hi, ref)
		ends := strings.Split(strings.Trim(iv, "[]"), ", ")
		for k, e := range []float64{lo, hi} {
			if g := math.Abs(e - ref); g > 1e-7 {
				if p := parse(ends[k]); !(math.Abs(p-e) <= g/20*(1+1e-9)) {
					t.Fatalf("FormatInterval(%v, %v, ref %v) = %q: end %d off by %g, gap %g", lo, hi, ref, iv, k, math.Abs(p-e), g)
				}
			}
		}
	}
}
