package theorems

import "math"

// Consts holds every constant the recovered statements leave unknown
// (docs/THEORY.md §5.1: exposed as parameters, never literals inside a
// statement). Defaults() documents each default and its source; cmd/calibrate
// fits the ones a sweep can reach.
type Consts struct {
	// Benign/harmful boundary in N·SNR² (THEORY §4.1, §8 P1).
	Cb float64 `json:"cb"` // benign if N·SNR² ≥ Cb; default 7.5 = 3×2.5, P1's factor-3 band above the scripts' curve
	Ch float64 `json:"ch"` // harmful if N·SNR² ≤ Ch; default 0.83 = 2.5/3, P1's band below it
	// SNR selects the SNR of the boundary: "strong" (SNR_2 = ‖μ‖/(σ₂√d),
	// default, THEORY §1.2 [PROP]) or "weak" (SNR_w = ‖μ‖/(σ_w√d), the
	// published axis).
	SNR string `json:"snr"`

	// Budget regimes of Thm 4.2 (THEORY §4.3 [SEC]).
	C1      float64 `json:"c1"`       // regime 1: τ ≤ C1·‖μ‖/log d_h; default 0.5 (P7's lower edge)
	C1Hi    float64 `json:"c1_hi"`    // regime 2 starts at τ ≥ C1Hi·‖μ‖/log d_h; default 2 (P7's upper edge)
	C2      float64 `json:"c2"`       // regime 2 ends at τ ≤ C2·‖μ‖; default 0.6 (P6)
	C3      float64 `json:"c3"`       // regime 3: τ ≥ C3·‖μ‖; default 1 ([SEC] note)
	LogBase float64 `json:"log_base"` // base of log d_h; default e (THEORY §7); 2 is the alternative

	// Outcome thresholds.
	FitLoss   float64 `json:"fit_loss"`   // "overfits": (robust) training loss < FitLoss; default 0.01, the scripts' stop rule (THEORY §3.1, P1a, P5)
	LossCut   float64 `json:"loss_cut"`   // test logistic loss cutoff of Jiang Fig. 1; default 0.2 [CODE]
	Frac      float64 `json:"frac"`       // replicate fraction P1 asks for; default 0.8 [CODE-calibrated]
	ErrBenign float64 `json:"err_benign"` // "small" test error, and P9's benign region (robust test error < ErrBenign); default 0.1 [PROP]
	ErrHarm   float64 `json:"err_harm"`   // harmful floor on test error; default 0.1 (Cao et al.'s 0.1 [RECALL?])
	Floor3    float64 `json:"floor3"`     // Thm 4.2(iii) robust-error floor; default 0.25 [SEC]
	SmallTol  float64 `json:"small_tol"`  // P5: robust err ≤ clean err + SmallTol; default 0.05
	A1Tol     float64 `json:"a1_tol"`     // P5: |a₁(robust) − a₁(clean)| ≤ A1Tol at every probe; default 0.1
	EntFrac   float64 `json:"ent_frac"`   // P6: entropy ≥ EntFrac·ln M; default 0.9
	LinAgree  float64 `json:"lin_agree"`  // P6: agreement with f_lin; default 0.99
	SlowLo    float64 `json:"slow_lo"`    // P6: slowdown ≥ SlowLo·M; default 1/4
	SlowHi    float64 `json:"slow_hi"`    // P6: slowdown ≤ SlowHi·M; default 4
	MonoTol   float64 `json:"mono_tol"`   // P9: allowed decrease of robust error in τ; default 0.03
	SlopeLo   float64 `json:"slope_lo"`   // P2 band; default −0.75
	SlopeHi   float64 `json:"slope_hi"`   // P2 band; default −0.25

	// Mechanism (THEORY §4.1, P3, P4).
	AttnFactor float64 `json:"attn_factor"` // P3: final a₁ ≥ AttnFactor/M; default 1.5 at the tiny scale (P3 asks 3 at the faithful scale, 1000 steps)
	Dominance  float64 `json:"dominance"`   // P3: fraction of test points where the signal path dominates; default 0.95
	MemoFactor float64 `json:"memo_factor"` // P4: median ρ ≥ MemoFactor·|γ|; default 5
	LossDrop   float64 `json:"loss_drop"`   // P4: training loss falls by ≥ LossDrop; default 0.9
	HarmLoss   float64 `json:"harm_loss"`   // P4: test loss stays ≥ HarmLoss; default 0.5
	A1Rise     float64 `json:"a1_rise"`     // P4: a₁ rises by ≤ A1Rise; default 0.1
	GrowthK    float64 `json:"growth_k"`    // dynamics: Δγ/Δρ ≈ GrowthK·N·SNR₂²; default 1/2 ([DER] at init)
	GrowthBand float64 `json:"growth_band"` // dynamics: multiplicative band around GrowthK; default 2 (cross terms O(√(N/d)))
	GrowthT    int     `json:"growth_t"`    // dynamics: window of GD steps; default 1 (the first step: closest to the [DER] init computation)

	// Assumption set (THEORY §4.1 technical conditions [PROP/LIT]).
	Cd   float64 `json:"cd"`    // d ≥ Cd·N^DExp; default 2
	DExp float64 `json:"d_exp"` // default 1 (the CNN template has 2: d = Ω̃(N²))
	Csig float64 `json:"csig"`  // κ₀ = σ₀²R²√d_h ≤ Csig (initial scores small); default 0.5 (admits the heatmap script, κ₀ ≈ 0.47)
	Ceta float64 `json:"ceta"`  // η·R²·‖w_O‖²/M ≤ Ceta; default 400
	Cdh  float64 `json:"cdh"`   // d_h ≥ Cdh·ln d; default 1
	Cz   float64 `json:"cz"`    // max initial score ≤ Cz·√(2 ln(2NM²))·κ₀; default 1.5

	// ZSigma is the width, in binomial standard deviations, of sampling
	// bands on 0-1 errors (P8's i.i.d. midpoint floor). Default 4: P8 states
	// 3, but a property test evaluates it on ~100 instances per run, and a
	// 3σ one-sided band (0.13% each) would then fail spuriously ~1 run in 8;
	// at 4σ (3·10⁻⁵ each) about 1 in 300.
	ZSigma float64 `json:"z_sigma"`
	// Strengthen moves each statement's decisive constant toward the
	// stronger claim by this factor (1 = the statement as recovered). The
	// tightness tests set 1.3: "a bound made 30% too strong must fail" on an
	// extremal instance (STYLE §3, §8). Each statement documents what it
	// multiplies.
	Strengthen float64 `json:"strengthen"`
}

// Defaults returns the documented default constants.
func Defaults() Consts {
	return Consts{
		Cb: 7.5, Ch: 0.83, SNR: "strong",
		C1: 0.5, C1Hi: 2, C2: 0.6, C3: 1, LogBase: math.E,
		FitLoss: 0.01, LossCut: 0.2, Frac: 0.8, ErrBenign: 0.1, ErrHarm: 0.1, Floor3: 0.25,
		SmallTol: 0.05, A1Tol: 0.1, EntFrac: 0.9, LinAgree: 0.99, SlowLo: 0.25, SlowHi: 4,
		MonoTol: 0.03, SlopeLo: -0.75, SlopeHi: -0.25,
		AttnFactor: 1.5, Dominance: 0.95, MemoFactor: 5, LossDrop: 0.9, HarmLoss: 0.5, A1Rise: 0.1,
		GrowthK: 0.5, GrowthBand: 2, GrowthT: 1,
		Cd: 2, DExp: 1, Csig: 0.5, Ceta: 400, Cdh: 1, Cz: 1.5,
		ZSigma: 4, Strengthen: 1,
	}
}

// logDh returns log d_h in the configured base.
func (k Consts) logDh(dh int) float64 { return math.Log(float64(dh)) / math.Log(k.LogBase) }
