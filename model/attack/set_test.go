package attack

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

func TestProjectLandsInBallAndIsIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		set := rapid.SampledFrom(Sets()).Draw(t, "set")
		M := rapid.IntRange(1, 5).Draw(t, "M")
		D := rapid.IntRange(1, 8).Draw(t, "D")
		tau := drawTau(t, "tau")
		scale := math.Ldexp(1, rapid.IntRange(-3, 3).Draw(t, "log2scale"))
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 3))
		d := make([]float64, M*D)
		for i := range d {
			d[i] = scale * r.NormFloat64()
		}
		orig := append([]float64(nil), d...)
		set.Project(d, M, tau)
		if got := set.Norm(d, M); !(got <= tau*(1+ballUlps*eps)) {
			t.Fatalf("%s.Norm(Project(Δ, τ=%g)) = %g, want <= τ", set, tau, got)
		}
		if set.Norm(orig, M) <= tau {
			for i := range d {
				if d[i] != orig[i] {
					t.Fatalf("%s.Project moved a point inside the ball: [%d] = %g, want %g", set, i, d[i], orig[i])
				}
			}
		}
		// Euclidean projection: Π(Δ) is at least as close to Δ as any point
		// of the set we can name — here a random point of the ball.
		q := set.RandomTo(make([]float64, M*D), M, tau, r)
		if a, b := norm2(diff(orig, d)), norm2(diff(orig, q)); !(a <= b*(1+1e-12)+1e-300) {
			t.Fatalf("%s: ‖Δ − Π(Δ)‖ = %g, want <= ‖Δ − q‖ = %g for q in the ball", set, a, b)
		}
	})
}

func TestNormSignalTokenSupport(t *testing.T) {
	d := []float64{3, 4, 0, 0}
	if got := SignalToken.Norm(d, 2); got != 5 {
		t.Errorf("SignalToken.Norm(%v, M=2) = %g, want 5", d, got)
	}
	d[3] = 1e-300
	if got := SignalToken.Norm(d, 2); !math.IsInf(got, 1) {
		t.Errorf("SignalToken.Norm(%v, M=2) = %g, want +Inf (row 1 moved)", d, got)
	}
	if got := PerToken.Norm(d, 2); got != 5 {
		t.Errorf("PerToken.Norm(%v, M=2) = %g, want 5", d, got)
	}
	if got := Linf.Norm(d, 2); got != 4 {
		t.Errorf("Linf.Norm(%v, M=2) = %g, want 4", d, got)
	}
}

func TestNorm2Extremes(t *testing.T) {
	for _, s := range []float64{1e-300, 1, 1e300} {
		v := []float64{3 * s, 4 * s}
		if got, want := norm2(v), 5*s; !(math.Abs(got-want) <= 4*eps*want) {
			t.Errorf("norm2(%v) = %g, want %g", v, got, want)
		}
	}
}

// radiusFraction returns the fraction of draws with ‖δ‖ ≤ τ·q^{1/n} (n the
// ball dimension) for each ball of each start; for a uniform draw it is q.
func radiusFraction(draw func(dst []float64), set Set, M, D int, tau, q float64, trials int) float64 {
	n := float64(set.BallDim(M, D))
	cut := tau * math.Pow(q, 1/n)
	d := make([]float64, M*D)
	hit, total := 0, 0
	for range trials {
		draw(d)
		balls := [][]float64{d}
		switch set {
		case SignalToken:
			balls = [][]float64{d[:D]}
		case PerToken:
			balls = nil
			for l := 0; l < M; l++ {
				balls = append(balls, d[l*D:(l+1)*D])
			}
		}
		for _, b := range balls {
			if norm2(b) <= cut {
				hit++
			}
			total++
		}
	}
	return float64(hit) / float64(total)
}

// uniformRadiusTo is the known bug (adversarial-attacks-pytorch issue 161):
// a uniform direction times a uniform radius. Control only.
func uniformRadiusTo(dst []float64, tau float64, r *rand.Rand) {
	for i := range dst {
		dst[i] = r.NormFloat64()
	}
	c := tau * r.Float64() / norm2(dst)
	for i := range dst {
		dst[i] *= c
	}
}

func TestRandomStartUniform(t *testing.T) {
	const (
		M, D   = 2, 4 // ball dimensions 8 (Frobenius) and 4 (one token)
		tau    = 0.75
		trials = 4000
	)
	for _, set := range []Set{Frobenius, SignalToken, PerToken} {
		for _, q := range []float64{0.25, 0.5, 0.75} {
			r := rand.New(rand.NewPCG(11, 12))
			got := radiusFraction(func(d []float64) { set.RandomTo(d, M, tau, r) }, set, M, D, tau, q, trials)
			balls := trials
			if set == PerToken {
				balls *= M
			}
			band := sigmas * math.Sqrt(q*(1-q)/float64(balls))
			if !(math.Abs(got-q) <= band) {
				t.Errorf("set=%s: P(‖δ‖ ≤ τ·%g^{1/n}) = %.4f, want %.4f ± %.4f", set, q, got, q, band)
			}
		}
	}
	// Control: the uniform-radius sampler must fail the same check.
	r := rand.New(rand.NewPCG(11, 12))
	q := 0.5
	got := radiusFraction(func(d []float64) { uniformRadiusTo(d, tau, r) }, Frobenius, M, D, tau, q, trials)
	if band := sigmas * math.Sqrt(q*(1-q)/trials); !(math.Abs(got-q) > band) {
		t.Errorf("control (uniform radius): P(‖δ‖ ≤ τ·2^{-1/n}) = %.4f within %.4f ± %.4f, want outside (check cannot fail)", got, q, band)
	}
}

func TestRandomStartLinfUniform(t *testing.T) {
	const (
		M, D, tau, trials = 3, 4, 0.5, 1000
	)
	r := rand.New(rand.NewPCG(13, 14))
	d := make([]float64, M*D)
	// Each entry is U(−τ, τ): P(|Δ| ≤ τ/2) = 1/2 and P(Δ > 0) = 1/2.
	inner, pos, total := 0, 0, 0
	for range trials {
		Linf.RandomTo(d, M, tau, r)
		for _, v := range d {
			if !(math.Abs(v) <= tau) {
				t.Fatalf("Linf.RandomTo entry = %g, want |·| <= %g", v, tau)
			}
			if math.Abs(v) <= tau/2 {
				inner++
			}
			if v > 0 {
				pos++
			}
			total++
		}
	}
	band := sigmas * math.Sqrt(0.25/float64(total))
	for name, c := range map[string]int{"|Δ| <= τ/2": inner, "Δ > 0": pos} {
		if got := float64(c) / float64(total); !(math.Abs(got-0.5) <= band) {
			t.Errorf("Linf.RandomTo: P(%s) = %.4f, want 0.5 ± %.4f", name, got, band)
		}
	}
}

func TestRandomStartSignalTokenSupport(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	d := make([]float64, 3*4)
	for i := range d {
		d[i] = 1 // stale content must be cleared
	}
	SignalToken.RandomTo(d, 3, 2, r)
	if got := SignalToken.Norm(d, 3); !(got <= 2) {
		t.Errorf("SignalToken.Norm(RandomTo(τ=2)) = %g, want <= 2 with rows 1.. zero", got)
	}
}

func TestSetValidate(t *testing.T) {
	for _, s := range append(Sets(), "") {
		if err := s.Validate(); err != nil {
			t.Errorf("Set(%q).Validate() = %v, want nil", s, err)
		}
	}
	if err := Set("l3").Validate(); err == nil {
		t.Errorf(`Set("l3").Validate() = nil, want error`)
	}
	if got := fmt.Sprint(Set("").orDefault()); got != string(Frobenius) {
		t.Errorf(`Set("").orDefault() = %s, want %s`, got, Frobenius)
	}
}
