// Package vit is the simplified vision transformer of Jiang et al.
// (arXiv:2409.19345) and Zhang et al. (arXiv:2604.19724): one softmax
// attention layer averaged over the M query positions, then a linear head,
//
//	f(X; θ) = (1/M) Σ_l softmax(s·x_lᵀ W_Q W_Kᵀ Xᵀ) X W_V w_O = Σ_j a_j v_j,
//	a_j = (1/M) Σ_l S_lj,   v_j = x_jᵀ u,   u = W_V w_O,
//
// with s = 1 (faithful) or s = 1/√d_h, and its closed-form gradients with
// respect to the parameters and the input (docs/THEORY.md §2.4). W_Q W_Kᵀ is
// never formed: W_Q and W_K are stored side by side as one d×2d_h matrix
// WQK = [W_Q | W_K], so Q and K come from one product with the stacked
// tokens of the whole batch, and so do the input and parameter gradients.
//
// Notation: W_Q → Wq (columns 0..d_h−1 of WQK), W_K → Wk (columns
// d_h..2d_h−1), W_V → Wv, w_O → Wo, τ → tau, ξ₂ → xi2.
package vit
