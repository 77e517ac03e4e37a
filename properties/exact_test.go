package properties

import (
	"math"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
	"vitadv/theorems"
)

// --- A: AssumptionSet [PROP], consequence InitAttention [DER] -------------

func TestAssumptionSet(t *testing.T) { checkProperty(t, "A", nil) }

// extremalAttention builds the equality case of InitAttention: tokens
// x_l = e_l (l < M) and W_Q W_Kᵀ = B with B_lj = s·(2[j=0] − 1), so every
// query scores +s on key 0 and −s on the others and a₀ = 1/(1+(M−1)e^{−2s}).
func extremalAttention(M int, s float64) (*vit.Model, []float64) {
	d, dh := M+2, M
	m, _ := vit.New(vit.Arch{D: d, Dh: dh, Dv: 2})
	wq := make([]float64, d*dh)
	wk := make([]float64, d*dh)
	for l := 0; l < M; l++ {
		wq[l*dh+l] = 1
		for j := 0; j < M; j++ {
			b := -s
			if j == 0 {
				b = s
			}
			wk[j*dh+l] = b // (W_Q W_Kᵀ)_{lj} = W_K[j][l]
		}
	}
	m.JoinQK(wq, wk)
	x := make([]float64, M*d)
	for l := 0; l < M; l++ {
		x[l*d+l] = 1
	}
	return m, x
}

func TestAssumptionSetTight(t *testing.T) {
	for _, M := range []int{2, 4, 16} {
		for _, s := range []float64{0.05, 0.5, 2} {
			m, x := extremalAttention(M, s)
			// Equality case: the ratio is 1 up to the softmax's rounding
			// (slack 1e-12), so a bound 1 + 1e-6 too strong fails.
			tightDER(t, "InitAttention(M="+itoa(M)+")", exactFactor, func(k theorems.Consts) (theorems.Verdict, error) {
				return theorems.InitAttention(m, x, M, 1, k), nil
			})
		}
	}
}

func TestAssumptionSetControl(t *testing.T) {
	k := theorems.Defaults()
	big := scale.Cell(8, 1, 0, 1)
	big.Init.Shrink = 1 // σ₀ 16× the script's: κ₀ 256× larger
	_, err := theorems.AssumptionSet(big, k)
	wantHypothesis(t, "AssumptionSet(shrink=1)", err, "κ₀")
	wide := scale.Cell(scale.D, 1, 0, 1) // N = d > d/Cd
	_, err = theorems.AssumptionSet(wide, k)
	wantHypothesis(t, "AssumptionSet(N=d)", err, "d ≥ Cd")
	// Relaxed (Csig = ∞) the verdict's consequences still hold — InitAttention
	// is [DER] for every model, and s_max scales with κ₀ — but what κ₀ ≤ Csig
	// buys is lost: the initial scores exceed the ceiling
	// Cz·√(2 ln 2NM²)·Csig that the hypothesis guarantees, so phase 1 does
	// not start at near-uniform attention.
	k.Csig = math.Inf(1)
	v, err := theorems.AssumptionSet(big, k)
	if err != nil {
		t.Fatalf("AssumptionSet(shrink=1, Csig=∞) = error %v", err)
	}
	if b, ok := v.Bound("(a_j"); !ok || !b.Holds() {
		t.Errorf("InitAttention part = %v, want holds ([DER] for every model)", b)
	}
	def := theorems.Defaults()
	ceiling := def.Cz * math.Sqrt(2*math.Log(2*float64(big.Data.N*big.Data.M*big.Data.M))) * def.Csig
	b, ok := v.Bound("s_max")
	if !ok || !(b.LHS > 4*ceiling) {
		t.Errorf("AssumptionSet(shrink=1) s_max = %v, want > 4× the ceiling %.3g that κ₀ ≤ Csig guarantees", b, ceiling)
	}
	// The same check at the default σ₀ stays under the ceiling.
	ok1 := scale.Cell(8, 1, 0, 1)
	v, err = theorems.AssumptionSet(ok1, def)
	if err != nil || !v.Holds() {
		t.Fatalf("AssumptionSet(default init) = %v (err %v), want holds", v, err)
	}
	if b, _ := v.Bound("s_max"); !(b.LHS <= ceiling) {
		t.Errorf("AssumptionSet(default init) s_max = %v, want ≤ the ceiling %.3g", b, ceiling)
	}
}

// --- D: GrowthRatio [PROP], K = 1/2 [DER] --------------------------------

func TestGrowthRatio(t *testing.T) { checkProperty(t, "D", nil) }

// orthogonalCell is the extremal instance of GrowthRatio: N samples whose
// strong-noise tokens are σ₂√d·e_{2+n} (exactly orthogonal to each other and
// to μ±, equal norms), weak tokens zero, W_Q = W_K = 0 (exactly uniform
// attention), W_V = 0 (f = 0 at the start). Then Δγ̄/Δρ̄ = N·SNR₂²/2 at every
// step, by symmetry.
func orthogonalCell(t *testing.T) (*vit.Model, *data.Set, data.Signals, data.Config) {
	const d, M, n = 64, 4, 8
	dc := data.Config{D: d, M: M, N: n, NTest: 2, MuNorm: 16, Sigma2: 4, SigmaW: 0.2, Project: true}
	sig := data.SignalsOf(dc)
	s := &data.Set{N: n, M: M, D: d, X: make([]float64, n*M*d), Y: make([]float64, n), Clean: make([]float64, n)}
	a := dc.Sigma2 * math.Sqrt(d)
	for i := 0; i < n; i++ {
		y := 1.0 - 2*float64(i%2)
		s.Y[i], s.Clean[i] = y, y
		x := s.Sample(i)
		copy(x[:d], sig.For(y))
		x[d+2+i] = a
	}
	m, err := vit.NewInit(vit.Arch{D: d, Dh: 8, Dv: 8}, vit.DefaultInit(), 1)
	if err != nil {
		t.Fatal(err)
	}
	clear(m.WQK)
	clear(m.Wv)
	return m, s, sig, dc
}

func TestGrowthRatioTight(t *testing.T) {
	m, s, sig, dc := orthogonalCell(t)
	// The ratio is exactly K·N·SNR₂² here (slack 1e-9 absolute on a
	// ratio of 1/2), so K made 1 + 1e-6 too large fails the lower bound.
	tightDER(t, "GrowthRatio(orthogonal)", 1+1e-6, func(k theorems.Consts) (theorems.Verdict, error) {
		k.GrowthBand = 1 // exact on this instance, up to the 1e-9 slack
		return theorems.GrowthRatio(m, s, sig, dc, 0.1, 5, k)
	})
	// THEORY §4.1's verbal "≈ N·SNR₂²" (K = 1) is off by 2 on this instance.
	k := theorems.Defaults()
	k.GrowthBand, k.GrowthK = 1.5, 1
	if v, err := theorems.GrowthRatio(m, s, sig, dc, 0.1, 5, k); err != nil || v.Holds() {
		t.Errorf("GrowthRatio(orthogonal, K=1, B=1.5) = %v (err %v), want FAILS", v, err)
	}
}

func TestGrowthRatioControl(t *testing.T) {
	k := theorems.Defaults()
	inst := scale.Cell(scale.D, 1, 0, 1) // N = d: d ≥ Cd·N fails
	tr, _, err := data.Draw(inst.Data, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := vit.NewInit(inst.Arch, inst.Init, 1)
	_, err = theorems.GrowthRatio(m, tr, data.SignalsOf(inst.Data), inst.Data, 0.1, 5, k)
	wantHypothesis(t, "GrowthRatio(N=d)", err, "d ≥ Cd")
	// Relaxed (Cd = 0) at N = d the ratio stays in the band (0.47 measured):
	// the cross terms ⟨ξ_n, ξ_m⟩ enter Δρ̄ through ‖Σ_n y_n ξ_n‖²/N, whose
	// mean is σ₂²d at any N, so d ≥ Cd·N is not what keeps the ratio in
	// the band. Asserted, so that a change of that is noticed.
	k.Cd = 0
	v, err := theorems.GrowthRatio(m, tr, data.SignalsOf(inst.Data), inst.Data, 0.1, 5, k)
	if err != nil || !v.Holds() {
		t.Errorf("GrowthRatio(N=d, Cd=0) = %v (err %v), want holds", v, err)
	}
	// What breaks the band is a large N·SNR₂² (one GD step is then far from
	// the linearized regime): the recorded finding at N = 2, N·SNR₂² = 45
	// (results/hunt/D-…, TestFindings) exceeds K·B; the check can fail.
	st := statement(t, "D")
	v, err = st.Check(lab, scale, theorems.Point{"log2N": 1, "c2": 11, "seed": 50}, theorems.Defaults())
	if b, ok := v.Bound("(Δγ̄/Δρ̄)/(N·SNR₂²) ≤ K·B"); err != nil || !ok || !b.Fails() {
		t.Errorf("GrowthRatio(N=2, N·SNR₂²=45) = %v (err %v), want the upper bound to FAIL", v, err)
	}
}

// --- P8: MidpointFloor [DER] ---------------------------------------------

func TestMidpointFloor(t *testing.T) { checkProperty(t, "P8", narrow{"seed": {1, 2}}) }

func TestMidpointFloorTight(t *testing.T) {
	st := statement(t, "P8")
	for _, set := range []int{0, 1, 2} {
		p := theorems.Point{"tauAbove20": 0, "set": set, "trained": 1, "log2shrink": 0, "log2N": 3, "c2": 6, "seed": 1}
		// The paired error is exactly 1/2 (one member of each merged pair
		// is right): a floor 1 + 1e-6 above 1/2 fails.
		tightDER(t, "MidpointFloor(τ=‖μ‖/√2, set="+itoa(set)+")", exactFactor, func(k theorems.Consts) (theorems.Verdict, error) {
			return st.Check(lab, scale, p, k)
		})
	}
}

// oracle returns the uniform-attention model with u = W_V w_O = e₁ − e₂
// (= (μ₊ − μ₋)/‖μ‖): f(X) = (x_1ᵀu)/M exactly, since projected noise has no
// component on e₁, e₂. It classifies every clean point correctly.
func oracle(d int) *vit.Model {
	m, _ := vit.New(vit.Arch{D: d, Dh: 2, Dv: 1})
	m.Wo[0] = 1
	m.Wv[0], m.Wv[1] = 1, -1
	return m
}

func TestMidpointFloorControl(t *testing.T) {
	k := theorems.Defaults()
	inst := scale.Cell(8, 4, 0, 1)
	_, te, _ := data.Draw(inst.Data, 1)
	sig := data.SignalsOf(inst.Data)
	mu := inst.Data.Mu()
	m := oracle(scale.D)
	tau := 0.69 * mu
	_, err := theorems.MidpointFloor(m, te, sig, attack.Frobenius, tau, k)
	h := wantHypothesis(t, "MidpointFloor(τ=0.69‖μ‖)", err, "‖μ‖/√2")
	if h.Value != tau || !(math.Abs(h.Limit-mu/math.Sqrt2) <= 1e-12*mu) {
		t.Errorf("HypothesisError = %v, want Value %g Limit %g", h, tau, mu/math.Sqrt2)
	}
	_, err = theorems.MidpointFloor(m, te, sig, attack.Linf, mu, k)
	wantHypothesis(t, "MidpointFloor(ℓ∞)", err, "ℓ₂")
	// Below the threshold the floor breaks: the budget-scaled midpoint leaves
	// the oracle correct on every paired point.
	mid, _ := attack.NewMidpoint(sig, te.M, attack.Frobenius, tau)
	p := theorems.Paired(te)
	xadv := make([]float64, len(p.X))
	mid.Perturb(m, p.X, p.Y, p.N, xadv)
	ws := vit.NewWorkspace(m.Arch, p.M, p.N)
	for i, f := range m.Forward(ws, xadv, p.N) {
		if !(p.Y[i]*f > 0) {
			t.Fatalf("oracle margin on paired point %d after midpoint at τ=0.69‖μ‖ = %g, want > 0", i, p.Y[i]*f)
		}
	}
}

// --- Thm 4.2(iii): Regime3Floor [SEC], witness [DER] --------------------

func TestRegime3Floor(t *testing.T) { checkProperty(t, "Thm4.2(iii)", narrow{"seed": {1, 2}}) }

func TestRegime3FloorTight(t *testing.T) {
	st := statement(t, "Thm4.2(iii)")
	p := theorems.Point{"tauAbove20": 0, "set": 0, "trained": 1, "log2shrink": 0, "log2N": 3, "c2": 6, "seed": 1}
	// The [DER] witness is tight: error exactly 1/2 at τ = ‖μ‖; the paper's
	// 0.25 floor survives 1.3× (it is loose by 2×), the 1/2 does not.
	tightDER(t, "Regime3Floor(τ=‖μ‖)", exactFactor, func(k theorems.Consts) (theorems.Verdict, error) {
		return st.Check(lab, scale, p, k)
	})
	v, err := st.Check(lab, scale, p, theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := v.Bound("1/2"); !ok || b.LHS != 0.5 || b.RHS != 0.5 {
		t.Errorf("Regime3Floor [DER] bound = %v (present %v), want 1/2 ≤ error with error exactly 1/2", b, ok)
	}
	// The [SEC] floor 0.25 is loose by exactly 2: it holds at 2× and fails
	// at 2.01×.
	for _, c := range []struct {
		s    float64
		want bool
	}{{2, true}, {2.01, false}} {
		k := theorems.Defaults()
		k.Strengthen = c.s
		v, err := st.Check(lab, scale, p, k)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := v.Bound("Floor3"); !ok || b.Holds() != c.want {
			t.Errorf("Regime3Floor floor at %g×Floor3 = %v, want holds=%v (error is exactly 1/2, Floor3 = 1/4)", c.s, b, c.want)
		}
	}
}

func TestRegime3FloorControl(t *testing.T) {
	k := theorems.Defaults()
	inst := scale.Cell(8, 4, 0, 1)
	_, te, _ := data.Draw(inst.Data, 1)
	sig := data.SignalsOf(inst.Data)
	mu := inst.Data.Mu()
	m := oracle(scale.D)
	_, err := theorems.Regime3Floor(m, te, sig, attack.Frobenius, 0.9*mu, k)
	wantHypothesis(t, "Regime3Floor(τ=0.9‖μ‖)", err, "C3")
	// Relaxing C3 below 1/√2 breaks the claim: at τ = ‖μ‖/2 the oracle keeps
	// robust error 0 < 0.25.
	k.C3 = 0.5
	v, err := theorems.Regime3Floor(m, te, sig, attack.Frobenius, 0.5*mu, k)
	if err != nil {
		t.Fatalf("Regime3Floor(C3=0.5) = error %v", err)
	}
	if v.Holds() {
		t.Errorf("Regime3Floor(C3=0.5, τ=‖μ‖/2, oracle) = %v, want FAILS", v)
	}
}

// --- P10: LinearCollapseMargin [DER] -------------------------------------

func TestLinearCollapseMargin(t *testing.T) { checkProperty(t, "P10", nil) }

func TestLinearCollapseMarginTight(t *testing.T) {
	st := statement(t, "P10")
	for set := 0; set < 4; set++ {
		p := theorems.Point{"set": set, "log2tau": 0, "frac10": 10, "sample": 0, "seed": 1}
		// Attained at Δ* up to the summation slack (≤ 1e-12 relative to
		// τκ here): τκ made 1 + 1e-6 smaller fails "attained".
		tightDER(t, "LinearCollapseMargin(set="+itoa(set)+")", exactFactor, func(k theorems.Consts) (theorems.Verdict, error) {
			return st.Check(lab, scale, p, k)
		})
	}
}

func TestLinearCollapseMarginControl(t *testing.T) {
	k := theorems.Defaults()
	inst := scale.Cell(4, 4, 0, 1)
	tr, _, _ := data.Draw(inst.Data, 1)
	m, _ := vit.NewInit(inst.Arch, inst.Init, 1) // W_Q W_Kᵀ ≠ 0
	_, err := theorems.LinearCollapseMargin(m, tr.Sample(0), tr.Y[0], nil, attack.Frobenius, 1, k)
	wantHypothesis(t, "LinearCollapseMargin(random W_K)", err, "W_Q W_Kᵀ = 0")
	wq, wk := m.SplitQK()
	clear(wk)
	m.JoinQK(wq, wk)
	delta := make([]float64, tr.M*tr.D)
	delta[5] = 1.01 // ‖Δ‖_F = 1.01 τ
	_, err = theorems.LinearCollapseMargin(m, tr.Sample(0), tr.Y[0], delta, attack.Frobenius, 1, k)
	wantHypothesis(t, "LinearCollapseMargin(‖Δ‖=1.01τ)", err, "Δ ∈ B(τ)")
}
