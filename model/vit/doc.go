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
//
// # Shapes
//
// Every matrix is a flat row-major []float64. A batch of n samples, each M
// tokens of dimension D, is the n·M × D matrix of the tokens stacked sample
// after sample:
//
//	x[(i·M + l)·D + k] = coordinate k of token l of sample i
//
// (data.Set.X has this layout, with n = Set.N). The batch size n is passed
// to each call; M is fixed by the Workspace (NewWorkspace(arch, M, cap)),
// so a call reads x[:n·M·D]. Per-sample outputs (f, losses, coefficients)
// have length n; the input gradient dx has the layout of x. Parameters:
// WQK is D × 2D_h, Wv is D × D_v, Wo has D_v entries; Grads has the same
// shapes. Workspace fields hold the intermediates of the last pass in the
// same stacked layout (S is n blocks of M × M, row l of block i being the
// softmax row of query l of sample i).
//
// # Aliasing
//
// The slices returned by Forward (ws.F[:n]) and InputGrad (ws.Loss[:n]),
// and every Workspace field, are views into the Workspace: the next pass on
// the same Workspace overwrites them. Copy them (append([]float64(nil),
// f...)) to keep them.
// ValueVector returns its dst argument. SplitQK and Clone return copies.
package vit
