package attack

import (
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Robust is the robust evaluation of a model on a data set: for every
// point the worst margin over the clean input and every attacker's
// output (docs/THEORY.md §3.2, §8 P8),
//
//	m_i  = min( y_i f(X_i), min_a y_i f(A_a(X_i)) ),
//	Loss = (1/N) Σ_i ℓ(m_i),   Error = (1/N) #{i : m_i ≤ 0}.
//
// The clean input counts because Δ = 0 lies in every B(τ); the robust
// numbers are therefore never below the clean ones. Since ℓ is decreasing,
// ℓ(m_i) is also the worst loss over the attackers.
type Robust struct {
	N          int       // points evaluated
	CleanLoss  float64   // (1/N) Σ ℓ(y_i f(X_i))
	CleanError float64   // fraction with y_i f(X_i) ≤ 0
	Loss       float64   // robust logistic loss, worst case per point
	Error      float64   // robust 0-1 error, worst case per point
	Margins    []float64 // m_i per point
	// Worst[i] is the index of the attacker that attained m_i (the first
	// on ties), or −1 if no attacker did worse than the clean input.
	Worst []int
	// Wins[a] counts the points whose worst case attacker a attained.
	Wins []int
}

// Evaluate attacks the points of s in batches of at most batch samples with
// every attacker and returns the worst case per point (see Robust). Each
// attacker must accept batches of that size (a PGD needs capacity ≥ batch)
// and must not modify its inputs. Attackers that draw random starts
// consume their streams. Bad arguments return a *valid.Error (batch, or
// Set.D / Set.N when s does not fit m).
func Evaluate(m *vit.Model, s *data.Set, batch int, attackers ...Attacker) (Robust, error) {
	if err := valid.IntMin("batch", batch, 1); err != nil {
		return Robust{}, err
	}
	if s == nil || s.N < 1 || len(s.Y) < s.N || len(s.X) < s.N*s.M*s.D {
		n := 0
		if s != nil {
			n = s.N
		}
		return Robust{}, &valid.Error{Field: "Set.N", Value: n, Rule: "must be >= 1 with X and Y filled"}
	}
	if s.D != m.D {
		return Robust{}, &valid.Error{Field: "Set.D", Value: s.D, Rule: "must equal the model's D"}
	}
	if s.M < 1 {
		return Robust{}, &valid.Error{Field: "Set.M", Value: s.M, Rule: "must be >= 1"}
	}
	S := s.M * s.D
	batch = min(batch, s.N)
	ws := vit.NewWorkspace(m.Arch, s.M, batch)
	xadv := make([]float64, batch*S)
	r := Robust{N: s.N, Margins: make([]float64, s.N), Worst: make([]int, s.N), Wins: make([]int, len(attackers))}
	for lo := 0; lo < s.N; lo += batch {
		nb := min(batch, s.N-lo)
		xb, yb := s.X[lo*S:(lo+nb)*S], s.Y[lo:lo+nb]
		f := m.Forward(ws, xb, nb)
		for i := 0; i < nb; i++ {
			mg := yb[i] * f[i]
			r.CleanLoss += vit.Logistic(mg)
			if mg <= 0 {
				r.CleanError++
			}
			r.Margins[lo+i], r.Worst[lo+i] = mg, -1
		}
		for a, att := range attackers {
			att.Perturb(m, xb, yb, nb, xadv)
			f := m.Forward(ws, xadv, nb)
			for i := 0; i < nb; i++ {
				if mg := yb[i] * f[i]; mg < r.Margins[lo+i] {
					r.Margins[lo+i], r.Worst[lo+i] = mg, a
				}
			}
		}
	}
	for i, mg := range r.Margins {
		r.Loss += vit.Logistic(mg)
		if mg <= 0 {
			r.Error++
		}
		if w := r.Worst[i]; w >= 0 {
			r.Wins[w]++
		}
	}
	n := float64(s.N)
	r.CleanLoss /= n
	r.CleanError /= n
	r.Loss /= n
	r.Error /= n
	return r, nil
}
