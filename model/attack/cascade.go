package attack

import (
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Cascade evaluates m on s at budget tau in set in two stages (issue 18
// item 1/4): first p's cheap attackers (PGD, APGD, midpoint, erase and
// always the row attack RowFlip, which is cheaper than one PGD run and
// finds the flips of saturated softmax rows no gradient sees; p's Strong
// flag is ignored), then the strong attack (DefaultStrong(set, tau,
// seed)) ONLY on the undecided points — those neither broken by the cheap
// stage (margin ≤ 0) nor certified (certified[i], a sound certificate's
// lower bound of the worst-case margin > 0, e.g. package certify).
//
// Skipping the certified points loses nothing when the certificate is
// sound: a certified point has min_{Δ∈B(τ)} y f(X+Δ) > 0, so no attack can
// break it. Skipping the broken points does not change the 0-1 error.
// Hence, with a sound certificate, the cascade's Error (robust_err_lb)
// counts every break the strong stage would have found on the undecided
// points, and cheap ≤ cascade ≤ robust_err_ub. (The strong stage draws
// its stream over the undecided batch only, so its per-point results are
// not those of StrongProtocol on the whole set.)
//
// A strong witness counts only after it is re-confirmed here: its margin
// recomputed with m's Forward at the returned inputs and its distance
// Set.Norm(xadv_i − x_i) ≤ tau; a witness that fails either check is
// discarded and the point keeps its cheap margin. The result is the cheap
// stage's Robust with the strong attacker as one more index of Worst and
// Wins (after Erase and RowFlip, as in Protocol.Attackers with Row and Strong) and Loss and
// Error recomputed; the margins of points the cheap stage broke are not
// lowered further, so Loss is an upper bound of StrongProtocol's.
//
// With p.NoSignals (data without signal tokens) both stages are the
// signal-free variants: no midpoint attack in the cheap stage and no
// midpoint start in the strong one (Protocol.NoSignals); the argument
// above does not use the signals, so the bracket holds as before.
//
// certified must have one entry per point of s. Bad arguments return a
// *valid.Error.
func (p Protocol) Cascade(m *vit.Model, s *data.Set, sig data.Signals, set Set, tau float64, seed uint64, certified []bool) (Robust, CascadeStats, error) {
	cheap := p
	cheap.Strong = false
	cheap.Row = true
	r, err := cheap.RobustEval(m, s, sig, set, tau, seed)
	if err != nil {
		return r, CascadeStats{}, err
	}
	if len(certified) != s.N {
		return Robust{}, CascadeStats{}, &valid.Error{Field: "certified", Value: len(certified), Rule: "must have one entry per point of the set"}
	}
	st := CascadeStats{N: s.N, CheapBroken: countBroken(r.Margins)}
	for _, c := range certified {
		if c {
			st.Certified++
		}
	}
	if tau == 0 {
		return r, st, nil
	}
	var und []int
	for i, mg := range r.Margins {
		if mg > 0 && !certified[i] {
			und = append(und, i)
		}
	}
	st.Undecided = len(und)
	strongIdx := len(r.Wins)
	r.Wins = append(r.Wins, 0)
	if len(und) > 0 {
		S := s.M * s.D
		n := len(und)
		x := make([]float64, n*S)
		y := make([]float64, n)
		for j, i := range und {
			copy(x[j*S:(j+1)*S], s.Sample(i))
			y[j] = s.Y[i]
		}
		sc := DefaultStrong(set, tau, seed)
		sc.NoSignals = p.NoSignals
		strong, err := NewStrong(sc, sig, m.Arch, s.M, n)
		if err != nil {
			return Robust{}, st, err
		}
		xadv := make([]float64, n*S)
		strong.Perturb(m, x, y, n, xadv)
		ws := vit.NewWorkspace(m.Arch, s.M, n)
		f := m.Forward(ws, xadv, n)
		d := make([]float64, S)
		for j, i := range und {
			for k := range d {
				d[k] = xadv[j*S+k] - x[j*S+k]
			}
			if !(set.Norm(d, s.M) <= tau) {
				st.Rejected++
				continue
			}
			if mg := y[j] * f[j]; mg < r.Margins[i] {
				if mg <= 0 {
					st.StrongBroken++
				}
				if w := r.Worst[i]; w >= 0 {
					r.Wins[w]--
				}
				r.Margins[i], r.Worst[i] = mg, strongIdx
				r.Wins[strongIdx]++
			}
		}
	}
	r.Loss, r.Error = 0, 0
	for _, mg := range r.Margins {
		r.Loss += vit.Logistic(mg)
		if mg <= 0 {
			r.Error++
		}
	}
	r.Loss /= float64(s.N)
	r.Error /= float64(s.N)
	return r, st, nil
}

// CascadeStats counts what Protocol.Cascade decided where: of N points,
// CheapBroken broken by the cheap stage, Certified certified, Undecided
// attacked by the strong stage, StrongBroken of those broken by it, and
// Rejected strong witnesses discarded by the re-check (outside the ball).
type CascadeStats struct {
	N, CheapBroken, Certified, Undecided, StrongBroken, Rejected int
}

func countBroken(margins []float64) int {
	n := 0
	for _, mg := range margins {
		if mg <= 0 {
			n++
		}
	}
	return n
}
