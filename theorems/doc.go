// Package theorems states the claims of "Benign Overfitting in Adversarial
// Training for Vision Transformers" (Zhang et al., arXiv:2604.19724) and of
// its parent (Jiang et al., arXiv:2409.19345) as executable functions, one
// per statement, as recovered in docs/THEORY.md (§3.3–3.4, §4, §8 P1–P12).
//
// Each function checks its hypotheses first and returns a *HypothesisError
// naming the violated assumption with its value and limit, so that a test
// can tell "claim not applicable" from "claim false"; otherwise it returns a
// Verdict: the conjunction of evaluated Bounds (both sides, slack, tag) and
// the constants used. Nothing prints. Every constant the sources leave as
// O(1) is a field of Consts with a documented default (THEORY §5); the
// provenance tag (THEORY §0) travels with every verdict and bound, and
// decides how a test may assert it: [DER] exactly (up to rounding), [CODE]
// within THEORY §8's band, the rest as a shape whose constants are fitted by
// cmd/calibrate.
//
// # Statements
//
//	THEORY / paper                              function              tag
//	§4.1 technical conditions (open)            AssumptionSet         [PROP] (+ InitAttention [DER])
//	§4.1 phase 1, signal vs memorization        GrowthRatio           [PROP], K = 1/2 [DER]
//	P1(a,b) benign side, N·SNR² ≥ Cb            BenignCondition       [REV]/[CODE]
//	P1(a,c) harmful side, N·SNR² ≤ Ch           HarmfulCondition      [RECALL?]/[CODE]
//	P2 boundary slope N ∝ SNR⁻²                 BoundaryScaling       [CODE]
//	P3 benign mechanism                         BenignMechanism       [SEC]/[CODE]
//	P4 harmful mechanism                        HarmfulMechanism      [CODE]
//	P5 = Thm 4.2(i), τ ≤ C1‖μ‖/log d_h          SmallBudget           [SEC]
//	P6 = Thm 4.2(ii), attention collapse        AttentionCollapse     [SEC]
//	P7 regime boundary ∝ 1/log d_h              RegimeBoundary        [SEC]/[PROP]
//	Thm 4.2(iii), τ ≥ C3‖μ‖ ⇒ err ≥ 0.25        Regime3Floor          [SEC], witness [DER]
//	P8 = §3.4, τ ≥ ‖μ‖/√2 ⇒ err ≥ 1/2           MidpointFloor         [DER]
//	P9 monotone in τ                            MonotoneInTau         [PROP]
//	P10 = §3.3 linear-collapse margin           LinearCollapseMargin  [DER]
//	P11 gradients vs finite differences         (model/vit tests)     [DER]
//	P12 the overfitting is real                 OverfittingIsReal     [ABS]/[PROP]
//
// The status of each statement (holds, fails with a committed
// counterexample, not decidable at a scale), its tests and the command that
// shows it are listed in theorems/STATEMENTS.md.
//
// All returns the statements with their instance spaces (integer grid
// axes) and evaluators, for cmd/hunt; Lab memoizes trainings so that
// statements and rapid checks landing on one grid cell share a run.
//
// # Notation
//
//	paper            Go
//	W_Q, W_K         Wq, Wk (vit.Model.WQK = [W_Q | W_K])
//	W_V, w_O         Wv, Wo;  u = W_V w_O (ValueVector)
//	τ                tau;  τ/‖μ‖ on a grid: tau20 = 20·τ/‖μ‖
//	μ₊, μ₋, ‖μ‖      Signals.Plus, Signals.Minus, Config.Mu()
//	ξ₂               xi2 (token index 1, zero-based)
//	SNR₂, SNR_w      Config.SNRStrong(), Config.SNRWeak()
//	N·SNR²           c;  on a grid: c = 2^(c2/2)
//	a_j              query-averaged attention (Record.A1 = a₁)
//	γ±, ρ_n          μ±ᵀu, y_n ξ_{n,2}ᵀu (Record.GammaPlus, RhoMedian)
//	Cb, Ch, C1, C3   Consts fields of the same names
//
// Reference: docs/THEORY.md; docs/STYLE.md §7.
package theorems
