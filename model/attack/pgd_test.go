package attack

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// drawConfig draws a PGD configuration over every option: set, budget
// (zero included), steps, step size (default or explicit), random start,
// restarts and, optionally, per-sample budgets.
func drawConfig(t *rapid.T, n int) Config {
	c := Config{
		Set:         rapid.SampledFrom(Sets()).Draw(t, "set"),
		Tau:         drawTau(t, "tau"),
		Steps:       rapid.IntRange(1, 6).Draw(t, "steps"),
		RandomStart: rapid.Bool().Draw(t, "randomStart"),
		Restarts:    rapid.IntRange(0, 3).Draw(t, "restarts"),
		Seed:        rapid.Uint64().Draw(t, "seed"),
	}
	if rapid.Bool().Draw(t, "explicitStep") {
		c.StepSize = math.Ldexp(1, rapid.IntRange(-4, 2).Draw(t, "log2step"))
		if c.Tau == 0 {
			c.Tau = 1 // explicit steps with per-sample budgets need Tau > 0
		}
	}
	if rapid.Bool().Draw(t, "perSample") {
		c.Taus = make([]float64, n)
		for i := range c.Taus {
			c.Taus[i] = drawTau(t, fmt.Sprintf("taus%d", i))
		}
	}
	return c
}

// budget returns τ_i of a configuration.
func budget(c Config, i int) float64 {
	if len(c.Taus) > 0 {
		return c.Taus[i]
	}
	return c.Tau
}

func TestPGDStaysInBall(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, false)
		cfg := drawConfig(t, in.n)
		p, err := NewPGD(cfg, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatalf("NewPGD(%+v) = %v, want nil error", cfg, err)
		}
		xadv := make([]float64, len(in.x))
		x0 := append([]float64(nil), in.x...)
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
		S := in.M * in.m.D
		for i := 0; i < in.n; i++ {
			tau := budget(cfg, i)
			xi := sample(in.x, i, S)
			got := cfg.Set.Norm(diff(sample(xadv, i, S), xi), in.M)
			if slack := ballUlps * eps * (tau + norm2(xi)); !(got <= tau+slack) {
				t.Fatalf("%s.Norm(xadv_%d − x_%d) = %g, want <= τ = %g (+%g)", cfg.Set, i, i, got, tau, slack)
			}
		}
		for j := range x0 {
			if in.x[j] != x0[j] {
				t.Fatalf("Perturb modified x[%d] = %g, want %g", j, in.x[j], x0[j])
			}
		}
	})
}

func TestPGDBestIterate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, false)
		cfg := drawConfig(t, in.n)
		p, err := NewPGD(cfg, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatalf("NewPGD(%+v) = %v", cfg, err)
		}
		xadv := make([]float64, len(in.x))
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
		res := p.Result()
		clean := margins(in.m, in.x, in.y, in.n, in.M)
		adv := margins(in.m, xadv, in.y, in.n, in.M)
		for i := 0; i < in.n; i++ {
			if !(res.Loss[i] >= res.Start[i]) {
				t.Fatalf("Result.Loss[%d] = %g, want >= start loss %g", i, res.Loss[i], res.Start[i])
			}
			// The reported margin is that of the returned input (same batch,
			// same arithmetic: bit-identical).
			if res.Margin[i] != adv[i] {
				t.Fatalf("Result.Margin[%d] = %g, want y·f(xadv) = %g", i, res.Margin[i], adv[i])
			}
			if want := vit.Logistic(adv[i]); res.Loss[i] != want {
				t.Fatalf("Result.Loss[%d] = %g, want ℓ(y·f(xadv)) = %g", i, res.Loss[i], want)
			}
			if !cfg.RandomStart {
				if want := vit.Logistic(clean[i]); res.Start[i] != want {
					t.Fatalf("zero start: Result.Start[%d] = %g, want clean loss %g", i, res.Start[i], want)
				}
				if !(res.Margin[i] <= clean[i]) {
					t.Fatalf("zero start: Result.Margin[%d] = %g, want <= clean margin %g", i, res.Margin[i], clean[i])
				}
			}
		}
		runs := max(1, cfg.Restarts)
		want := Stats{Runs: runs, Steps: runs * cfg.Steps, GradEvals: runs * cfg.Steps, FuncEvals: runs * (cfg.Steps + 1)}
		if res.Stats != want {
			t.Fatalf("Result.Stats = %+v, want %+v", res.Stats, want)
		}
	})
}

// TestPGDDirectionMatchesInputGrad checks the premise of using ∂(−y f)/∂X:
// its steepest-ascent direction equals that of vit's InputGrad (the loss
// gradient) where ℓ' does not underflow.
func TestPGDDirectionMatchesInputGrad(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, false)
		set := rapid.SampledFrom(Sets()).Draw(t, "set")
		S := in.M * in.m.D
		ws := vit.NewWorkspace(in.m.Arch, in.M, in.n)
		gl := make([]float64, len(in.x))
		in.m.InputGrad(ws, in.x, in.y, in.n, gl)
		gm := make([]float64, len(in.x))
		coef := make([]float64, in.n)
		for i := range coef {
			coef[i] = -in.y[i]
		}
		in.m.Forward(ws, in.x, in.n)
		in.m.Backward(ws, in.x, in.n, coef, nil, gm)
		for i := 0; i < in.n; i++ {
			a := set.ascentTo(make([]float64, S), sample(gl, i, S), in.M)
			b := set.ascentTo(make([]float64, S), sample(gm, i, S), in.M)
			// 1e-9: the two gradients differ by the factor |ℓ'|, rounded
			// once per entry; normalization adds a few ulps. Sign steps
			// agree exactly unless an entry is within rounding of 0.
			if set == Linf {
				continue
			}
			if d := norm2(diff(a, b)); !(d <= 1e-9) {
				t.Fatalf("set=%s: ‖dir(∇ℓ) − dir(−y∇f)‖ = %g, want <= 1e-9", set, d)
			}
		}
	})
}

// oracleGap returns the largest relative gap, over the samples, between
// PGD's margin and the closed form computed by want.
func oracleGap(p *PGD, in instance, want func(x []float64, y float64) float64) (gap float64, got, ref float64) {
	xadv := make([]float64, len(in.x))
	p.Perturb(in.m, in.x, in.y, in.n, xadv)
	res := p.Result()
	S := in.M * in.m.D
	for i := 0; i < in.n; i++ {
		w := want(sample(in.x, i, S), in.y[i])
		scale := math.Max(math.Abs(w), math.Abs(LinearOutput(in.m, sample(in.x, i, S))))
		// NaN wins and sticks, so that a NaN margin fails every caller.
		if g := math.Abs(res.Margin[i]-w) / scale; !math.IsNaN(gap) && !(g < gap) {
			gap, got, ref = g, res.Margin[i], w
		}
	}
	return gap, got, ref
}

func TestPGDLinearOracle(t *testing.T) {
	const tau = 0.7
	for ci, in := range linearCases() {
		for _, set := range Sets() {
			name := fmt.Sprintf("case=%d M=%d D=%d set=%s", ci, in.M, in.m.D, set)
			p, err := NewPGD(Config{Set: set, Tau: tau, Steps: 20}, in.m.Arch, in.M, in.n)
			if err != nil {
				t.Fatal(err)
			}
			gap, got, want := oracleGap(p, in, func(x []float64, y float64) float64 {
				return LinearWorstMargin(in.m, x, y, set, tau)
			})
			if !(gap <= tolPGD) {
				t.Errorf("%s: PGD-20 margin = %.10g, want LinearWorstMargin = %.10g (rel gap %.2g > %g)", name, got, want, gap, tolPGD)
			}
		}
	}
}

// TestPGDLinearOracleControl: the oracle comparison can fail. A wrong
// constant in the closed form, and a PGD that descends instead of ascends,
// must both be rejected.
func TestPGDLinearOracleControl(t *testing.T) {
	const tau = 0.7
	in := linearCases()[0] // M = 5, so /M, /√M and 1 differ
	u := in.m.ValueVector(make([]float64, in.m.D))
	wrong := map[Set]func(x []float64, y float64) float64{
		Frobenius: func(x []float64, y float64) float64 { return y*LinearOutput(in.m, x) - tau*norm2(u)/float64(in.M) },
		PerToken: func(x []float64, y float64) float64 {
			return y*LinearOutput(in.m, x) - tau*norm2(u)/math.Sqrt(float64(in.M))
		},
		SignalToken: func(x []float64, y float64) float64 {
			return y*LinearOutput(in.m, x) - tau*norm2(u)/math.Sqrt(float64(in.M))
		},
		Linf: func(x []float64, y float64) float64 { return y*LinearOutput(in.m, x) - tau*norm2(u) },
	}
	for _, set := range Sets() {
		p, err := NewPGD(Config{Set: set, Tau: tau, Steps: 20}, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		if gap, got, want := oracleGap(p, in, wrong[set]); !(gap > tolPGD) {
			t.Errorf("set=%s wrong constant: PGD margin = %g matched wrong closed form %g (gap %g), want a failure", set, got, want, gap)
		}
		p.ascent = -1 // wrong gradient sign: descends the loss
		right := func(x []float64, y float64) float64 { return LinearWorstMargin(in.m, x, y, set, tau) }
		if gap, got, want := oracleGap(p, in, right); !(gap > tolPGD) {
			t.Errorf("set=%s wrong sign: PGD margin = %g matched closed form %g (gap %g), want a failure", set, got, want, gap)
		}
	}
}

// TestFGSMLinear: on the uniform-attention model one steepest-ascent step
// of size τ from zero solves every set's problem exactly: the gradient is
// the constant −y·1uᵀ/M, whose sign (ℓ∞) or normalized rows (ℓ₂ sets) are Δ*.
func TestFGSMLinear(t *testing.T) {
	const tau = 0.3
	for ci, in := range linearCases() {
		for _, set := range Sets() {
			p, err := NewPGD(FGSM(set, tau), in.m.Arch, in.M, in.n)
			if err != nil {
				t.Fatal(err)
			}
			gap, got, want := oracleGap(p, in, func(x []float64, y float64) float64 { return LinearWorstMargin(in.m, x, y, set, tau) })
			if !(gap <= tolTight) {
				t.Errorf("case=%d FGSM(%s, τ=%g) margin = %.15g, want %.15g (rel gap %g)", ci, set, tau, got, want, gap)
			}
		}
	}
}

func TestPGDAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation may allocate")
	}
	a := vit.Arch{D: 8, Dh: 4, Dv: 4}
	in := newInstance(a, 4, 4, 0.5, 1, 7, false)
	for _, set := range Sets() {
		cfg := Config{Set: set, Tau: 0.5, Steps: 5, RandomStart: true, Restarts: 2, Seed: 1}
		p, err := NewPGD(cfg, a, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		taus := []float64{0.1, 0.2, 0.3, 0.4}
		got := testing.AllocsPerRun(20, func() {
			p.Perturb(in.m, in.x, in.y, in.n, xadv)
			_ = p.Result()
			if err := p.SetTaus(taus); err != nil {
				t.Fatal(err)
			}
		})
		if got != 0 {
			t.Errorf("set=%s: allocs per Perturb = %g, want 0", set, got)
		}
	}
}

func TestNewPGDConfigErrors(t *testing.T) {
	a := vit.Arch{D: 4, Dh: 2, Dv: 2}
	good := Config{Tau: 1, Steps: 3}
	tests := []struct {
		name    string
		cfg     Config
		arch    vit.Arch
		M, cap  int
		field   string
		wantBad any
	}{
		{"negative tau", Config{Tau: -1, Steps: 3}, a, 2, 1, "Tau", -1.0},
		{"NaN tau", Config{Tau: math.NaN(), Steps: 3}, a, 2, 1, "Tau", nil},
		{"Inf tau", Config{Tau: math.Inf(1), Steps: 3}, a, 2, 1, "Tau", math.Inf(1)},
		{"zero steps", Config{Tau: 1}, a, 2, 1, "Steps", 0},
		{"unknown set", Config{Set: "l3", Tau: 1, Steps: 3}, a, 2, 1, "Set", "l3"},
		{"negative step", Config{Tau: 1, Steps: 3, StepSize: -0.1}, a, 2, 1, "StepSize", -0.1},
		{"negative restarts", Config{Tau: 1, Steps: 3, Restarts: -1}, a, 2, 1, "Restarts", -1},
		{"bad per-sample tau", Config{Tau: 1, Steps: 3, Taus: []float64{0.5, -2}}, a, 2, 2, "Taus[1]", -2.0},
		{"Taus length", Config{Tau: 1, Steps: 3, Taus: []float64{0.5}}, a, 2, 2, "Taus", 1},
		{"step with Taus, Tau 0", Config{Steps: 3, StepSize: 0.1, Taus: []float64{1}}, a, 2, 1, "Tau", 0.0},
		{"M", good, a, 0, 1, "M", 0},
		{"capacity", good, a, 2, 0, "capacity", 0},
		{"arch", good, vit.Arch{D: 0, Dh: 1, Dv: 1}, 2, 1, "D", 0},
	}
	for _, tc := range tests {
		_, err := NewPGD(tc.cfg, tc.arch, tc.M, tc.cap)
		var ve *valid.Error
		if !errors.As(err, &ve) {
			t.Errorf("%s: NewPGD error = %v, want *valid.Error", tc.name, err)
			continue
		}
		if ve.Field != tc.field {
			t.Errorf("%s: NewPGD error field = %q, want %q", tc.name, ve.Field, tc.field)
		}
		if tc.wantBad != nil && ve.Value != tc.wantBad {
			t.Errorf("%s: NewPGD error value = %v, want %v", tc.name, ve.Value, tc.wantBad)
		}
	}
	p, err := NewPGD(good, a, 2, 2)
	if err != nil {
		t.Fatalf("NewPGD(%+v) = %v, want nil", good, err)
	}
	var ve *valid.Error
	if err := p.SetTau(-1); !errors.As(err, &ve) || ve.Field != "Tau" {
		t.Errorf("SetTau(-1) = %v, want *valid.Error on Tau", err)
	}
	if err := p.SetTaus([]float64{1}); !errors.As(err, &ve) || ve.Field != "Taus" {
		t.Errorf("SetTaus(len 1, capacity 2) = %v, want *valid.Error on Taus", err)
	}
}

func TestPGDDeterministic(t *testing.T) {
	a := vit.Arch{D: 6, Dh: 3, Dv: 3}
	in := newInstance(a, 3, 3, 0.7, 1, 21, false)
	run := func(p *PGD) []float64 {
		xadv := make([]float64, len(in.x))
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
		return xadv
	}
	for _, set := range Sets() {
		cfg := Config{Set: set, Tau: 0.4, Steps: 4, RandomStart: true, Restarts: 3, Seed: 5}
		p1, _ := NewPGD(cfg, a, in.M, in.n)
		p2, _ := NewPGD(cfg, a, in.M, in.n)
		a1, a2 := run(p1), run(p2)
		for j := range a1 {
			if math.Float64bits(a1[j]) != math.Float64bits(a2[j]) {
				t.Fatalf("set=%s seed=5: xadv[%d] = %x and %x, want identical bits", set, j, math.Float64bits(a1[j]), math.Float64bits(a2[j]))
			}
		}
		// Premise: the starts are random, so another seed must differ.
		cfg.Seed = 6
		p3, _ := NewPGD(cfg, a, in.M, in.n)
		a3 := run(p3)
		same := true
		for j := range a1 {
			same = same && a1[j] == a3[j]
		}
		if same {
			t.Errorf("set=%s: seeds 5 and 6 gave identical xadv, want different random starts", set)
		}
		// Reseed restores the stream.
		p1.Reseed(5)
		if b := run(p1); !equalBits(a1, b) {
			t.Errorf("set=%s: after Reseed(5) xadv differs from the first run", set)
		}
	}
}

func equalBits(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestPGDPanics(t *testing.T) {
	a := vit.Arch{D: 4, Dh: 2, Dv: 2}
	in := newInstance(a, 2, 2, 0.5, 1, 3, false)
	p, _ := NewPGD(Config{Tau: 1, Steps: 2}, a, in.M, 1)
	for name, f := range map[string]func(){
		"n > capacity": func() { p.Perturb(in.m, in.x, in.y, 2, make([]float64, len(in.x))) },
		"short xadv":   func() { p.Perturb(in.m, in.x, in.y, 1, make([]float64, 3)) },
		"alias":        func() { p.Perturb(in.m, in.x, in.y, 1, in.x) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Perturb did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestPGDRestartsAreRandom pins Config.Restarts: runs after the first
// start at a uniform random point of the ball drawn from the Seed's stream
// (docs/THEORY.md §3.2, EvalConfig's "a zero start and four uniform random
// starts"). A restart that started at Δ = 0 again would repeat the first
// run bit for bit, so the result would not depend on Seed.
//
// Instance: a random non-uniform model, Frobenius budget τ = 1/2 and a
// single step of size 1e-6, so the zero-start run barely moves and the
// random starts (radius ≈ τ) decide the best iterate of most samples.
// It kills mutant atk-pgd-restarts-zero-start of mutate/catalogue.txt.
func TestPGDRestartsAreRandom(t *testing.T) {
	in := newInstance(vit.Arch{D: 4, Dh: 2, Dv: 2}, 3, 6, 0.5, 1, 7, false)
	run := func(restarts int, seed uint64) (xadv, loss []float64) {
		p, err := NewPGD(Config{Set: Frobenius, Tau: 0.5, Steps: 1, StepSize: 1e-6, Restarts: restarts, Seed: seed}, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv = make([]float64, len(in.x))
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
		return xadv, slices.Clone(p.Result().Loss)
	}
	// Control: one run from Δ = 0 does not read the stream.
	a1, l1 := run(1, 1)
	b1, _ := run(1, 2)
	if !slices.Equal(a1, b1) {
		t.Fatal("a single zero-start run depends on Seed")
	}
	a3, l3 := run(3, 1)
	b3, _ := run(3, 2)
	if slices.Equal(a3, b3) {
		t.Error("with Restarts = 3 the result does not depend on Seed: the restarts are not random")
	}
	better := 0
	for i := range l1 {
		if !(l3[i] >= l1[i]) {
			t.Errorf("sample %d: loss with restarts %g < single-run loss %g (the best iterate must include the first run)", i, l3[i], l1[i])
		}
		if l3[i] > l1[i] {
			better++
		}
	}
	if better == 0 {
		t.Error("no random restart improved on the near-stationary zero-start run for any of the samples")
	}
}
