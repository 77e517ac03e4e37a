// Package certify computes certified lower bounds on the worst-case margin
// of the simplified ViT of package vit over a perturbation set B(τ)
// (docs/THEORY.md §2.1, §3.2):
//
//	LB(X, y, τ) ≤ min_{Δ ∈ B(τ)} y·f̃(X+Δ),
//
// where f̃ is the model as package vit evaluates it in float64 (not only the
// real-arithmetic f). A point with LB > 0 is certified robust at τ; the
// certified fraction of a test set gives the upper end of the robust-error
// bracket robust_err_lb (attacks, package attack) ≤ robust error ≤
// robust_err_ub = 1 − certified fraction.
//
// # The bound
//
// With u = W_V w_O, A = W_Q W_Kᵀ, s the score scale, q_l = x_l W_Q, k_j = x_j W_K
// and per-token perturbation radii ‖δ_l‖ ≤ r_l, the perturbed score is
//
//	z'_lj = s·( q_l·k_j + δ_l·(W_Q k_j) + (W_K q_l)·δ_j + δ_l A δ_jᵀ )
//
// so z'_lj lies in s·q_l·k_j ± s·( r_l‖W_Q k_j‖_* + r_j‖W_K q_l‖_* + r_l r_j‖A‖₂ )
// (‖·‖_* the dual norm of the token norm: ℓ₂ for the ℓ₂ sets, ℓ₁ for ℓ∞, whose
// second-order term uses ‖δ‖₂ ≤ √d‖δ‖_∞). ‖A‖₂ is bounded by
// min(‖W_Q‖_F‖W_K‖_F, ‖A‖_F) with ‖A‖_F² = ⟨W_QᵀW_Q, W_KᵀW_K⟩. Given an
// interval box for row l of the scores, each softmax weight obeys
//
//	1/(1 + Σ_{k≠j} e^{zhi_k − zlo_j}) ≤ S_lj ≤ 1/(1 + Σ_{k≠j} e^{zlo_k − zhi_j}),
//
// and every row is also a probability vector. The values v'_j = (x_j+δ_j)·u lie
// in v_j ± r_j‖u‖_*. Since the margin (1/M) Σ_l Σ_j S_lj y v'_j is linear in
// each row with S_lj ≥ 0, it is at least (1/M) Σ_l min_z Σ_j softmax(z)_j w_j
// over the row's score box, with w_j the lower end of y v'_j. That minimum
// is computed exactly: ∂/∂z_j Σ_k S_k w_k = S_j(w_j − Σ_k S_k w_k), so a
// minimizer sets z_j to its upper end for w_j below the optimal value and
// to its lower end above it — one of M+1 threshold configurations, all
// evaluated. (The looser box-and-simplex linear program over the S bounds
// is kept beside it, and the larger bound used.) Softmax is invariant to a
// common shift of a row, so the query-side term may use ‖W_Q k_j − c‖ for
// any fixed c (c = the mean over j, where that is smaller).
//
// For the Frobenius ball the radii r_l = τ forget that the budget is
// shared; a second bound keeps it for the value term,
// Σ_j a_j y δ_j·u ≥ −τ‖u‖‖a‖₂ with ‖a‖₂ ≤ (1/M) Σ_l ‖S_l‖₂ and
// ‖S_l‖₂² ≤ min(max_j Shi_lj, Σ_j Shi_lj²), and the larger bound is kept;
// branch-and-bound then splits the per-token radii r_l = ‖δ_l‖ into
// intervals [lo_l, hi_l], which caps every other token at
// √(τ² − Σ_{k≠l} lo_k²), until the bound is positive or the node budget is
// spent (the bound of a split set is the minimum over its leaves).
//
// With W_Q W_Kᵀ = 0 every score interval is a point, S_lj = 1/M, and the bound
// is the closed form of docs/THEORY.md §3.3 (attack.LinearWorstMargin) minus
// the rounding term.
//
// # Joint bounds (SetJoint)
//
// Certifier.SetJoint(true) (default: DefaultJoint, off; the results files
// ask for it through cell.Protocol.Joint, flag -cert-joint, as the
// committed ci files do) makes Margin, Evaluate and Radius
// return the larger of the bound above and further sound bounds,
// each with the same outward rounding:
//
//   - a first-order bound (relax.go): the exact clean margin, minus the
//     support function of the set at the exact gradient ∇_X y f(X), minus
//     a curvature remainder over the ball from the score and softmax boxes
//     above (the softmax mean's second derivative is a covariance, bounded
//     by the box variance of the score change times the value spread);
//   - in the per-token and signal-token sets, a split bound (split.go):
//     each token's perturbation is split along u = W_V w_O and across it,
//     so that the value and the scores no longer both receive the whole
//     budget, with branch-and-bound over the split;
//   - in the ℓ∞ cube, the bound above with the second-order score term
//     τ²·Σ_ik|(W_Q W_Kᵀ)_ik| in place of d·τ²‖W_Q W_Kᵀ‖₂ (linf.go);
//   - in the Frobenius ball (relational.go), two bounds that keep more of
//     the shared budget: the radius branch-and-bound (with three times
//     the node budget) with every score entry (l, j) bounded with the
//     budget δ_l and δ_j share (r_l‖a_j‖ + r_j‖b_l‖ ≤ ρ_lj√(‖a_j‖² + ‖b_l‖²),
//     ‖δ_l‖‖δ_j‖ ≤ ρ_lj²/2), and the split along u with branch-and-bound
//     on the value share ‖(α_t)‖₂ of the whole ball;
//   - in the Frobenius ball (topshift.go), the radius branch-and-bound
//     with the pair widths where each score row is shifted by its own top
//     token's key image W_Q k_t (softmax ignores a shift common to a
//     row), so the gap between the top and every other token closes at
//     the pairwise rate ‖W_Q(k_j − k_t)‖ instead of ‖W_Q k_j − c‖ +
//     ‖W_Q k_t − c‖ (the paper-scale diagnosis, BenchmarkPaperDiagnose).
//   - in the Frobenius ball (rowshare.go), the row-share bound: row l's
//     query-side score shifts depend on δ_l alone, so each row is bounded
//     at the radius its own token can have (cells of ‖δ_l‖² in quanta of
//     τ²/K, the other tokens sharing the rest), and the allocation of the
//     budget over the rows is minimized exactly by dynamic programming.
//
// BenchmarkCertifiedRadius (package bench) measures the certified radius
// against the FMN attack radius with and without them.
//
// # Soundness in floating point
//
// Every quantity the bound is built from is computed in float64 with
// round-to-nearest and then enclosed: a dot product of length n computed in
// any order (blocked, FMA or not) is within γ_n·Σ|a_i b_i| of the exact one
// (γ_n = nε/(1 − nε), ε = 2⁻⁵³; Higham, Accuracy and Stability, §3.1), and
// these error terms are added outward. The scalar arithmetic of the bound
// itself (score intervals, exponentials, sums, the greedy LP, the threshold
// configurations) rounds outward by stepping every result one ulp away
// (up, dn: math.Nextafter towards ±∞, tested bit for bit against it; IEEE
// +, −, ×, ÷, √ are correctly rounded, so the exact result lies within half an
// ulp; linalg.Exp is within 2 ulp, so exponentials step three ulps).
//
// The model's own evaluation (vit.Model.Forward) rounds too; its error is
// bounded and subtracted so that the certificate holds for the computed
// margin: score rounding widens every score interval by
// s·γ_{d+d_h+2}·‖|x'_l||W_Q|‖‖|x'_j||W_K|‖ + 3ε·max|z|; the exponentials
// (expError relative, covering linalg.ExpTo's polynomial path), row sums
// and the division give S̃_lj = softmax(ẑ)_lj·(1 + θ), |θ| ≤ η_S; the
// query average, the value dot products (γ_d‖x'_j‖‖u‖) and the final dot
// product add an absolute term E. Underflowing exponentials add at most
// M·2⁻¹⁰⁶⁰ to any weight. The bound subtracts η_S·max_j|v'_j| per row and E.
//
// The value vector u is the model's (vit.Model.ValueVector, the u Forward
// uses), so it is exact by definition. The certificate is conservative by
// about 1e-13 relative; the tests check it against every attack's computed
// margin (soundness property) and against the closed form (exactness).
package certify
