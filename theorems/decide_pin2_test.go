package theorems

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestDecideEdgesPin2: the closed ends of the two decisions. A bracket
// whose upper end sits exactly on the floor of "x ≥ min" still allows
// x = min (the claim may hold): undecided, not refuted; a lower end on
// the floor certifies. The refutation needs ub < min strictly.
func TestDecideEdgesPin2(t *testing.T) {
	for _, c := range []struct {
		name string
		got  Decision
		want Decision
	}{
		{"at least: ub at min", DecideAtLeast(0.3, 0.5, 0.5), Undecided},
		{"at least: point bracket at min", DecideAtLeast(0.5, 0.5, 0.5), Certified},
		{"at least: ub one ulp below min", DecideAtLeast(0.3, math.Nextafter(0.5, 0), 0.5), Refuted},
		{"at most: lb at max", DecideAtMost(0.5, 0.7, 0.5), Undecided},
		{"at most: lb one ulp above max", DecideAtMost(math.Nextafter(0.5, 1), 0.7, 0.5), Refuted},
		{"at most: point bracket at max", DecideAtMost(0.5, 0.5, 0.5), Certified},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}

// TestBootstrapDropLimitPin2: MaxBootDrop·B dropped resamples are allowed
// ("more than" refuses), one more is refused, and dropped ±Inf statistics
// are counted like NaN ones.
func TestBootstrapDropLimitPin2(t *testing.T) {
	const B = 200
	limit := int(MaxBootDrop * B) // 10
	run := func(nNaN, nInf int, keepInf bool) (BootCI, error) {
		calls := 0
		return Bootstrap([]int{5}, B, 1, keepInf, func(pick [][]int) float64 {
			calls++
			switch {
			case calls <= nNaN:
				return math.NaN()
			case calls <= nNaN+nInf:
				return math.Inf(1)
			}
			return float64(pick[0][0])
		})
	}
	ci, err := run(limit, 0, false)
	if err != nil || ci.NaN != limit || ci.Kept != B-limit {
		t.Errorf("%d NaN of %d (= MaxBootDrop·B): %+v, %v; want accepted with %d kept", limit, B, ci, err, B-limit)
	}
	var be *BootError
	if _, err := run(limit+1, 0, false); !errors.As(err, &be) {
		t.Errorf("%d NaN of %d: err %v, want *BootError", limit+1, B, err)
	}
	ci, err = run(0, limit+1, false)
	if !errors.As(err, &be) || ci.Inf != limit+1 || be.Inf != limit+1 {
		t.Errorf("%d +Inf of %d, keepInf false: %+v, %v; want *BootError counting %d Inf", limit+1, B, ci, err, limit+1)
	}
	ci, err = run(limit/2, limit/2, false)
	if err != nil || ci.Dropped() != 2*(limit/2) || ci.Inf != limit/2 {
		t.Errorf("%d NaN + %d Inf: %+v, %v; want accepted, both counted", limit/2, limit/2, ci, err)
	}
	ci, err = run(0, limit+1, true)
	if err != nil || ci.Censored != limit+1 || ci.Inf != 0 {
		t.Errorf("%d +Inf kept as censored: %+v, %v", limit+1, ci, err)
	}
}

// TestFormatGapDigitsPin2: decimalsFor's contract, x − r shown with at
// least 2 significant digits: the printed value p of x (next to reference
// r) is within 5% of the gap |x − r| of x (rounding to 1 − ⌊log₁₀ g⌋
// decimals errs by ≤ ½·10^{⌊log₁₀ g⌋−1} ≤ g/20), for gaps above the
// 1e-9 cap; and FormatInterval gives both ends the larger of their digit
// counts, so each end meets the same bound.
func TestFormatGapDigitsPin2(t *testing.T) {
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

// TestConstsPositiveZeroPin2: the constants that must be > 0 refuse 0
// (a zero boundary makes log-grids and ratios meaningless).
func TestConstsPositiveZeroPin2(t *testing.T) {
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
