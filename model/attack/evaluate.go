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

// Protocol is the robust-evaluation protocol of docs/THEORY.md §3.2: PGD
// with restarts, APGD (Croce & Hein 2020) and the exact midpoint and erase
// attacks (§3.4), worst case per point.
type Protocol struct {
	PGDSteps, PGDRestarts int // PGD-K with this many runs (zero start, then random)
	APGDSteps             int // APGD iterations (one run from Δ = 0); 0 disables APGD
	Batch                 int // samples per batch; 0 means the whole set
	// Row adds the row attack (RowFlip, DefaultRowFlip; after erase) to
	// the ensemble; Cascade's cheap stage always has it.
	Row bool
	// Strong adds the strong attack (DefaultStrong, after the others) to
	// the ensemble; see StrongProtocol.
	Strong bool
	// NoSignals selects the signal-free variant for data without signal
	// tokens (the MNIST images): the midpoint attack, the only attack
	// that reads data.Signals, is left out of the ensemble, and the strong
	// attack runs without its midpoint start (StrongConfig.NoSignals).
	// Every other attack — PGD, APGD, erase (x_0 ← 0 needs no signal),
	// the row attack and the rest of the strong attack — is unchanged.
	// One rule: with NoSignals the signals passed must be empty (the zero
	// data.Signals), without it they must have the token dimension; the
	// other combinations are a *valid.Error naming Signals.
	NoSignals bool
}

// DefaultProtocol is PGD-20 × 5 runs and APGD-100.
func DefaultProtocol() Protocol { return Protocol{PGDSteps: 20, PGDRestarts: 5, APGDSteps: 100} }

// Validate returns a *valid.Error naming the first bad field.
func (p Protocol) Validate() error {
	return valid.First(valid.IntMin("PGDSteps", p.PGDSteps, 1), valid.IntMin("PGDRestarts", p.PGDRestarts, 1),
		valid.IntMin("APGDSteps", p.APGDSteps, 0), valid.IntMin("Batch", p.Batch, 0))
}

// Attackers returns the protocol's attackers at budget tau in set for
// batches of batch samples of M tokens: PGD, APGD (if enabled), Midpoint
// (unless p.NoSignals), Erase, RowFlip if p.Row, then Strong if p.Strong,
// in that order (the indices of Robust.Worst and Robust.Wins).
func (p Protocol) Attackers(arch vit.Arch, M, batch int, sig data.Signals, set Set, tau float64, seed uint64) ([]Attacker, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := checkSignals(p.NoSignals, sig); err != nil {
		return nil, err
	}
	cfg := EvalConfig(set, tau, seed)
	cfg.Steps, cfg.Restarts = p.PGDSteps, p.PGDRestarts
	pgd, err := NewPGD(cfg, arch, M, batch)
	if err != nil {
		return nil, err
	}
	atk := []Attacker{pgd}
	if p.APGDSteps > 0 {
		ac := EvalAPGD(set, tau, seed)
		ac.Steps = p.APGDSteps
		ap, err := NewAPGD(ac, arch, M, batch)
		if err != nil {
			return nil, err
		}
		atk = append(atk, ap)
	}
	if !p.NoSignals {
		mid, err := NewMidpoint(sig, M, set, tau)
		if err != nil {
			return nil, err
		}
		atk = append(atk, mid)
	}
	er, err := NewErase(M, set, tau)
	if err != nil {
		return nil, err
	}
	atk = append(atk, er)
	if p.Row {
		rf, err := NewRowFlip(DefaultRowFlip(set, tau), arch, M, batch)
		if err != nil {
			return nil, err
		}
		atk = append(atk, rf)
	}
	if p.Strong {
		sc := DefaultStrong(set, tau, seed)
		sc.NoSignals = p.NoSignals
		st, err := NewStrong(sc, sig, arch, M, batch)
		if err != nil {
			return nil, err
		}
		atk = append(atk, st)
	}
	return atk, nil
}

// RobustEval evaluates m on s at budget tau in set under protocol p, worst
// case per point over every attacker (clean evaluation when tau = 0).
// Its Error is robust_err_lb: each counted point has a witness.
func (p Protocol) RobustEval(m *vit.Model, s *data.Set, sig data.Signals, set Set, tau float64, seed uint64) (Robust, error) {
	if s == nil || s.N < 1 {
		return Evaluate(m, s, 1)
	}
	batch := s.N
	if p.Batch > 0 {
		batch = min(p.Batch, s.N)
	}
	if tau == 0 {
		return Evaluate(m, s, batch)
	}
	atk, err := p.Attackers(m.Arch, s.M, batch, sig, set, tau, seed)
	if err != nil {
		return Robust{}, err
	}
	return Evaluate(m, s, batch, atk...)
}

// RobustEval is DefaultProtocol().RobustEval: PGD-20 × 5, APGD-100,
// midpoint and erase, worst case per point (docs/THEORY.md §3.2).
func RobustEval(m *vit.Model, s *data.Set, sig data.Signals, set Set, tau float64, seed uint64) (Robust, error) {
	return DefaultProtocol().RobustEval(m, s, sig, set, tau, seed)
}

// checkSignals applies the one rule of Protocol.NoSignals and
// StrongConfig.NoSignals: signal-free (noSignals) exactly when sig is the
// zero data.Signals. A signal-free evaluation handed signals, or a
// signal-using one handed none, is a *valid.Error naming Signals.
func checkSignals(noSignals bool, sig data.Signals) error {
	empty := len(sig.Plus) == 0 && len(sig.Minus) == 0
	switch {
	case noSignals && !empty:
		return &valid.Error{Field: "Signals", Value: len(sig.Plus), Rule: "must be empty with NoSignals (the signal-free protocol reads no signal token)"}
	case !noSignals && empty:
		return &valid.Error{Field: "Signals", Value: 0, Rule: "must be given without NoSignals (the midpoint attack needs the signal tokens; NoSignals selects the signal-free protocol)"}
	}
	return nil
}
