package cell

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Set is a perturbation set (attack.Set): Frobenius (the default),
// signal-token, per-token or ℓ∞ (docs/THEORY.md §3.2). The configurations
// above this package name sets through it.
type Set = attack.Set

// The perturbation sets, as in package attack.
const (
	Frobenius   = attack.Frobenius
	SignalToken = attack.SignalToken
	PerToken    = attack.PerToken
	Linf        = attack.Linf
)

// Sets lists the perturbation sets in their CSV order (attack.Sets).
func Sets() []Set { return attack.Sets() }

// Record is one probe of the tracked quantities (train.Record).
type Record = train.Record

// Optimizer is the gradient-descent configuration of a Spec
// (train.Config: step size η, most updates, stop rule).
type Optimizer = train.Config

// RecordColumns names the numeric fields of a Record in the order of
// Record.Floats (train.Columns).
func RecordColumns() []string { return train.Columns() }

// Protocol is a robust-evaluation protocol: attack.Protocol's PGD with
// restarts, APGD and the exact midpoint and erase attacks, worst case per
// point (docs/THEORY.md §3.2) — or, with PGDOnly, the evaluation PGD alone
// (the MNIST experiment's default: its data have no signal tokens for the
// midpoint attack). With Cascade, the strong attack (attack.DefaultStrong)
// then runs on the points neither broken by those attacks nor certified
// by package certify (attack.Protocol.Cascade); off in the zero value and
// DefaultProtocol, on in the smoke and ci presets' adversarial runs
// (experiment.Setup.Cascade, flag -eval-cascade), so that the committed
// ci brackets use the strong protocol. The zero value means
// DefaultProtocol.
//
// NoSignals selects the signal-free variant of everything above for data
// without signal tokens (a run from a Source, e.g. MNIST): the midpoint
// attack and the strong attack's midpoint start are left out
// (attack.Protocol.NoSignals); PGD, APGD, erase, the row attack of the
// cascade's cheap stage and the rest of the strong attack run as before.
// The rule is one: NoSignals exactly when the signals handed to Robust
// are the zero data.Signals (else a *valid.Error naming Signals).
// PGDOnly is already signal-free and has no cascade, so PGDOnly with
// Cascade or with NoSignals is a *valid.Error.
//
// Joint selects the certificate of the upper ends (robust_err_ub, and the
// cascade's set of points left to attack): with it, package certify's
// joint bounds (certify.Certifier.SetJoint: the larger of the interval
// bound and the first-order, split, row-share and top-shift bounds, all
// sound); without it the interval bound alone, as the files written
// before it were certified. Off in the zero value and DefaultProtocol,
// on in the smoke and ci presets' adversarial runs (experiment.Setup.Joint,
// flag -cert-joint). It changes no lower end computed without the
// cascade; with the cascade, the strong attack runs on the points the
// larger certificate leaves.
//
// DeepNodes > 0 adds a last stage: every test point left undecided at the
// end (neither broken by an attack nor certified) is certified again with
// a branch-and-bound budget of DeepNodes bound evaluations instead of
// certify.DefaultNodes (certify.Certifier.SetNodes; the same bounds, so the
// same soundness), and counts as certified if that bound is positive. It
// only lowers upper ends, and costs only on the undecided points (at 4096
// nodes about 0.2 s a point at the MNIST ci shape, M = 4, and 1 s at the
// ci shape, M = 8: certify's BenchmarkCertifyDeep; issue 18).
// 0 (the zero value and DefaultProtocol) leaves it out, as every file
// written before it.
type Protocol struct {
	PGDSteps    int  `json:"pgd_steps"`    // K of the evaluation PGD
	PGDRestarts int  `json:"pgd_restarts"` // PGD runs (the first from Δ = 0, the rest random)
	APGDSteps   int  `json:"apgd_steps"`   // APGD iterations (one run from Δ = 0); 0: no APGD
	PGDOnly     bool `json:"pgd_only,omitzero"`
	Cascade     bool `json:"cascade,omitzero"`
	NoSignals   bool `json:"no_signals,omitzero"`
	Joint       bool `json:"joint,omitzero"`
	DeepNodes   int  `json:"deep_nodes,omitzero"`
}

// MaxDeepNodes is the largest Protocol.DeepNodes: past it one undecided
// point could hold a run for minutes.
const MaxDeepNodes = 1 << 20

// DefaultProtocol is PGD-20 × 5 runs, APGD-100, midpoint and erase
// (attack.DefaultProtocol).
func DefaultProtocol() Protocol {
	p := attack.DefaultProtocol()
	return Protocol{PGDSteps: p.PGDSteps, PGDRestarts: p.PGDRestarts, APGDSteps: p.APGDSteps}
}

// attacks returns p as an attack.Protocol (whole-set batches).
func (p Protocol) attacks() attack.Protocol {
	return attack.Protocol{PGDSteps: p.PGDSteps, PGDRestarts: p.PGDRestarts, APGDSteps: p.APGDSteps, NoSignals: p.NoSignals}
}

// orDefault returns p, or DefaultProtocol for the zero value (keeping
// Cascade, NoSignals, Joint and DeepNodes when they are the only fields
// set).
func (p Protocol) orDefault() Protocol {
	if p == (Protocol{Cascade: p.Cascade, NoSignals: p.NoSignals, Joint: p.Joint, DeepNodes: p.DeepNodes}) {
		d := DefaultProtocol()
		d.Cascade, d.NoSignals, d.Joint, d.DeepNodes = p.Cascade, p.NoSignals, p.Joint, p.DeepNodes
		return d
	}
	return p
}

// check returns a *valid.Error for the inconsistent combinations of
// flags, PGDOnly with Cascade or with NoSignals, and for DeepNodes outside
// [0, MaxDeepNodes].
func (p Protocol) check() error {
	switch {
	case p.DeepNodes < 0 || p.DeepNodes > MaxDeepNodes:
		return &valid.Error{Field: "Protocol.DeepNodes", Value: p.DeepNodes, Rule: fmt.Sprintf("must be in [0, %d]", MaxDeepNodes)}
	case p.PGDOnly && p.Cascade:
		return &valid.Error{Field: "Protocol.Cascade", Value: true, Rule: "not with pgd_only (the PGD alone has no cascade; no_signals selects the signal-free cascade)"}
	case p.PGDOnly && p.NoSignals:
		return &valid.Error{Field: "Protocol.NoSignals", Value: true, Rule: "not with pgd_only (the PGD alone is already signal-free)"}
	}
	return nil
}

// Robust evaluates m on s at budget tau in set under p, worst case per
// point over every attacker and the clean input (attack.Robust); clean
// evaluation when tau = 0. Its Error is robust_err_lb: each counted point
// has a witness.
//
// With p.Cascade it certifies the points of s first (package certify) and
// runs attack.Protocol.Cascade. With p.NoSignals sig must be the zero
// data.Signals (see Protocol); PGDOnly with Cascade or NoSignals is a
// *valid.Error.
func (p Protocol) Robust(m *vit.Model, s *data.Set, sig data.Signals, set Set, tau float64, seed uint64) (attack.Robust, error) {
	return p.robust(m, s, sig, set, tau, seed, nil)
}

// robust is Robust with the certificate of s at (set, tau) when the
// caller has it (cert non-nil; it is computed here if Cascade needs it).
func (p Protocol) robust(m *vit.Model, s *data.Set, sig data.Signals, set Set, tau float64, seed uint64, cert *certify.Result) (attack.Robust, error) {
	p = p.orDefault()
	if err := p.check(); err != nil {
		return attack.Robust{}, err
	}
	if p.Cascade {
		if tau == 0 {
			return p.attacks().RobustEval(m, s, sig, set, tau, seed)
		}
		if cert == nil {
			cr, err := certifySet(m, s, set, tau, p.Joint)
			if err != nil {
				return attack.Robust{}, err
			}
			cert = &cr
		}
		mask := make([]bool, len(cert.Bounds))
		for i, b := range cert.Bounds {
			mask[i] = b > 0
		}
		r, _, err := p.attacks().Cascade(m, s, sig, set, tau, seed, mask)
		return r, err
	}
	if !p.PGDOnly {
		return p.attacks().RobustEval(m, s, sig, set, tau, seed)
	}
	if tau == 0 {
		return attack.Evaluate(m, s, s.N)
	}
	cfg := attack.EvalConfig(set, tau, seed)
	cfg.Steps, cfg.Restarts = p.PGDSteps, p.PGDRestarts
	pgd, err := attack.NewPGD(cfg, m.Arch, s.M, s.N)
	if err != nil {
		return attack.Robust{}, err
	}
	return attack.Evaluate(m, s, s.N, pgd)
}

// set returns the test set (test) or the training set of r.
func (r *Run) set(test bool) *data.Set {
	if test {
		return r.Test
	}
	return r.Train
}

// Robust evaluates the final model of r on its test set (test) or training
// set at budget tau in set under protocol p (Protocol.Robust), with the
// attack streams of r's seed.
func (r *Run) Robust(test bool, p Protocol, set Set, tau float64) (attack.Robust, error) {
	return p.Robust(r.Model, r.set(test), r.Sig, set, tau, r.Spec.Seed)
}

// Certify certifies the final model of r on its test set (test) or
// training set at budget tau in set (package certify) with the certificate
// of r's protocol (r.Spec.Eval.Joint): Result.ErrUB is robust_err_ub =
// 1 − certified fraction, a sound upper bound.
func (r *Run) Certify(test bool, set Set, tau float64) (certify.Result, error) {
	return certifySet(r.Model, r.set(test), set, tau, r.Spec.Eval.Joint)
}

// certifySet certifies m on the points of s at budget tau in set (package
// certify): the interval bound, and with joint the joint bounds as well.
func certifySet(m *vit.Model, s *data.Set, set Set, tau float64, joint bool) (certify.Result, error) {
	c, err := newCertifier(m, s.M, joint)
	if err != nil {
		return certify.Result{}, err
	}
	return c.Evaluate(s, set, tau)
}

// newCertifier returns a certifier of m on samples of M tokens with the
// joint bounds on or off (Protocol.Joint), whatever certify.DefaultJoint is.
func newCertifier(m *vit.Model, M int, joint bool) (*certify.Certifier, error) {
	c, err := certify.New(m, M)
	if err != nil {
		return nil, err
	}
	c.SetJoint(joint)
	return c, nil
}

// Record returns the probe of the final model (train.Prober: clean
// metrics on both sets, attention, signal and noise scores); it needs the
// signal vectors, so a run from a Source has none to give.
func (r *Run) Record() train.Record {
	return train.NewProber(r.Model.Arch, r.Train, r.Test, r.Sig, nil).Record(r.Model, r.Result.Steps)
}

// Eval is the evaluation of a run at its Spec's budget: the final probe,
// the robust evaluation of the test set (Robust.Error = robust_err_lb) and
// its certificate (Cert.ErrUB = robust_err_ub).
type Eval struct {
	Record train.Record
	Robust attack.Robust
	Cert   certify.Result
}

// Bracket is the robust-error bracket of the final model of r on its test
// set (test) or training set at budget tau in set under protocol p: the
// certificate (p.Joint's, as Run.Certify: ErrUB = robust_err_ub) and the attacks
// (Run.Robust: Error = robust_err_lb), the cascade reusing the
// certificate instead of computing it twice. Unlike Evaluate it needs no
// signal vectors beyond what p reads, so it serves runs from a Source.
//
// With p.DeepNodes > 0 the points left undecided are certified once more
// with that budget (Protocol), and cert counts the ones it proves.
func (r *Run) Bracket(test bool, p Protocol, set Set, tau float64) (attack.Robust, certify.Result, error) {
	if err := p.check(); err != nil {
		return attack.Robust{}, certify.Result{}, err
	}
	s := r.set(test)
	c, err := newCertifier(r.Model, s.M, p.Joint)
	if err != nil {
		return attack.Robust{}, certify.Result{}, err
	}
	cert, err := c.Evaluate(s, set, tau)
	if err != nil {
		return attack.Robust{}, cert, err
	}
	rob, err := p.robust(r.Model, s, r.Sig, set, tau, r.Spec.Seed, &cert)
	if err != nil || p.DeepNodes == 0 || tau == 0 {
		return rob, cert, err
	}
	deepen(c, s, set, tau, p.DeepNodes, &cert, rob.Margins)
	return rob, cert, nil
}

// deepen is Protocol.DeepNodes's stage: with c's branch-and-bound budget
// set to nodes, it certifies again every point of s that cert does not
// certify and no attack broke (margins[i] > 0), and records in cert the
// bounds it raises above 0 (Bounds, Certified, ErrUB).
func deepen(c *certify.Certifier, s *data.Set, set Set, tau float64, nodes int, cert *certify.Result, margins []float64) {
	c.SetNodes(nodes)
	for i, b := range cert.Bounds {
		if b > 0 || !(margins[i] > 0) {
			continue
		}
		if db := c.Margin(s.Sample(i), s.Y[i], set, tau); db > 0 {
			cert.Bounds[i] = db
			cert.Certified++
		}
	}
	cert.ErrUB = 1 - float64(cert.Certified)/float64(cert.N)
}

// Evaluate evaluates r on its test set at r.Spec.Tau in r.Spec.Set under
// r.Spec.Eval: the final probe, the attacks and the certificate. On an
// error it returns what it computed so far. The probe needs the signal
// vectors: for a run from a Source (no signals) it returns a *valid.Error
// naming Run.Sig, and Bracket is the evaluation to call.
func (r *Run) Evaluate() (Eval, error) {
	if len(r.Sig.Plus) != r.Test.D || len(r.Sig.Minus) != r.Test.D {
		return Eval{}, &valid.Error{Field: "Run.Sig", Value: len(r.Sig.Plus), Rule: "Evaluate probes the signal vectors, which a run from a Source has not: call Bracket"}
	}
	ev := Eval{Record: r.Record()}
	var err error
	ev.Robust, ev.Cert, err = r.Bracket(true, r.Spec.Eval, r.Spec.Set, r.Spec.Tau)
	return ev, err
}

// Clean is the clean evaluation of a run without signal vectors (a
// Source): the training 0-1 error and the mean attention of the test
// points on tokens 1 and 2 and its mean entropy,
//
//	a_l = (1/n) Σ_i softmax_l,   entropy = (1/n) Σ_i −Σ_l a_il ln a_il.
type Clean struct {
	TrainErr, A1, A2, Entropy float64
}

// Clean evaluates the final model of r (see Clean).
func (r *Run) Clean() Clean {
	m, tr, te := r.Model, r.Train, r.Test
	ws := vit.NewWorkspace(m.Arch, te.M, max(tr.N, te.N))
	at := train.MeanAttention(m, ws, te.X, te.N, te.M)
	return Clean{TrainErr: train.Evaluate(m, ws, tr, nil, nil).Err, A1: at.A1, A2: at.A2, Entropy: at.Entropy}
}
