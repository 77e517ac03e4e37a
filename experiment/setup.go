package experiment

import (
	"math"
	"strconv"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// Setup holds the sizes, the noise law and the optimizer shared by the
// cells of a synthetic sweep (docs/THEORY.md §2, §3, §6.5).
type Setup struct {
	D, M, Dh, Dv   int     // token dimension, tokens, query/key and value widths
	Sigma2, SigmaW float64 // noise standard deviations of token 2 and tokens 3..M
	Project        bool    // project the noise off span(μ₊, μ₋)
	NTest          int     // test points (balanced)
	Shrink         float64 // initialization shrink c: σ₀ = 1/(c√(3d))
	Eta            float64 // GD step η
	MaxSteps       int     // most GD updates
	Target         float64 // stop once the (robust) training loss is below it; 0: never
	PGDSteps       int     // K of the training attack (PGD-K, α = 2.5τ/K, zero start)
	EvalSteps      int     // steps of the evaluation PGD
	EvalRestarts   int     // runs of the evaluation PGD (first from 0, the rest random)
	APGDSteps      int     // iterations of the evaluation APGD (one run from 0); 0: no APGD
	// Set is the perturbation set of training and evaluation attacks
	// (THEORY §3.2: Frobenius ball on X by default, signal token only,
	// per-token balls, ℓ∞); "" means Frobenius.
	Set attack.Set
}

// Validate returns a *valid.Error naming the first bad field (by its
// command-line flag name).
func (s Setup) Validate() error {
	return valid.First(
		valid.IntMin("d", s.D, 2), valid.IntMin("m", s.M, 2),
		valid.IntMin("dh", s.Dh, 1), valid.IntMin("dv", s.Dv, 1),
		valid.Positive("sigma2", s.Sigma2), valid.NonNeg("sigma-w", s.SigmaW),
		valid.EvenIntMin("ntest", s.NTest, 2), valid.Positive("init-shrink", s.Shrink),
		valid.Positive("eta", s.Eta), valid.IntMin("steps", s.MaxSteps, 1),
		valid.NonNeg("target", s.Target), valid.IntMin("pgd-steps", s.PGDSteps, 1),
		valid.IntMin("eval-steps", s.EvalSteps, 1), valid.IntMin("eval-restarts", s.EvalRestarts, 1),
		valid.IntMin("apgd-steps", s.APGDSteps, 0),
		setValid(s.Set),
	)
}

// setValid is attack.Set.Validate with the error renamed to the flag.
func setValid(set attack.Set) error {
	if err := set.Validate(); err != nil {
		return &valid.Error{Field: "set", Value: string(set), Rule: err.(*valid.Error).Rule}
	}
	return nil
}

// threat returns the perturbation set, Frobenius when unset.
func (s Setup) threat() attack.Set {
	if s.Set == "" {
		return attack.Frobenius
	}
	return s.Set
}

// setID is the numeric code of a perturbation set in CSV files (every CSV
// column is numeric, so np.loadtxt reads the file whole): its index in
// attack.Sets() — 0 frobenius, 1 signal-token, 2 per-token, 3 linf.
func setID(set attack.Set) int {
	for i, s := range attack.Sets() {
		if s == set {
			return i
		}
	}
	return -1
}

// trainAttack returns the training attack at budget tau (nil when tau = 0):
// PGD-K with α = 2.5τ/K from zero on the setup's perturbation set.
func (s Setup) trainAttack(arch vit.Arch, m, n int, tau float64) (train.Attacker, error) {
	if tau == 0 {
		return nil, nil
	}
	cfg := attack.TrainConfig(tau)
	cfg.Steps, cfg.Set = s.PGDSteps, s.threat()
	return attack.NewPGD(cfg, arch, m, n)
}

// Arch returns the model architecture (faithful: no score scaling, w_O
// frozen).
func (s Setup) Arch() vit.Arch { return vit.Arch{D: s.D, Dh: s.Dh, Dv: s.Dv} }

// MuFor returns ‖μ‖ = σ₂√d·√(c/N), the signal norm at which N·SNR_2² = c
// (docs/THEORY.md §6.5).
func (s Setup) MuFor(n int, c float64) float64 {
	return s.Sigma2 * math.Sqrt(float64(s.D)) * math.Sqrt(c/float64(n))
}

// Data returns the data configuration of a cell with N = n and ‖μ‖ = mu.
func (s Setup) Data(n int, mu float64) data.Config {
	return data.Config{D: s.D, M: s.M, N: n, NTest: s.NTest, MuNorm: mu, Sigma2: s.Sigma2, SigmaW: s.SigmaW, Project: s.Project}
}

// Optim returns the optimizer settings.
func (s Setup) Optim() train.Config {
	return train.Config{Eta: s.Eta, MaxSteps: s.MaxSteps, Target: s.Target}
}

// setupParams are the column names of Setup in CSV files, in the order of
// (Setup).params.
var setupParams = []string{"d", "m", "dh", "dv", "sigma2", "sigma_w", "project", "n_test", "init_shrink", "eta", "max_steps", "target", "pgd_steps", "eval_steps", "eval_restarts", "set_id", "apgd_steps"}

func (s Setup) params() []string {
	return []string{itoa(s.D), itoa(s.M), itoa(s.Dh), itoa(s.Dv), ftoa(s.Sigma2), ftoa(s.SigmaW), btoa(s.Project),
		itoa(s.NTest), ftoa(s.Shrink), ftoa(s.Eta), itoa(s.MaxSteps), ftoa(s.Target), itoa(s.PGDSteps), itoa(s.EvalSteps), itoa(s.EvalRestarts), itoa(setID(s.threat())), itoa(s.APGDSteps)}
}

// outcomeMetrics are the metric columns of one trained cell (see outcome).
var outcomeMetrics = []string{
	"steps", "converged", "train_obj", "train_err", "min_train_margin",
	"test_loss", "test_err", "robust_test_loss", "robust_test_err", "robust_err_lb", "robust_err_ub",
	"a1", "a2", "entropy", "max_a", "gamma_plus", "gamma_minus", "rho_median", "rho_frac",
}

// Outcome is what a trained cell reports.
type Outcome struct {
	Steps     int
	Converged bool
	TrainObj  float64 // (robust) training loss the stop rule read at the end
	// StepsTo is the first step at which the (robust) training loss was
	// below the eps given to TrainCell (−1 if never; 0 if eps = 0).
	StepsTo int
	Rec     train.Record
	Robust  attack.Robust  // robust test evaluation (clean when τ = 0): robust_err_lb
	Cert    certify.Result // certification of the test set at τ: robust_err_ub
	// Model and Test are the trained model and the test set, for per-point
	// follow-ups (the radius brackets of the tau sweep).
	Model *vit.Model
	Test  *data.Set
	Sig   data.Signals
}

func (o Outcome) fields() []string {
	r := o.Rec
	return []string{itoa(o.Steps), btoa(o.Converged), mtoa(o.TrainObj), mtoa(r.TrainErr), mtoa(r.MinTrainMargin),
		mtoa(r.TestLoss), mtoa(r.TestErr), mtoa(o.Robust.Loss), mtoa(o.Robust.Error), mtoa(o.Robust.Error), mtoa(o.Cert.ErrUB),
		mtoa(r.A1), mtoa(r.A2), mtoa(r.Entropy), mtoa(r.MaxA), mtoa(r.GammaPlus), mtoa(r.GammaMinus), mtoa(r.RhoMedian), mtoa(r.RhoFrac)}
}

// TrainCell draws the data and the initialization of one cell from seed,
// trains clean (tau = 0) or adversarially (PGD at budget tau on s.Set),
// and evaluates the result: the tracked quantities on the clean test set
// and the robust test loss and error, worst case per point over the
// evaluation PGD, APGD, the midpoint attack and the erase attack
// (docs/THEORY.md §3.2, §3.4) — robust_err_lb — and the certified upper
// bound robust_err_ub = 1 − certified fraction (package certify). It also records the first step at which the training objective
// fell below eps (THEORY §8 P6's steps to ε).
func (s Setup) TrainCell(dc data.Config, tau, eps float64, seed uint64) (Outcome, error) {
	trainSet, test, err := data.Draw(dc, seed)
	if err != nil {
		return Outcome{}, err
	}
	m, err := vit.NewInit(s.Arch(), vit.Init{Law: vit.Gaussian, Shrink: s.Shrink}, seed)
	if err != nil {
		return Outcome{}, err
	}
	atk, err := s.trainAttack(m.Arch, dc.M, dc.N, tau)
	if err != nil {
		return Outcome{}, err
	}
	tr, err := train.New(m, trainSet, s.Optim(), atk)
	if err != nil {
		return Outcome{}, err
	}
	stepsTo := -1
	if eps == 0 {
		stepsTo = 0
	}
	res := tr.Run(func(step int, loss float64) {
		if stepsTo < 0 && loss < eps {
			stepsTo = step
		}
	})
	sig := data.SignalsOf(dc)
	out := Outcome{Steps: res.Steps, Converged: res.Converged, TrainObj: res.Loss, StepsTo: stepsTo}
	out.Rec = train.NewProber(m.Arch, trainSet, test, sig, nil).Record(m, res.Steps)
	out.Robust, err = s.robust(m, test, sig, tau, seed)
	if err != nil {
		return out, err
	}
	out.Model, out.Test, out.Sig = m, test, sig
	c, err := certify.New(m, test.M)
	if err != nil {
		return out, err
	}
	out.Cert, err = c.Evaluate(test, s.threat(), tau)
	return out, err
}

// robust evaluates m on s under budget tau (clean when tau = 0): the
// worst case per point over the setup's protocol, robust_err_lb.
func (s Setup) robust(m *vit.Model, set *data.Set, sig data.Signals, tau float64, seed uint64) (attack.Robust, error) {
	if tau == 0 {
		return attack.Evaluate(m, set, set.N)
	}
	return s.protocol().RobustEval(m, set, sig, s.threat(), tau, seed)
}

// protocol is the evaluation protocol of the setup: PGD-EvalSteps ×
// EvalRestarts, APGD-APGDSteps, midpoint and erase (attack.Protocol).
func (s Setup) protocol() attack.Protocol {
	return attack.Protocol{PGDSteps: s.EvalSteps, PGDRestarts: s.EvalRestarts, APGDSteps: s.APGDSteps}
}

// Formatting of CSV fields. Parameters are written exactly (shortest
// representation that round-trips); metrics with 6 significant digits,
// which keeps files small and stable against last-bit differences.
func itoa(v int) string     { return strconv.Itoa(v) }
func utoa(v uint64) string  { return strconv.FormatUint(v, 10) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
func mtoa(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
func btoa(v bool) string {
	if v {
		return "1"
	}
	return "0"
}
