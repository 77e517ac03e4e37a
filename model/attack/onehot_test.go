package attack_test

import (
	"fmt"
	"math"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/attack"
	"vitadv/model/vit"
	"vitadv/model/vit/vitref"
)

// twoTokenOneHot is a two-token instance whose attention rows both score
// (≈ −spread, ≈ 0): token 1 is attended, token 0 gets weight ≈ e^{−spread}.
// Its input gradient on token 0 is ≈ e^{−spread} times that of token 1, so
// a per-token (or ℓ∞) attack direction on token 0 is only as good as the
// relative accuracy of that tiny gradient row.
//
//	W_Q = (0, 1)ᵀ, W_K = (−spread, 0)ᵀ  ⇒  z_lj = −spread·x_l1·x_j0
//	x_0 = (1, 1), x_1 = (0, 1), small generic offsets;  u = (−1, 2)
func twoTokenOneHot(spread float64) (*vit.Model, []float64, []float64) {
	m, err := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	if err != nil {
		panic(err)
	}
	m.JoinQK([]float64{0.013, 1}, []float64{-spread, 0.021})
	m.Wv[0], m.Wv[1], m.Wo[0] = -1, 2, 1
	x := []float64{1, 1.007, 0.0031, 0.995}
	return m, x, []float64{1}
}

// hpDirection returns the per-token steepest-ascent direction of −y·f at x
// from the 1536-bit input gradient: d_l = −y ∇_l f / ‖∇_l f‖.
func hpDirection(m *vit.Model, x []float64, y float64, M int) []float64 {
	g := vitref.Eval(m, x, M).X
	D := m.D
	d := make([]float64, len(g))
	for l := 0; l < M; l++ {
		row := g[l*D : (l+1)*D]
		n := 0.0
		for _, v := range row {
			n = math.Hypot(n, v)
		}
		for k, v := range row {
			d[l*D+k] = -y * v / n
		}
	}
	return d
}

// TestPerTokenFGSMOneHot: per-token FGSM on the two-token instance moves
// every token, the unattended one included, along the direction computed
// from the high-precision gradient (to 1e-12 per entry), and reaches the
// margin the high-precision step reaches.
func TestPerTokenFGSMOneHot(t *testing.T) {
	for _, spread := range oneHotSpreads {
		t.Run(fmt.Sprint("spread=", spread), func(t *testing.T) { perTokenFGSM(t, spread) })
	}
}

// oneHotSpreads are the score gaps of the instances.
var oneHotSpreads = []float64{30, 100}

func perTokenFGSM(t *testing.T, spread float64) {
	m, x, y := twoTokenOneHot(spread)
	const M, tau = 2, 1.0
	ref := vitref.Eval(m, x, M)
	t.Logf("scores %.4g, spread %.4g", ref.Scores, ref.Spread(M))
	check.AtLeast(t, "score spread", ref.Spread(M), 0.99*spread)

	p, err := attack.NewPGD(attack.FGSM(attack.PerToken, tau), m.Arch, M, 1)
	if err != nil {
		t.Fatal(err)
	}
	xadv := make([]float64, len(x))
	p.Perturb(m, x, y, 1, xadv)
	got := make([]float64, len(x))
	for i := range x {
		got[i] = (xadv[i] - x[i]) / tau
	}
	want := hpDirection(m, x, y[0], M)
	// Δ/τ = x + τd − x rounds each entry to an ulp of |x| + τ.
	check.AllNear(t, "per-token FGSM direction Δ/τ", got, want, 0, 1e-12)

	xhp := make([]float64, len(x))
	for i := range x {
		xhp[i] = x[i] + tau*want[i]
	}
	hpMargin := y[0] * vitref.Eval(m, xhp, M).F
	res := p.Result()
	t.Logf("clean margin %.6g; per-token FGSM margin %.6g; high-precision step %.6g", y[0]*ref.F, res.Margin[0], hpMargin)
	check.Near(t, "FGSM margin", res.Margin[0], hpMargin, 1e-9, 1e-12)
}

// TestPerTokenPGDOneHot: per-token PGD-5 from Δ = 0 on the same instance
// follows, step by step, the iteration driven by the high-precision gradient
// (same step size, same projection), and returns the same best iterate.
func TestPerTokenPGDOneHot(t *testing.T) {
	for _, spread := range oneHotSpreads {
		t.Run(fmt.Sprint("spread=", spread), func(t *testing.T) { perTokenPGD(t, spread) })
	}
}

func perTokenPGD(t *testing.T, spread float64) {
	m, x, y := twoTokenOneHot(spread)
	const M, tau, K = 2, 1.0, 5
	cfg := attack.Config{Set: attack.PerToken, Tau: tau, Steps: K}
	p, err := attack.NewPGD(cfg, m.Arch, M, 1)
	if err != nil {
		t.Fatal(err)
	}
	xadv := make([]float64, len(x))
	p.Perturb(m, x, y, 1, xadv)

	alpha := 2.5 * tau / K
	delta := make([]float64, len(x))
	xcur := append([]float64(nil), x...)
	best, bestMargin := append([]float64(nil), x...), y[0]*vitref.Eval(m, x, M).F
	for k := 0; k < K; k++ {
		d := hpDirection(m, xcur, y[0], M)
		for i := range delta {
			delta[i] += alpha * d[i]
		}
		attack.PerToken.Project(delta, M, tau)
		for i := range xcur {
			xcur[i] = x[i] + delta[i]
		}
		if mg := y[0] * vitref.Eval(m, xcur, M).F; mg < bestMargin {
			bestMargin = mg
			copy(best, xcur)
		}
	}
	t.Logf("per-token PGD-%d margin %.6g; high-precision iteration %.6g", K, p.Result().Margin[0], bestMargin)
	check.AllNear(t, "per-token PGD best iterate", xadv, best, 0, 1e-10)
	check.Near(t, "per-token PGD margin", p.Result().Margin[0], bestMargin, 1e-9, 1e-12)
}

// TestLinfFGSMOneHot: the ℓ∞ FGSM step sign(−y∇f) agrees with the sign of
// the high-precision gradient on every entry, the unattended token's too.
func TestLinfFGSMOneHot(t *testing.T) {
	for _, spread := range oneHotSpreads {
		t.Run(fmt.Sprint("spread=", spread), func(t *testing.T) { linfFGSM(t, spread) })
	}
}

func linfFGSM(t *testing.T, spread float64) {
	m, x, y := twoTokenOneHot(spread)
	const M, tau = 2, 0.25
	p, err := attack.NewPGD(attack.FGSM(attack.Linf, tau), m.Arch, M, 1)
	if err != nil {
		t.Fatal(err)
	}
	xadv := make([]float64, len(x))
	p.Perturb(m, x, y, 1, xadv)
	want := hpDirection(m, x, y[0], M)
	for i := range x {
		step := (xadv[i] - x[i]) / tau
		if !check.Close(step, math.Copysign(1, want[i]), 0, 1e-12) {
			t.Errorf("entry %d: ℓ∞ FGSM step %g, high-precision sign %g", i, step, math.Copysign(1, want[i]))
		}
	}
}

// TestOneHotControl: the direction check rejects a direction whose token-0
// row carries an error of 1e-6 (the closed form G = S(v − v̄) left 5e-7
// there at spread 30): the check can fail.
func TestOneHotControl(t *testing.T) {
	m, x, y := twoTokenOneHot(30)
	want := hpDirection(m, x, y[0], 2)
	bad := append([]float64(nil), want...)
	bad[0] += 1e-6
	if i := check.FirstFar(bad, want, 0, 1e-12); i != 0 {
		t.Fatalf("perturbed direction passed the check (first far entry %d)", i)
	}
}
