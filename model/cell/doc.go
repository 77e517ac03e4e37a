// Package cell trains and evaluates one cell of the suite: one fully
// specified, replayable run of the simplified ViT (docs/THEORY.md §2–§3).
//
// A Spec fixes every axis of a cell — the sizes and the data law
// (data.Config, or a Source such as MNIST), the initialization law
// (vit.Init), the step size and the number of steps or the stop rule
// (train.Config), the training attack (PGD-K at budget τ in a
// perturbation set), the evaluation protocol and the seed. Train draws the
// data and the initialization from the seed and runs clean (τ = 0) or
// adversarial gradient descent:
//
//	θ_{t+1} = θ_t − η ∇_θ (1/N) Σ_i ℓ(y_i f(X_i + Δ_i(θ_t))),  Δ_i = PGD-K(θ_t, X_i) ∈ B(τ)
//
// and the methods of Run evaluate the result: the clean metrics and
// attention probes (train.Record), the robust error bracket
//
//	robust_err_lb = (1/n) #{i : min(y_i f(X_i), min_a y_i f(A_a(X_i))) ≤ 0}   (attacks, each with a witness)
//	robust_err_ub = 1 − (1/n) #{i : certified margin lower bound > 0}          (package certify)
//
// and per-point radius brackets. Every caller that trains a cell — the
// phase and τ sweeps, the dynamics and MNIST experiments, theorems.Lab (and
// through it cmd/hunt and cmd/calibrate) — builds a Spec and calls Train,
// so one code path trains every committed number.
//
// Reference: docs/THEORY.md §3.1 (training), §3.2 (evaluation protocol),
// §6 (experiments); Zhang et al., arXiv:2604.19724.
package cell
