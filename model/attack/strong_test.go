package attack

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// quickStrong is a cheap configuration with every stage on, for tests
// that check properties of the procedure rather than its strength.
func quickStrong(set Set, tau float64, seed uint64) StrongConfig {
	return StrongConfig{Set: set, Tau: tau, Seed: seed, Steps: 8, Temps: []float64{4}, Restarts: 2, Rounds: 2, Improve: 1e-3, LocalSteps: 5}
}

// signalsFor returns μ₊ = mu·e₁, μ₋ = mu·e₂ in dimension D (D ≥ 2), or
// zero signals of length D when D = 1.
func signalsFor(D int, mu float64) data.Signals {
	p, m := make([]float64, D), make([]float64, D)
	p[0] = mu
	if D > 1 {
		m[1] = mu
	}
	return data.Signals{Plus: p, Minus: m}
}

// TestStrongConfigValidate: every bad field of StrongConfig and of
// NewStrong's arguments is a *valid.Error naming it; the default and
// reference settings are valid.
func TestStrongConfigValidate(t *testing.T) {
	arch := vit.Arch{D: 4, Dh: 2, Dv: 2}
	sig := signalsFor(4, 1)
	good := DefaultStrong(PerToken, 0.5, 1)
	if err := good.Validate(); err != nil {
		t.Fatalf("DefaultStrong: %v", err)
	}
	if err := ReferenceStrong(Linf, 0.5, 1).Validate(); err != nil {
		t.Fatalf("ReferenceStrong: %v", err)
	}
	for _, c := range []struct {
		field string
		mod   func(*StrongConfig)
	}{
		{"Set", func(c *StrongConfig) { c.Set = "l3" }},
		{"Tau", func(c *StrongConfig) { c.Tau = -1 }},
		{"Tau", func(c *StrongConfig) { c.Tau = math.Inf(1) }},
		{"Tau", func(c *StrongConfig) { c.Tau = math.NaN() }},
		{"Steps", func(c *StrongConfig) { c.Steps = 0 }},
		{"Restarts", func(c *StrongConfig) { c.Restarts = -1 }},
		{"Rounds", func(c *StrongConfig) { c.Rounds = -2 }},
		{"Stride", func(c *StrongConfig) { c.Stride = -1 }},
		{"Improve", func(c *StrongConfig) { c.Improve = math.NaN() }},
		{"Small", func(c *StrongConfig) { c.Small = -0.5 }},
		{"LocalSteps", func(c *StrongConfig) { c.LocalSteps = -1 }},
		{"Temps[1]", func(c *StrongConfig) { c.Temps = []float64{4, 1} }},
		{"Temps[0]", func(c *StrongConfig) { c.Temps = []float64{math.Inf(1)} }},
		{"Temps[0]", func(c *StrongConfig) { c.Temps = []float64{math.NaN()} }},
	} {
		cfg := good
		cfg.Temps = slices.Clone(good.Temps)
		c.mod(&cfg)
		_, err := NewStrong(cfg, sig, arch, 2, 3)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("NewStrong with bad %s: error %v, want a *valid.Error on %s", c.field, err, c.field)
		}
	}
	for _, c := range []struct {
		field string
		call  func() error
	}{
		{"Signals", func() error { _, err := NewStrong(good, signalsFor(3, 1), arch, 2, 3); return err }},
		{"M", func() error { _, err := NewStrong(good, sig, arch, 0, 3); return err }},
		{"capacity", func() error { _, err := NewStrong(good, sig, arch, 2, 0); return err }},
		{"Dh", func() error { _, err := NewStrong(good, sig, vit.Arch{D: 4, Dv: 2}, 2, 3); return err }},
	} {
		err := c.call()
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("NewStrong with bad %s: error %v, want a *valid.Error on %s", c.field, err, c.field)
		}
	}
}

// TestCosHalf: the schedule's rounding-explicit cosine agrees with
// (1 + cos πt)/2 of package math to 4 ulps of 1 on a grid of t in [0, 1];
// control: the same comparison rejects the linear schedule 1 − t.
func TestCosHalf(t *testing.T) {
	const tol = 4 * 0x1p-52
	far := 0
	for k := 0; k <= 1000; k++ {
		x := float64(k) / 1000
		want := (1 + math.Cos(math.Pi*x)) / 2
		if got := cosHalf(x); !(math.Abs(got-want) <= tol) {
			t.Errorf("cosHalf(%g) = %.17g, want %.17g", x, got, want)
		}
		if !(math.Abs((1-x)-want) <= tol) {
			far++
		}
	}
	if far < 900 {
		t.Errorf("control: the linear schedule passed the comparison at %d of 1001 points", 1001-far)
	}
}

// TestStrongLinearCollapse is P10 for the strong attack (docs/THEORY.md
// §3.3): on uniform-attention models the minimum margin over B(τ) is the
// closed form LinearWorstMargin, and Strong must land on it — not below
// (it is the exact minimum) and not above (Δ_lin is one of its starts) —
// to rounding, in every set. Control: the closed form at 1.01τ is out of
// reach of an attack at τ.
func TestStrongLinearCollapse(t *testing.T) {
	for k, in := range linearCases() {
		S := in.M * in.m.D
		for _, set := range Sets() {
			tau := 0.75
			st, err := NewStrong(quickStrong(set, tau, uint64(k)), signalsFor(in.m.D, 2), in.m.Arch, in.M, in.n)
			if err != nil {
				t.Fatal(err)
			}
			xadv := make([]float64, len(in.x))
			st.Perturb(in.m, in.x, in.y, in.n, xadv)
			for i := 0; i < in.n; i++ {
				x := sample(in.x, i, S)
				want := LinearWorstMargin(in.m, x, in.y[i], set, tau)
				got := st.Result().Margin[i]
				scale := 1 + math.Abs(want) + tau*norm2(in.m.ValueVector(make([]float64, in.m.D)))*float64(S)
				if !(math.Abs(got-want) <= 64*eps*scale) {
					t.Errorf("case %d set=%s point %d: Strong margin %.17g, closed form %.17g", k, set, i, got, want)
				}
				beyond := LinearWorstMargin(in.m, x, in.y[i], set, 1.01*tau)
				if math.Abs(got-beyond) <= 64*eps*scale && want != beyond {
					t.Errorf("control: case %d set=%s point %d: the margin at 1.01τ (%g) passed the comparison", k, set, i, beyond)
				}
			}
		}
	}
}

// TestStrongWitness: on random small models, every returned point lies in
// B(τ) as a reader computes it (Set.Norm(xadv − x) ≤ τ, no slack), the
// reported margin is y·f(xadv) from Forward bit for bit, and it is at most
// the clean margin and the margins of the midpoint, erase and
// linear-collapse starts.
func TestStrongWitness(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, false)
		set := rapid.SampledFrom(Sets()).Draw(t, "set")
		tau := drawTau(t, "tau")
		seed := rapid.Uint64().Draw(t, "seed")
		S := in.M * in.m.D
		sig := signalsFor(in.m.D, 1)
		st, err := NewStrong(quickStrong(set, tau, seed), sig, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		st.Perturb(in.m, in.x, in.y, in.n, xadv)
		res := st.Result()
		got := margins(in.m, xadv, in.y, in.n, in.M)
		clean := margins(in.m, in.x, in.y, in.n, in.M)
		for i := 0; i < in.n; i++ {
			x, xa := sample(in.x, i, S), sample(xadv, i, S)
			if nrm := set.Norm(diff(xa, x), in.M); !(nrm <= tau) {
				t.Fatalf("point %d: Set.Norm(xadv − x) = %.17g > τ = %.17g", i, nrm, tau)
			}
			if res.Margin[i] != got[i] {
				t.Fatalf("point %d: reported margin %.17g, Forward at xadv %.17g", i, res.Margin[i], got[i])
			}
			starts := []float64{clean[i]}
			buf := make([]float64, S)
			MidpointTo(buf, x, in.M, sig, set, tau)
			starts = append(starts, margins(in.m, buf, in.y[i:], 1, in.M)[0])
			EraseTo(buf, x, in.M, set, tau)
			starts = append(starts, margins(in.m, buf, in.y[i:], 1, in.M)[0])
			d := LinearWorstDeltaTo(make([]float64, S), in.m, in.y[i], set, tau)
			for k := range buf {
				buf[k] = x[k] + d[k]
			}
			starts = append(starts, margins(in.m, buf, in.y[i:], 1, in.M)[0])
			// the final feasibility shrink may move Δ by a few ulps
			for k, s := range starts {
				if !(got[i] <= s+1e-9*(1+math.Abs(s))) {
					t.Fatalf("point %d: Strong margin %.17g above start %d's %.17g", i, got[i], k, s)
				}
			}
		}
	})
}

// TestStrongDeterministic: two Strongs with one configuration return the
// same bits, at GOMAXPROCS 1 and 2, on a ci-shaped batch (d = 128, M = 8,
// d_h = d_v = 64), where the GEMMs split over blocks.
func TestStrongDeterministic(t *testing.T) {
	a := vit.Arch{D: 128, Dh: 64, Dv: 64}
	in := newInstance(a, 8, 6, 0.05, 1, 3, false)
	sig := signalsFor(a.D, 4)
	run := func(procs int) ([]float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		st, err := NewStrong(quickStrong(Frobenius, 2, 9), sig, a, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		st.Perturb(in.m, in.x, in.y, in.n, xadv)
		return xadv, slices.Clone(st.Result().Margin)
	}
	x1, m1 := run(1)
	x2, m2 := run(2)
	x3, m3 := run(2)
	if !slices.Equal(x1, x2) || !slices.Equal(m1, m2) {
		t.Errorf("GOMAXPROCS 1 and 2 differ: margins %v vs %v", m1, m2)
	}
	if !slices.Equal(x2, x3) || !slices.Equal(m2, m3) {
		t.Errorf("two runs differ: margins %v vs %v", m2, m3)
	}
}

// TestStrongPanics: shape misuse panics with an "attack:" message.
func TestStrongPanics(t *testing.T) {
	in := newInstance(vit.Arch{D: 4, Dh: 2, Dv: 2}, 3, 2, 0.5, 1, 1, false)
	st, err := NewStrong(quickStrong(Frobenius, 1, 1), signalsFor(4, 1), in.m.Arch, in.M, in.n)
	if err != nil {
		t.Fatal(err)
	}
	other := newInstance(vit.Arch{D: 4, Dh: 3, Dv: 2}, 3, 2, 0.5, 1, 1, false)
	for name, f := range map[string]func(){
		"alias":      func() { st.Perturb(in.m, in.x, in.y, in.n, in.x) },
		"n=0":        func() { st.Perturb(in.m, in.x, in.y, 0, make([]float64, len(in.x))) },
		"n>capacity": func() { st.Perturb(in.m, in.x, in.y, 3, make([]float64, len(in.x))) },
		"short xadv": func() { st.Perturb(in.m, in.x, in.y, in.n, make([]float64, 3)) },
		"arch":       func() { st.Perturb(other.m, in.x, in.y, in.n, make([]float64, len(in.x))) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestStrongAllocs: after NewStrong, a Perturb allocates at most one
// vector per sample (LinearWorstDeltaTo's u) and a constant few more,
// never per step: the count is the same for 8 and for 64 steps.
func TestStrongAllocs(t *testing.T) {
	in := newInstance(vit.Arch{D: 16, Dh: 4, Dv: 4}, 4, 5, 0.5, 1, 1, false)
	xadv := make([]float64, len(in.x))
	count := func(steps int) float64 {
		cfg := quickStrong(PerToken, 0.5, 1)
		cfg.Steps = steps
		st, err := NewStrong(cfg, signalsFor(16, 1), in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(3, func() { st.Perturb(in.m, in.x, in.y, in.n, xadv) })
	}
	a8, a64 := count(8), count(64)
	if a8 != a64 || a8 > float64(in.n+4) {
		t.Errorf("allocations per Perturb: %g at 8 steps, %g at 64; want equal and <= n + 4 = %d", a8, a64, in.n+4)
	}
}

// TestStrongProtocol: StrongProtocol(p) runs p's attackers and then a
// Strong with DefaultStrong at the protocol's set, budget and seed, so its
// worst case per point is at most the Strong's own margin.
func TestStrongProtocol(t *testing.T) {
	c := smallData(2)
	_, test, err := data.Draw(c, 10)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, c.D, 3)
	sig := data.SignalsOf(c)
	tau := 0.3 * c.Mu()
	p := StrongProtocol(Protocol{PGDSteps: 3, PGDRestarts: 1, APGDSteps: 4})
	atk, err := p.Attackers(m.Arch, c.M, test.N, sig, Linf, tau, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(atk) != 5 {
		t.Fatalf("%d attackers, want 5 (PGD, APGD, midpoint, erase, strong)", len(atk))
	}
	st, ok := atk[4].(*Strong)
	if !ok {
		t.Fatalf("attacker 4 is %T, want *Strong", atk[4])
	}
	want := DefaultStrong(Linf, tau, 5)
	if got := st.Config(); !slices.Equal(got.Temps, want.Temps) || got.Steps != want.Steps || got.Seed != 5 || got.Tau != tau || got.Set != Linf {
		t.Errorf("Strong config %+v, want %+v", got, want)
	}
	r, err := p.RobustEval(m, test, sig, Linf, tau, 5)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := NewStrong(want, sig, m.Arch, c.M, test.N)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := Evaluate(m, test, test.N, alone)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Margins {
		if !(r.Margins[i] <= ra.Margins[i]) {
			t.Fatalf("point %d: StrongProtocol margin %g above the Strong's own %g", i, r.Margins[i], ra.Margins[i])
		}
	}
	if p0 := (Protocol{PGDSteps: 3, PGDRestarts: 1}); p0.Strong {
		t.Fatal("the zero Protocol has Strong set")
	}
}
