package theorems

import (
	"errors"
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/rng"
	"vitadv/model/valid"
)

// coverage returns the fraction of reps samples of n standard normals whose
// bootstrap interval of stat contains want.
func coverage(t *testing.T, reps, n, B int, stat func(x []float64, idx []int) float64, want float64) float64 {
	t.Helper()
	r := rng.New(42, rng.TestData)
	hit := 0
	for k := 0; k < reps; k++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		ci, err := Bootstrap([]int{n}, B, uint64(k), false, func(p [][]int) float64 { return stat(x, p[0]) })
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := Contains(ci.Lo, ci.Hi, want); ok && in {
			hit++
		}
	}
	return float64(hit) / float64(reps)
}

// TestBootstrapCoverage: the 95% interval of the mean of 50 standard normals
// covers 0 in about 95% of 300 samples (binomial sd 1.3%; the band
// [0.89, 0.99] is > 4 sd wide on the low side). Negative control: the
// interval of a statistic biased by +0.5 (3.5 standard errors)
// almost never covers 0, and the same check must say so.
func TestBootstrapCoverage(t *testing.T) {
	mean := func(x []float64, idx []int) float64 { return meanOf(x, idx) }
	c := coverage(t, 300, 50, 400, mean, 0)
	check.AtLeast(t, "coverage of the mean", c, 0.89)
	check.AtMost(t, "coverage of the mean", c, 0.99)
	biased := func(x []float64, idx []int) float64 { return meanOf(x, idx) + 0.5 }
	if cb := coverage(t, 100, 50, 400, biased, 0); !(cb < 0.2) {
		t.Errorf("control: coverage of a biased statistic = %g, want < 0.2 (the coverage check has no teeth)", cb)
	}
}

// TestBootstrapDropped: NaN and ±Inf statistics are counted, not silently
// skipped; more than MaxBootDrop of them is a *BootError; kept infinities
// are censored values that reach the quantile.
func TestBootstrapDropped(t *testing.T) {
	calls := 0
	every := func(nanEvery, infEvery int) func([][]int) float64 {
		calls = 0
		return func(p [][]int) float64 {
			calls++
			switch {
			case nanEvery > 0 && calls%nanEvery == 0:
				return math.NaN()
			case infEvery > 0 && calls%infEvery == 0:
				return math.Inf(1)
			}
			return float64(p[0][0])
		}
	}
	ci, err := Bootstrap([]int{10}, 1000, 1, false, every(50, 0))
	if err != nil {
		t.Fatalf("2%% NaN: err = %v, want an interval", err)
	}
	if ci.NaN != 20 || ci.Inf != 0 || ci.Kept != 980 || ci.Dropped() != 20 || ci.B != 1000 {
		t.Errorf("2%% NaN: counts %+v, want NaN 20, Inf 0, kept 980", ci)
	}
	check.Finite(t, "interval", []float64{ci.Lo, ci.Hi})

	// 2% NaN + 4% Inf = 6% > MaxBootDrop: refused, with the counts.
	ci, err = Bootstrap([]int{10}, 1000, 1, false, every(50, 20))
	var be *BootError
	if !errors.As(err, &be) {
		t.Fatalf("6%% dropped: err = %v, want *BootError", err)
	}
	// multiples of 50 are NaN; the other multiples of 20 (40 of them) Inf.
	if ci.NaN != 20 || ci.Inf != 40 || be.NaN != 20 || be.Inf != 40 {
		t.Errorf("counts %+v / %+v, want NaN 20, Inf 40", ci, be)
	}
	if !math.IsNaN(ci.Lo) || !math.IsNaN(ci.Hi) {
		t.Errorf("refused interval = [%g, %g], want NaN bounds", ci.Lo, ci.Hi)
	}

	ci, err = Bootstrap([]int{10}, 1000, 1, false, every(10, 0))
	if !errors.As(err, &be) || ci.NaN != 100 {
		t.Errorf("10%% NaN: err = %v, counts %+v; want *BootError with NaN 100", err, ci)
	}

	ci, err = Bootstrap([]int{10}, 1000, 1, true, every(0, 25))
	if err != nil {
		t.Fatalf("kept infinities: %v", err)
	}
	if ci.Censored != 40 || ci.Dropped() != 0 || !math.IsInf(ci.Hi, 1) || math.IsInf(ci.Lo, 0) {
		t.Errorf("kept infinities: %+v, want 40 censored, Hi = +Inf, finite Lo", ci)
	}

	if _, err := Bootstrap([]int{10}, 100, 1, false, func([][]int) float64 { return math.NaN() }); !errors.As(err, &be) {
		t.Errorf("all NaN: err = %v, want *BootError", err)
	}
}

// TestBootstrapDeterministic: same seed, same interval; another seed, another.
func TestBootstrapDeterministic(t *testing.T) {
	x := []float64{0.3, 1.2, -0.7, 2.2, 0.1, -1.5, 0.9, 0.4}
	stat := func(p [][]int) float64 { return meanOf(x, p[0]) }
	a, err := Bootstrap([]int{len(x)}, 500, 9, false, stat)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Bootstrap([]int{len(x)}, 500, 9, false, stat)
	if a != b {
		t.Errorf("same seed: %+v vs %+v", a, b)
	}
	c, _ := Bootstrap([]int{len(x)}, 500, 10, false, stat)
	if a.Lo == c.Lo && a.Hi == c.Hi {
		t.Errorf("seeds 9 and 10 give the same interval %+v: the seed is not used", a)
	}
}

// TestBootstrapBadInput: B ≤ 0, no strata, an empty stratum are *valid.Error.
func TestBootstrapBadInput(t *testing.T) {
	stat := func([][]int) float64 { return 0 }
	for _, c := range []struct {
		strata []int
		B      int
		field  string
	}{
		{[]int{3}, 0, "B"}, {[]int{3}, -5, "B"}, {nil, 10, "strata"}, {[]int{3, 0}, 10, "strata[1]"},
	} {
		ci, err := Bootstrap(c.strata, c.B, 1, false, stat)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("Bootstrap(%v, B=%d): err = %v, want *valid.Error on %s", c.strata, c.B, err, c.field)
		}
		if !math.IsNaN(ci.Lo) || !math.IsNaN(ci.Hi) {
			t.Errorf("Bootstrap(%v, B=%d) = [%g, %g], want NaN", c.strata, c.B, ci.Lo, ci.Hi)
		}
	}
}

// TestBootstrapStrata: resampling happens within strata: a statistic that
// reads stratum 1 only ever sees indices < strata[1].
func TestBootstrapStrata(t *testing.T) {
	ok := true
	_, err := Bootstrap([]int{5, 2}, 200, 3, false, func(p [][]int) float64 {
		if len(p[0]) != 5 || len(p[1]) != 2 {
			ok = false
		}
		for _, i := range p[1] {
			if i < 0 || i >= 2 {
				ok = false
			}
		}
		return float64(p[0][0])
	})
	if err != nil || !ok {
		t.Errorf("strata not respected (err %v)", err)
	}
}

// TestQuantileInf: interpolating next to an infinite order statistic gives
// the infinity, never NaN (Inf·0).
func TestQuantileInf(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		v    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, inf}, 0.975, inf},
		{[]float64{1, 2, inf}, 0.5, 2},
		{[]float64{-inf, 1, 2}, 0.1, -inf},
		{[]float64{inf, inf}, 0.5, inf},
		{[]float64{1, 3}, 0.5, 2},
	} {
		if got := Quantile(append([]float64(nil), c.v...), c.q); got != c.want {
			t.Errorf("Quantile(%v, %g) = %g, want %g", c.v, c.q, got, c.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Errorf("Quantile(empty) is not NaN")
	}
}

// TestSlopeAndCb: on outcomes that are benign exactly when c ≥ 2 at every
// N, CbOf is near 2 and SlopeOf near −1/2; with one outcome class both are
// NaN.
func TestSlopeAndCb(t *testing.T) {
	var outs []Outcome
	for _, n := range []int{4, 8, 16} {
		for j := -6; j <= 6; j++ {
			c := math.Pow(2, float64(j)/2)
			for s := uint64(1); s <= 3; s++ {
				outs = append(outs, Outcome{N: n, C: c, Seed: s, Benign: c >= 2})
			}
		}
	}
	check.Near(t, "CbOf", CbOf(outs), 1.7, 0.25, 0)
	check.Near(t, "SlopeOf", SlopeOf(outs), -0.5, 0, 0.02)
	for i := range outs {
		outs[i].Benign = true
	}
	if !math.IsNaN(CbOf(outs)) || !math.IsNaN(SlopeOf(outs)) {
		t.Errorf("all benign: CbOf = %g, SlopeOf = %g, want NaN", CbOf(outs), SlopeOf(outs))
	}
}

// TestCalibrateCollapseCensored: τ* censored (+Inf) on every seed of both
// d_h leaves the ratio (Inf/Inf) without an interval; that is reported as not
// decidable (NoInterval set, NaN bounds), not as an error of the whole fit.
func TestCalibrateCollapseCensored(t *testing.T) {
	inf := math.Inf(1)
	star := map[int][]float64{8: {inf, inf, inf}, 128: {inf, inf, 0.3}}
	fits, err := CalibrateCollapse([]int{8, 128}, star, 200, 7, "test")
	if err != nil {
		t.Fatal(err)
	}
	last := fits[len(fits)-1]
	if last.NoInterval == "" || !math.IsNaN(last.Lo) || !math.IsNaN(last.Hi) {
		t.Errorf("ratio with a censored d_h: %+v, want NaN interval and a reason", last)
	}
	if fits[0].NoInterval != "" || !math.IsInf(fits[0].Lo, 1) {
		t.Errorf("d_h = 8, all censored: %+v, want the censored interval [+Inf, +Inf] kept", fits[0])
	}
}

// TestFitBoundarySlopeSign pins the sign convention of LogitFit.Slope on a
// boundary whose slope is not −1/2 (TestFitBoundary's boundary has E = 0,
// where −1/2 ± E/(2B) coincide). Noiseless outcomes, benign ⇔
// c ≥ 2·(N/8)^{1/2}: log c* = log 2 + ½ log(N/8), and since SNR*² = c*/N,
// log SNR* = ½ log c* − ½ log N has slope ¼ − ½ = −¼ in log N.
// It kills mutant thm-slope-sign of mutate/catalogue.txt.
func TestFitBoundarySlopeSign(t *testing.T) {
	var outs []Outcome
	for _, n := range []int{4, 8, 16, 32, 64} {
		star := 2 * math.Sqrt(float64(n)/8)
		for j := -12; j <= 12; j++ {
			c := math.Pow(2, float64(j)/4+0.125)
			outs = append(outs, Outcome{N: n, C: c, Seed: 1, Benign: c >= star})
		}
	}
	f := FitBoundary(outs)
	check.Near(t, "Slope", f.Slope(), -0.25, 0, 0.05) // ridge bias, as TestFitBoundary
	check.Near(t, "log2 Boundary(32)/4", math.Log2(f.Boundary(32)/4), 0, 0, 0.25)
}

// TestBootstrapDropLimit: MaxBootDrop·B dropped resamples are allowed
// ("more than" refuses), one more is refused, and dropped ±Inf statistics
// are counted like NaN ones.
// It kills mutants m2-boot-drop-at-limit and m2-boot-inf-not-counted of mutate/catalogue.txt.
func TestBootstrapDropLimit(t *testing.T) {
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

// TestFitBoundary recovers the boundary of noiseless synthetic outcomes
// benign ⇔ c ≥ 2 (at every N): c* within one grid step (factor 2^(1/4))
// of 2, slope −1/2 within 0.05 (ridge bias).
func TestFitBoundary(t *testing.T) {
	var outs []Outcome
	for _, n := range []int{4, 8, 16} {
		for j := -8; j <= 8; j++ {
			c := math.Pow(2, float64(j)/2+0.25)
			outs = append(outs, Outcome{N: n, C: c, Seed: 1, Benign: c >= 2})
		}
	}
	f := FitBoundary(outs)
	if b := f.Boundary(8); math.Abs(math.Log2(b/2)) > 0.25 {
		t.Errorf("Boundary(8) = %g, want 2 within a factor 2^(1/4)", b)
	}
	if s := f.Slope(); math.Abs(s+0.5) > 0.05 {
		t.Errorf("Slope() = %g, want -0.5 ± 0.05", s)
	}
}

func TestQuantile(t *testing.T) {
	v := []float64{3, 1, 2, 4, 5}
	if q := Quantile(v, 0.5); q != 3 {
		t.Errorf("Quantile(0.5) = %g, want 3", q)
	}
	if q := Quantile(v, 0.25); q != 2 {
		t.Errorf("Quantile(0.25) = %g, want 2", q)
	}
}
