package theorems

import (
	"math"
	"strconv"
	"strings"
)

// maxDecimals caps the decimals FormatInterval prints: past 1e-9 a
// difference between an endpoint and a reference is rounding noise, and the
// endpoint is printed as equal to it (Contains still decides exactly).
const maxDecimals = 9

// decimalsFor returns the decimals that print x with 3 significant digits
// and, for every reference r, show x − r with at least 2 significant digits
// (so that rounding never moves x onto or across r: the digits that decide
// "does the interval contain r" are printed).
func decimalsFor(x float64, refs []float64) int {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	d := 2
	if x != 0 {
		d = max(0, 2-int(math.Floor(math.Log10(math.Abs(x)))))
	}
	for _, r := range refs {
		g := math.Abs(x - r)
		if math.IsNaN(g) || math.IsInf(g, 0) || g == 0 {
			continue
		}
		d = max(d, 1-int(math.Floor(math.Log10(g))))
	}
	return min(d, maxDecimals)
}

// fmtNum prints x with d decimals, a Unicode minus and NaN/±Inf spelled out.
func fmtNum(x float64, d int) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "−Inf"
	}
	s := strconv.FormatFloat(x, 'f', d, 64)
	if strings.Trim(s, "-0.") == "" { // −0.000 prints as 0.000
		s = strings.TrimPrefix(s, "-")
	}
	return strings.Replace(s, "-", "−", 1)
}

// FormatValue prints x with the digits that decide its comparison with each
// reference value refs (3 significant digits at least; more when x is close
// to a reference, so that x − r shows 2 significant digits). NaN prints
// "NaN", infinities "+Inf"/"−Inf".
func FormatValue(x float64, refs ...float64) string {
	return fmtNum(x, decimalsFor(x, refs))
}

// FormatInterval prints [lo, hi] with one number of decimals for both
// endpoints, enough that every reference value in refs keeps its side of
// each endpoint after rounding: [−0.4958, −0.4200] around −1/2 (not
// [−0.50, −0.42], which looks as if it contained −1/2).
func FormatInterval(lo, hi float64, refs ...float64) string {
	d := max(decimalsFor(lo, refs), decimalsFor(hi, refs))
	return "[" + fmtNum(lo, d) + ", " + fmtNum(hi, d) + "]"
}

// Contains reports whether lo ≤ v ≤ hi. ok is false when any of the three
// is NaN or lo > hi: such an interval decides nothing.
func Contains(lo, hi, v float64) (in, ok bool) {
	if !(lo <= hi) || math.IsNaN(v) {
		return false, false
	}
	return lo <= v && v <= hi, true
}

// ContainsWord is Contains in words for a table cell: "yes", "no" or
// "undecided (NaN interval)".
func ContainsWord(lo, hi, v float64) string {
	in, ok := Contains(lo, hi, v)
	switch {
	case !ok:
		return "undecided (NaN interval)"
	case in:
		return "yes"
	}
	return "no"
}
