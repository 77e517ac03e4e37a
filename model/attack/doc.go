// Package attack holds the adversaries of the robust-training experiments:
// projected gradient attacks on the simplified ViT of package vit, the exact
// midpoint and erase attacks on the signal token, and the closed-form worst
// case of the uniform-attention ("linear collapse") model that serves as the
// oracle for PGD.
//
// Inputs are stored as in package vit: coordinate k of token l of sample n is
// x[(n·M+l)·D+k], tokens zero-based, so docs/THEORY.md's "token 1" (the signal
// token) is row 0 here. A perturbation Δ of one sample is an M×D row-major
// matrix with rows δ_0, …, δ_{M−1}.
//
// Perturbation sets B(τ) (docs/THEORY.md §3.2):
//
//	Frobenius    ‖Δ‖_F ≤ τ                        one ℓ₂ ball on the patch matrix (default)
//	SignalToken  δ_l = 0 for l ≥ 1, ‖δ_0‖₂ ≤ τ     only the signal token moves
//	PerToken     ‖δ_l‖₂ ≤ τ for every l            one ℓ₂ ball per token
//	Linf         |Δ_lk| ≤ τ for every entry        the ℓ∞ cube
//
// Every attacker implements Attacker. APGD is Auto-PGD (Croce & Hein 2020:
// step halving at checkpoints, momentum 0.75, best iterate) on the margin
// loss; FMN is the fast minimum-norm attack (Pintor et al. 2021), whose
// radii bound each point's robust radius from above. Protocol and
// RobustEval are the robust-evaluation protocol (PGD with restarts, APGD,
// midpoint, erase; worst case per point): its error is robust_err_lb, the
// lower end of the bracket whose upper end package certify computes.
// Strong is the stronger ensemble of issue 18 (closed-form starts, momentum
// runs with a cosine schedule, directions through a temperature-smoothed
// softmax accepted on the true margin, adaptive restarts, local search);
// StrongProtocol adds it to a Protocol; Protocol.Cascade runs it only on
// the points the cheap protocol did not break and a sound certificate did
// not certify. RowFlip is the structural row attack for saturated softmax
// rows (score gaps ≫ 1, where every gradient is blind): it moves a row's
// query token along W_Q(k_j − k_top) to hand the row to a lower-value
// token, allocates the budget over rows greedily and checks every
// candidate with Forward; it is a stage of Strong, a member of the
// cascade's cheap stage (Protocol.Row), and its Radius bounds the robust
// radius next to FMN's. testdata/hard holds the corpus of
// hard instances on which it must find every break an expensive reference
// search found.
// PGD maximizes the logistic loss
// ℓ(y·f(X+Δ)) by steepest ascent in the set's norm followed by projection,
// and returns the best iterate per sample (docs/THEORY.md §3.2). Midpoint and
// Erase are the exact attacks of docs/THEORY.md §3.4; LinearWorstMargin and
// LinearWorstDeltaTo are the closed forms of docs/THEORY.md §3.3, against which
// PGD is checked (docs/THEORY.md §8, P10). Evaluate reports the robust loss and
// robust 0-1 error of a model on a data set, worst case over several
// attackers (docs/THEORY.md §8, P8).
//
// Notation: τ → tau, μ₊ → sig.Plus, μ₋ → sig.Minus, u = W_V w_O → u.
//
// Results are returned, never printed; configuration errors come back as
// *valid.Error naming the field; shape errors (programmer misuse) panic with
// an "attack: ..." message.
package attack
