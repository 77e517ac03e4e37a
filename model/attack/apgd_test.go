package attack

import (
	"errors"
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
	"vitadv/internal/check"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// TestAPGDCheckpoints: Croce & Hein's checkpoints for N_iter = 100 are
// p = 0, 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99.
func TestAPGDCheckpoints(t *testing.T) {
	got := apgdCheckpoints(100)
	want := []int{0, 22, 41, 57, 70, 80, 87, 93, 99}
	if !slices.Equal(got, want) {
		t.Fatalf("checkpoints %v, want %v", got, want)
	}
}

// TestAPGDStaysInBall: every returned point is X + Δ with Δ ∈ B(τ) (up to
// the rounding of the projection, ballUlps), in every set, and its margin
// is the reported one and never above the clean margin.
func TestAPGDStaysInBall(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInstance(t, false)
		set := rapid.SampledFrom(Sets()).Draw(t, "set")
		tau := drawTau(t, "tau")
		a, err := NewAPGD(APGDConfig{Set: set, Tau: tau, Steps: rapid.IntRange(1, 30).Draw(t, "steps"), Restarts: rapid.IntRange(0, 2).Draw(t, "runs"), Seed: 5}, in.m.Arch, in.M, in.n)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		a.Perturb(in.m, in.x, in.y, in.n, xadv)
		S := len(in.x) / in.n
		clean := margins(in.m, in.x, in.y, in.n, in.M)
		got := margins(in.m, xadv, in.y, in.n, in.M)
		for i := 0; i < in.n; i++ {
			d := diff(sample(xadv, i, S), sample(in.x, i, S))
			xs := 0.0
			for _, v := range sample(in.x, i, S) {
				xs = math.Max(xs, math.Abs(v))
			}
			if lim := tau + ballUlps*eps*(tau+xs*float64(S)); !check.LE(set.Norm(d, in.M), lim) {
				t.Fatalf("set norm of Δ %v > %v", set.Norm(d, in.M), lim)
			}
			if !check.LE(got[i], clean[i]) {
				t.Fatalf("APGD margin %v above the clean margin %v", got[i], clean[i])
			}
			if !check.Close(a.Margins()[i], got[i], 0, 0) {
				t.Fatalf("reported margin %v, recomputed %v", a.Margins()[i], got[i])
			}
		}
	})
}

// TestAPGDLinearOracle: on uniform attention APGD-100 reaches the closed
// form of docs/THEORY.md §3.3 within tolPGD (relative to the budget term).
func TestAPGDLinearOracle(t *testing.T) {
	for _, in := range linearCases() {
		for _, set := range Sets() {
			tau := 0.7
			a, err := NewAPGD(EvalAPGD(set, tau, 1), in.m.Arch, in.M, in.n)
			if err != nil {
				t.Fatal(err)
			}
			xadv := make([]float64, len(in.x))
			a.Perturb(in.m, in.x, in.y, in.n, xadv)
			S := len(in.x) / in.n
			for i := 0; i < in.n; i++ {
				want := LinearWorstMargin(in.m, sample(in.x, i, S), in.y[i], set, tau)
				clean := LinearWorstMargin(in.m, sample(in.x, i, S), in.y[i], set, 0)
				check.Near(t, string(set)+" APGD vs closed form", a.Margins()[i], want, 0, tolPGD*math.Abs(clean-want)+1e-12)
			}
		}
	}
}

// TestAPGDBeatsPGD: at an equal budget — the same number of runs from
// the same kind of start and the same number of gradient steps — APGD's
// margins are on average no higher than PGD's, over random instances with
// non-trivial attention (W_Q, W_K at scale 1.5, four tokens), in every
// set, for one run of 100 steps from Δ = 0 and for 5 runs of 20 steps.
// Measured (sum of margins over 72 points, PGD vs APGD): 100×1 frobenius
// −378.6 vs −390.2, signal-token −188.9 vs −190.5, per-token −663.1 vs
// −715.6, linf −1308.5 vs −1411.6; 20×5 −435.8 vs −436.6, −198.7 vs
// −199.4, −733.1 vs −763.5, −1372.6 vs −1422.8. (Restarts matter more than
// the optimizer on these non-concave instances: PGD-20×5 beats APGD-100×1
// on the ℓ₂ sets, which is why the evaluation protocol keeps PGD's
// restarts beside APGD.)
func TestAPGDBeatsPGD(t *testing.T) {
	for _, budget := range []struct{ steps, runs int }{{100, 1}, {20, 5}} {
		for _, set := range Sets() {
			sum, cnt := 0.0, 0
			for seed := uint64(0); seed < 12; seed++ {
				a := vit.Arch{D: 8, Dh: 4, Dv: 4}
				in := newInstance(a, 4, 6, 1.5, 1, 1000+seed, false)
				tau := 0.5
				p, _ := NewPGD(Config{Set: set, Tau: tau, Steps: budget.steps, Restarts: budget.runs, Seed: seed}, a, in.M, in.n)
				ap, _ := NewAPGD(APGDConfig{Set: set, Tau: tau, Steps: budget.steps, Restarts: budget.runs, Seed: seed}, a, in.M, in.n)
				x1, x2 := make([]float64, len(in.x)), make([]float64, len(in.x))
				p.Perturb(in.m, in.x, in.y, in.n, x1)
				ap.Perturb(in.m, in.x, in.y, in.n, x2)
				m1, m2 := margins(in.m, x1, in.y, in.n, in.M), margins(in.m, x2, in.y, in.n, in.M)
				for i := range m1 {
					sum += m2[i] - m1[i]
					cnt++
				}
			}
			d := sum / float64(cnt)
			t.Logf("%d×%d %s: mean(APGD − PGD margin) = %.4g over %d points", budget.steps, budget.runs, set, d, cnt)
			check.AtMost(t, string(set)+" mean APGD − PGD margin", d, 0)
		}
	}
}

// TestAPGDConfigErrors: bad configurations name the field.
func TestAPGDConfigErrors(t *testing.T) {
	a := vit.Arch{D: 2, Dh: 1, Dv: 1}
	for _, c := range []struct {
		cfg   APGDConfig
		field string
	}{
		{APGDConfig{Set: "l3", Tau: 1, Steps: 1}, "Set"},
		{APGDConfig{Tau: -1, Steps: 1}, "Tau"},
		{APGDConfig{Tau: math.NaN(), Steps: 1}, "Tau"},
		{APGDConfig{Tau: 1, Steps: 0}, "Steps"},
		{APGDConfig{Tau: 1, Steps: 1, Restarts: -1}, "Restarts"},
	} {
		_, err := NewAPGD(c.cfg, a, 2, 1)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("NewAPGD(%+v) error %v, want a *valid.Error on %s", c.cfg, err, c.field)
		}
	}
}

// TestFMNLinearRadius: on uniform attention the robust radius has a
// closed form, r* = y f_lin(X)/‖1uᵀ/M‖_* (the margin over the dual-norm
// slope of LinearWorstMargin); FMN's radius is an upper bound (its point
// is adversarial), never below r* (up to rounding), and within 5% of it.
func TestFMNLinearRadius(t *testing.T) {
	for _, in := range linearCases() {
		for _, set := range Sets() {
			f, err := NewFMN(FMNConfig{Set: set, Steps: 200}, in.m.Arch, in.M, in.n)
			if err != nil {
				t.Fatal(err)
			}
			xadv := make([]float64, len(in.x))
			f.Perturb(in.m, in.x, in.y, in.n, xadv)
			S := len(in.x) / in.n
			got := margins(in.m, xadv, in.y, in.n, in.M)
			for i := 0; i < in.n; i++ {
				x := sample(in.x, i, S)
				m0 := LinearWorstMargin(in.m, x, in.y[i], set, 0)
				slope := m0 - LinearWorstMargin(in.m, x, in.y[i], set, 1)
				if !(m0 > 0) || !(slope > 0) {
					continue // misclassified or unattackable: radius 0 or ∞
				}
				want := m0 / slope
				r := f.Radii()[i]
				check.AtMost(t, string(set)+" FMN point margin", got[i], 0)
				check.AtLeast(t, string(set)+" FMN radius vs r*", r, want*(1-1e-9))
				check.AtMost(t, string(set)+" FMN radius vs 1.05 r*", r, 1.05*want)
			}
		}
	}
}

// apgdTwoSteps is APGD (Croce & Hein 2020, Alg. 1) with two steps from
// Δ⁰ = 0 written out: η = 2τ,
//
//	Δ¹ = P(Δ⁰ + η·dir(∇L(Δ⁰)))                          (no momentum at k = 0)
//	z  = P(Δ¹ + η·dir(∇L(Δ¹)))
//	Δ² = P(Δ¹ + α(z − Δ¹) + (1 − α)(Δ¹ − Δ⁰)),  α = 0.75,
//
// L = −y f, dir the set's steepest-ascent direction, P the projection; the
// checkpoint after step 1 (⌈0.22·2⌉ = 1) keeps η when L rose (ρ = 0.75 of
// one step), which the caller checks. beta replaces 1 − α (the negative
// control). It returns Δ² and the margins y f at Δ⁰, Δ¹, Δ². Products are
// rounded with float64() before they meet an addition, as in APGD itself,
// so that GOAMD64=v3 cannot fuse them (.ci/nofuse).
func apgdTwoSteps(m *vit.Model, set Set, x []float64, y float64, M int, tau, beta float64) (d2 []float64, mg [3]float64) {
	S := len(x)
	ws := vit.NewWorkspace(m.Arch, M, 1)
	xc := make([]float64, S)
	f := func(d []float64) float64 {
		for j := range d {
			xc[j] = x[j] + d[j]
		}
		return y * m.Forward(ws, xc, 1)[0]
	}
	grad := func(d []float64) []float64 {
		f(d)
		g := make([]float64, S)
		m.Backward(ws, xc, 1, []float64{-y}, nil, g)
		return set.ascentTo(g, g, M)
	}
	eta := 2 * tau
	d0 := make([]float64, S)
	mg[0] = f(d0)
	g0 := grad(d0)
	d1 := make([]float64, S)
	for j := range d1 {
		d1[j] = d0[j] + float64(eta*g0[j])
	}
	set.Project(d1, M, tau)
	mg[1] = f(d1)
	g1 := grad(d1)
	z := make([]float64, S)
	for j := range z {
		z[j] = d1[j] + float64(eta*g1[j])
	}
	set.Project(z, M, tau)
	for j := range z {
		z[j] = d1[j] + float64(apgdMomentum*(z[j]-d1[j])) + float64(beta*(d1[j]-d0[j]))
	}
	set.Project(z, M, tau)
	mg[2] = f(z)
	return z, mg
}

// TestAPGDMatchesTwoStepRecursion: APGD with Steps = 2 and no restart equals the
// written-out recursion (momentum weight 1 − α on Δ¹ − Δ⁰) on nonlinear
// models in every set, when the loss rose on step 1 (so the checkpoint
// keeps the step): its last iterate is Δ² and its margin the least of the
// three. Negative control: the recursion with momentum weight 1 differs
// from APGD on some instance.
// It kills mutants m2-apgd-momentum-full and m2-apgd-stale-margin of mutate/catalogue.txt.
func TestAPGDMatchesTwoStepRecursion(t *testing.T) {
	if got := apgdCheckpoints(2); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("apgdCheckpoints(2) = %v, want [0 1]", got)
	}
	compared, controlDiffers := 0, 0
	for seed := uint64(0); seed < 120; seed++ {
		a := vit.Arch{D: 2 + int(seed%5), Dh: 1 + int(seed%3), Dv: 1 + int(seed/3%3), ScaleScores: seed%2 == 0}
		M := 2 + int(seed/5%3)
		in := newInstance(a, M, 1, 1, 1, 700+seed, false)
		set := Sets()[seed%uint64(len(Sets()))]
		tau := 0.25 * float64(1+seed%4)
		ap, err := NewAPGD(APGDConfig{Set: set, Tau: tau, Steps: 2, Restarts: 0, Seed: seed}, a, M, 1)
		if err != nil {
			t.Fatal(err)
		}
		xadv := make([]float64, len(in.x))
		ap.Perturb(in.m, in.x, in.y, 1, xadv)
		want, mg := apgdTwoSteps(in.m, set, in.x, in.y[0], M, tau, 1-apgdMomentum)
		if !(mg[1] < mg[0]) {
			continue // the checkpoint halves η and restarts from Δ⁰: another recursion
		}
		compared++
		wantMg := math.Min(mg[0], math.Min(mg[1], mg[2]))
		if got := ap.Margins()[0]; got != wantMg {
			t.Errorf("seed %d (%s, τ %v): APGD margin %v, recursion %v (margins %v)", seed, set, tau, got, wantMg, mg)
		}
		for j, v := range want {
			if ap.cur[j] != v {
				t.Errorf("seed %d (%s): last iterate Δ²[%d] = %v, recursion %v", seed, set, j, ap.cur[j], v)
				break
			}
		}
		bad, _ := apgdTwoSteps(in.m, set, in.x, in.y[0], M, tau, 1)
		for j, v := range bad {
			if math.Abs(ap.cur[j]-v) > 1e-9 {
				controlDiffers++
				break
			}
		}
	}
	if compared < 30 {
		t.Fatalf("only %d of 120 instances had a rising loss on step 1; the test compares too little", compared)
	}
	if controlDiffers == 0 {
		t.Error("negative control: momentum weight 1 matched APGD on every instance; the comparison cannot fail")
	}
	t.Logf("compared %d instances; the momentum-1 control differed on %d", compared, controlDiffers)
}
