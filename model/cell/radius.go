package cell

import (
	"math"

	"vitadv/model/attack"
)

// radiusIters is the number of bisection halvings of a certified radius
// (resolution 2⁻¹² of the attack radius), and radiusNodes the
// branch-and-bound budget of each certificate of the bisection (a quarter
// of certify.DefaultNodes: the radius is a side output, the bracket at τ
// itself uses the full budget).
const (
	radiusIters = 12
	radiusNodes = 16
)

// rowRadiusIters is the number of bisection halvings of the row attack's
// radius (attack.RowFlip.Radius; resolution 2⁻⁸ of FMN's radius, or of
// 2‖μ‖), run without the row attack's refinement steps (its candidates
// alone: ≈ 0.3 ms per attempt at the ci shape).
const rowRadiusIters = 8

// fmnSteps is the iteration budget of the minimum-norm attack that gives
// each point's attack radius.
const fmnSteps = 100

// Radius is one test point's robust-radius bracket [Cert, Attack] in a
// perturbation set, with its margins at the evaluation budget τ.
type Radius struct {
	Y            float64 // label
	CleanMargin  float64 // y f(X)
	CertMarginLB float64 // certified lower bound on the worst margin at τ (NaN: not certified)
	AttackMargin float64 // worst attack margin at τ (NaN: not attacked)
	Cert         float64 // largest radius the certificate proves (bisection)
	Attack       float64 // smallest radius an attack broke the point at (+Inf: never)
}

// Radii returns, for every test point of r, the bracket [Cert, Attack] of
// its robust radius in set — Attack the smallest of the FMN minimum-norm
// attack's radius, the row attack's (attack.RowFlip.Radius: bisection on
// τ up to FMN's radius, or 2‖μ‖; it finds the flips of saturated softmax
// rows that FMN's gradients do not see) and τ where ev's attacks already
// broke the point at τ,
// Cert by bisection on the certificate of r's protocol (r.Spec.Eval.Joint;
// certify.Certifier.Radius) up to
// Attack (up to 2‖μ‖ when Attack = +Inf: beyond ‖μ‖/√2 no point is
// robust in an ℓ₂ set, THEORY §3.4) — with the margins at τ from ev.
func (r *Run) Radii(ev Eval, set Set, tau, mu float64) ([]Radius, error) {
	te, m := r.Test, r.Model
	f, err := attack.NewFMN(attack.FMNConfig{Set: set, Steps: fmnSteps}, m.Arch, te.M, te.N)
	if err != nil {
		return nil, err
	}
	xadv := make([]float64, len(te.X))
	f.Perturb(m, te.X, te.Y, te.N, xadv)
	rad := f.Radii()
	rcfg := attack.DefaultRowFlip(set, mu)
	rcfg.Steps = 0
	rf, err := attack.NewRowFlip(rcfg, m.Arch, te.M, 1)
	if err != nil {
		return nil, err
	}
	rx := make([]float64, te.M*te.D)
	c, err := newCertifier(m, te.M, r.Spec.Eval.Joint)
	if err != nil {
		return nil, err
	}
	c.SetNodes(radiusNodes)
	rob, err := attack.Evaluate(m, te, te.N) // clean margins
	if err != nil {
		return nil, err
	}
	out := make([]Radius, te.N)
	for i := range out {
		ra := rad[i]
		hiRow := ra
		if math.IsInf(hiRow, 1) {
			hiRow = 2 * mu
		}
		rr, err := rf.Radius(m, te.Sample(i), te.Y[i], hiRow, rowRadiusIters, rx)
		if err != nil {
			return nil, err
		}
		ra = math.Min(ra, rr)
		if tau > 0 && ev.Robust.Margins != nil && ev.Robust.Margins[i] <= 0 {
			ra = math.Min(ra, tau)
		}
		hi := ra
		if math.IsInf(hi, 1) {
			hi = 2 * mu
		}
		am, cb := math.NaN(), math.NaN()
		if ev.Robust.Margins != nil {
			am = ev.Robust.Margins[i]
		}
		if ev.Cert.Bounds != nil {
			cb = ev.Cert.Bounds[i]
		}
		out[i] = Radius{Y: te.Y[i], CleanMargin: rob.Margins[i], CertMarginLB: cb, AttackMargin: am,
			Cert: c.Radius(te.Sample(i), te.Y[i], set, hi, radiusIters), Attack: ra}
	}
	return out, nil
}
