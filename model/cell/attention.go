package cell

import (
	"vitadv/model/attack"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// Attention is the mean attention of a set of inputs (train.Attention:
// a₁, a₂, entropy and max a, each averaged over the inputs).
type Attention = train.Attention

// AdvAttention returns the Attention of the final model of r on its test
// inputs after the evaluation PGD of protocol p at budget tau in set: one
// run from Δ = 0 with p.PGDSteps steps and r's seed, the first run of the
// protocol's PGD. It is the attention an attacker meets (issue 17 item 3:
// collapse is measured on clean and on adversarial test inputs); at
// tau = 0 it is the attention on the clean test inputs, as in Record.
func (r *Run) AdvAttention(p Protocol, set Set, tau float64) (Attention, error) {
	p = p.orDefault()
	te := r.Test
	ws := vit.NewWorkspace(r.Model.Arch, te.M, te.N)
	if !(tau > 0) {
		return train.MeanAttention(r.Model, ws, te.X, te.N, te.M), nil
	}
	cfg := attack.EvalConfig(set, tau, r.Spec.Seed)
	cfg.Steps, cfg.Restarts = p.PGDSteps, 1
	pgd, err := attack.NewPGD(cfg, r.Model.Arch, te.M, te.N)
	if err != nil {
		return Attention{}, err
	}
	xadv := make([]float64, te.N*te.M*te.D)
	pgd.Perturb(r.Model, te.X, te.Y, te.N, xadv)
	return train.MeanAttention(r.Model, ws, xadv, te.N, te.M), nil
}
