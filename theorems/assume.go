package theorems

import (
	"math"
	"strings"

	"vitadv/model/data"
	"vitadv/model/linalg"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// InitAttention is the softmax fact behind phase 1 of THEORY §4.1 [DER]: if
// every attention score of a sample lies in [−s, s] (s = max_{l,j} |x_lᵀ
// W_Q W_Kᵀ x_j|, times the score scale), then every query-averaged weight
// satisfies
//
//	a_j ≤ 1/(1 + (M−1)e^{−2s}),
//
// with equality when every query scores +s on key j and −s on the others.
// The bound is evaluated per sample; LHS is the largest ratio
// (a_j − 1/M)/(bound − 1/M) over the n samples of x, RHS = 1/Strengthen.
// Slack 1e-12 covers the softmax's rounding (a few ulps of quantities ≤ 1,
// divided by bound − 1/M, which is ≥ 1e-3 whenever it is used).
func InitAttention(m *vit.Model, x []float64, M, n int, k Consts) Verdict {
	ws := vit.NewWorkspace(m.Arch, M, n)
	m.Forward(ws, x, n)
	dh2 := 2 * m.Dh
	scale := m.Scale()
	worst := 0.0
	smax := 0.0
	for i := 0; i < n; i++ {
		s := 0.0
		for l := 0; l < M; l++ {
			q := ws.QK[(i*M+l)*dh2 : (i*M+l)*dh2+m.Dh]
			for j := 0; j < M; j++ {
				kv := ws.QK[(i*M+j)*dh2+m.Dh : (i*M+j+1)*dh2]
				s = math.Max(s, math.Abs(scale*linalg.Dot(q, kv)))
			}
		}
		smax = math.Max(smax, s)
		ub := 1 / (1 + float64(float64(M-1)*linalg.Exp(-2*s)))
		den := ub - 1/float64(M)
		if den < 1e-3 {
			continue // scores ≈ 0: the ratio is 0/0; the bound is checked where it has room
		}
		for j := 0; j < M; j++ {
			worst = math.Max(worst, (ws.A[i*M+j]-1/float64(M))/den)
		}
	}
	return Verdict{Statement: "A InitAttention", Tag: DER,
		Bounds: []Bound{leq("(a_j − 1/M)/(1/(1+(M−1)e^{−2s}) − 1/M) ≤ 1", DER, worst, 1/k.Strengthen, 1e-12)},
		Consts: []Const{{"s_max", smax}, {"strengthen", k.Strengthen}}}
}

// AssumptionSet checks the technical conditions of the recovered theorems
// (THEORY §4.1, §4.3: open in the paper; the CNN template of Cao et al. /
// Kou et al. as restated by Huang et al. [LIT], with ViT conditions
// [PROP]) on inst and returns their consequence at initialization. The
// conditions, with R = max(‖μ‖, σ₂√d) the largest token norm:
//
//	M ≥ 2;   d ≥ Cd·N^DExp  (d ≫ N: noise memorization is per sample);
//	κ₀ := σ₀²R²√d_h ≤ Csig  (initial scores o(1): phase 1 starts at uniform attention);
//	η·R²·‖w_O‖²/M ≤ Ceta     (the step is small against the value curvature);
//	d_h ≥ Cdh·ln d.
//
// The defaults admit the scripts' heatmap config (κ₀ ≈ 0.47, η-term ≈ 34)
// and both CI scales. A violated condition returns *HypothesisError naming
// it. Otherwise the verdict lists each condition as a bound and adds the
// consequences on the training inputs at initialization: InitAttention
// [DER], and the score size s_max ≤ Cz·√(2 ln(2NM²))·κ₀ [PROP: a Gaussian
// maximum over the N·M² scores, each of standard deviation ≈ κ₀].
func AssumptionSet(inst Instance, k Consts) (Verdict, error) {
	const name = "A AssumptionSet"
	dc := inst.Data
	if err := dc.Validate(); err != nil {
		return Verdict{}, err
	}
	m0, err := vit.NewInit(inst.Arch, inst.Init, inst.Seed)
	if err != nil {
		return Verdict{}, err
	}
	R := tokenNormBound(dc.Mu(), dc.Sigma2, dc.D)
	s0 := inst.Init.Sigma0(dc.D) // the std of both laws (vit.Init.Sigma0)
	kappa := s0 * s0 * R * R * math.Sqrt(float64(inst.Arch.Dh)) * inst.Arch.Scale()
	wo2 := linalg.Dot(m0.Wo, m0.Wo)
	etaTerm := inst.Train.Eta * R * R * wo2 / float64(dc.M)
	conds := []Bound{
		geq("M ≥ 2", PROP, float64(dc.M), 2, 0),
		geq("d ≥ Cd·N^DExp", PROP, float64(dc.D), k.Cd*linalg.Pow(float64(dc.N), k.DExp), 0),
		leq("κ₀ = σ₀²R²√d_h ≤ Csig", PROP, kappa, k.Csig, 0),
		leq("η·R²·‖w_O‖²/M ≤ Ceta", PROP, etaTerm, k.Ceta, 0),
		geq("d_h ≥ Cdh·ln d", PROP, float64(inst.Arch.Dh), k.Cdh*math.Log(float64(dc.D)), 0),
	}
	for _, b := range conds {
		if !b.Holds() {
			val, lim := b.RHS, b.LHS // "lim ≤ val" bounds
			if strings.HasPrefix(b.Name, "κ") || strings.HasPrefix(b.Name, "η") {
				val, lim = b.LHS, b.RHS // "val ≤ lim" bounds
			}
			return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: b.Name, Value: val, Limit: lim}
		}
	}
	tr, _, err := data.Draw(dc, inst.Seed)
	if err != nil {
		return Verdict{}, err
	}
	ia := InitAttention(m0, tr.X, dc.M, tr.N, k)
	smax := ia.Consts[0].Value
	v := Verdict{Statement: name, Tag: PROP, Bounds: append(conds, ia.Bounds...),
		Consts: []Const{{"Cd", k.Cd}, {"DExp", k.DExp}, {"Csig", k.Csig}, {"Ceta", k.Ceta}, {"Cdh", k.Cdh}, {"Cz", k.Cz}, {"kappa0", kappa}, {"s_max", smax}}}
	v.Bounds = append(v.Bounds, leq("s_max ≤ Cz·√(2 ln(2NM²))·κ₀", PROP, smax, k.Cz*math.Sqrt(2*math.Log(2*float64(dc.N*dc.M*dc.M)))*kappa, 0))
	return v, nil
}

// GrowthRatio is the phase-1 dynamics claim of THEORY §4.1 ([PROP]
// mechanism; the leading constant is [DER]): under near-uniform attention,
// per GD step the signal coefficient γ̄ = (γ₊ − γ₋)/2, γ± = μ±ᵀW_Vw_O, grows
// faster than the mean memorization ρ̄ = mean_n y_n ξ_{n,2}ᵀW_Vw_O by
//
//	Δγ̄/Δρ̄ ≈ K·N·SNR₂²,   K = 1/2,
//
// since at uniform attention and f ≈ 0, Δu = (η‖w_O‖²/2NM)·Σ_n y_n Σ_l x_{n,l},
// so Δγ̄ ∝ (N/2)‖μ‖² and Δρ_n ∝ ‖ξ_{n,2}‖² ≈ σ₂²d, up to cross terms
// ⟨ξ_n, ξ_m⟩ of relative size O(√(N/d)). (THEORY §4.1 states the ratio as
// "about N·SNR₂²", i.e. K = 1; our derivation gives K = 1/2.) The model m0
// is trained on s for T clean GD steps at rate eta (on a clone); dc gives
// SNR₂. Bounds: K/B ≤ ratio/(N·SNR₂²) ≤ K·B with K = GrowthK·Strengthen,
// B = GrowthBand. Hypotheses: d ≥ Cd·N^DExp; T ≥ 1; Δρ̄ > 0.
func GrowthRatio(m0 *vit.Model, s *data.Set, sig data.Signals, dc data.Config, eta float64, T int, k Consts) (Verdict, error) {
	const name = "D GrowthRatio"
	if lim := k.Cd * linalg.Pow(float64(s.N), k.DExp); float64(s.D) < lim {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "d ≥ Cd·N^DExp", Value: float64(s.D), Limit: lim}
	}
	if T < 1 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "T ≥ 1", Value: float64(T), Limit: 1}
	}
	m := m0.Clone()
	g0, r0 := coeffs(m, s, sig)
	t, err := train.New(m, s, train.Config{Eta: eta, MaxSteps: T}, nil)
	if err != nil {
		return Verdict{}, err
	}
	t.Run(nil)
	g1, r1 := coeffs(m, s, sig)
	dr := r1 - r0
	if !(dr > 0) {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "memorization grows (Δρ̄ > 0)", Value: dr, Limit: 0}
	}
	snr := dc.SNRStrong()
	ratio := (g1 - g0) / dr / (float64(s.N) * snr * snr)
	K, B := k.GrowthK*k.Strengthen, k.GrowthBand
	v := Verdict{Statement: name, Tag: PROP, Consts: []Const{{"K", K}, {"B", B}, {"T", float64(T)}, {"ratio/(N·SNR2²)", ratio}}}
	v.Bounds = []Bound{
		geq("K/B ≤ (Δγ̄/Δρ̄)/(N·SNR₂²)", PROP, ratio, K/B, 1e-9),
		leq("(Δγ̄/Δρ̄)/(N·SNR₂²) ≤ K·B", PROP, ratio, K*B, 1e-9),
	}
	return v, nil
}

// coeffs returns γ̄ = (γ₊ − γ₋)/2 and ρ̄ = mean_n y_n ξ_{n,2}ᵀu.
func coeffs(m *vit.Model, s *data.Set, sig data.Signals) (g, r float64) {
	u := m.ValueVector(make([]float64, m.D))
	g = (linalg.Dot(sig.Plus, u) - linalg.Dot(sig.Minus, u)) / 2
	for i := 0; i < s.N; i++ {
		x := s.Sample(i)
		r += float64(s.Y[i] * linalg.Dot(x[s.D:2*s.D], u))
	}
	return g, r / float64(s.N)
}
