package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"vitadv/model/cell"
	"vitadv/model/data"
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
	// Cascade adds the strong attack on the points the cheap attacks
	// neither broke nor the certificate proved robust
	// (cell.Protocol.Cascade, attack.Protocol.Cascade; issue 18): flag
	// -eval-cascade, CSV column eval_cascade (present only when set).
	Cascade bool
	// Joint certifies the upper ends with package certify's joint bounds
	// as well as the interval bound (cell.Protocol.Joint; issue 18): flag
	// -cert-joint, CSV column cert_joint (present only when set).
	Joint bool
	// DeepNodes > 0 certifies the points left undecided once more with
	// that branch-and-bound budget (cell.Protocol.DeepNodes; issue 18):
	// flag -cert-deep, CSV column cert_deep (present only when > 0).
	DeepNodes int
	// Set is the perturbation set of training and evaluation attacks
	// (THEORY §3.2: Frobenius ball on X by default, signal token only,
	// per-token balls, ℓ∞); "" means Frobenius.
	Set cell.Set
}

// Validate returns a *valid.Error naming the first bad field (by its
// command-line flag name). Besides the sign and parity rules, every size
// and scale has an upper bound (see the Max* limits): values past them
// either exhaust memory or overflow float64 in training, which would write
// NaN into a result file.
func (s Setup) Validate() error {
	return valid.First(
		intIn("d", s.D, 2, MaxDim), intIn("m", s.M, 2, MaxTokens),
		intIn("dh", s.Dh, 1, MaxDim), intIn("dv", s.Dv, 1, MaxDim),
		floatIn("sigma2", s.Sigma2, 0, MaxScale, false), floatIn("sigma-w", s.SigmaW, 0, MaxScale, true),
		valid.EvenIntMin("ntest", s.NTest, 2), intIn("ntest", s.NTest, 2, MaxPoints),
		floatIn("init-shrink", s.Shrink, MinShrink, MaxScale, true),
		floatIn("eta", s.Eta, 0, MaxEta, false), intIn("steps", s.MaxSteps, 1, MaxSteps),
		floatIn("target", s.Target, 0, MaxScale, true), intIn("pgd-steps", s.PGDSteps, 1, MaxAttackSteps),
		intIn("eval-steps", s.EvalSteps, 1, MaxAttackSteps), intIn("eval-restarts", s.EvalRestarts, 1, MaxRestarts),
		intIn("cert-deep", s.DeepNodes, 0, cell.MaxDeepNodes),
		intIn("apgd-steps", s.APGDSteps, 0, MaxAttackSteps),
		setValid(s.Set),
	)
}

// Limits of the experiment configurations. They are far above every
// preset (paper: d = 2048, M = 16, 1960 test points, 5000 steps) and keep
// a mistyped value from exhausting memory or overflowing: a cell of
// training-set size N holds about CellBytes(N) bytes, which must stay
// below MaxCellBytes (each of -workers cells holds that much at once).
const (
	MaxDim         = 1 << 16 // d, d_h, d_v
	MaxTokens      = 1 << 12 // M
	MaxPoints      = 1 << 24 // N and test points
	MaxScale       = 1e6     // σ₂, σ_w, the init shrink, the loss target
	MinShrink      = 1e-6    // smallest init shrink (σ₀ = 1/(c√(3d)) overflows the logits below it)
	MaxEta         = 1e6     // GD step
	MaxSteps       = 1e7     // GD steps
	MaxAttackSteps = 1e5     // PGD steps (training and evaluation)
	MaxRestarts    = 1e4     // evaluation PGD runs
	MaxMu          = 1e6     // ‖μ‖ (given or derived from c)
	MaxTauOverMu   = 1e3     // attack budget over ‖μ‖
	MaxCells       = 1e6     // cells of one job (grid points × replicates)
	MaxRows        = 1e7     // CSV rows of one job (dynamics: cells × logged steps)
	MaxCellBytes   = 4 << 30 // estimated memory of one cell (CellBytes)
)

// CellBytes estimates the memory of one cell of training-set size n: the
// train and test tokens with their perturbations and gradients, the
// weights with their gradients and optimizer copies, and the per-token
// activations of the forward and backward passes, with a factor 2 margin.
// It is computed in float64 so that absurd sizes do not overflow.
func (s Setup) CellBytes(n int) float64 {
	pts := float64(n) + float64(s.NTest)
	d, m, dh, dv := float64(s.D), float64(s.M), float64(s.Dh), float64(s.Dv)
	floats := float64(4*pts*m*d) + float64(4*(float64(2*d*dh)+float64(d*dv))) + float64(4*pts*m*(2*dh+dv+m))
	return 2 * 8 * floats
}

// checkJob validates the grid-level sizes of a job whose largest
// training-set size is nmax: the memory of one cell (CellBytes), the number
// of cells and of CSV rows (rowsPerCell per cell), and the signal norms
// ‖μ‖ of every (n, c) — c is c = N·SNR_2² unless isMu, then it is ‖μ‖.
// The job has points grid points of reps replicates each (flag repsField).
func (s Setup) checkJob(ns []int, cs []float64, field string, isMu bool, points float64, repsField string, reps int, rowsPerCell float64) error {
	for _, n := range ns {
		if err := intIn("n", n, 2, MaxPoints); err != nil {
			return err
		}
		if b := s.CellBytes(n); !(b <= MaxCellBytes) {
			return &valid.Error{Field: "n", Value: n, Rule: fmt.Sprintf(
				"one cell at N = %d, d = %d, M = %d, d_h = %d, d_v = %d, %d test points needs about %.3g GB; the limit is %.3g GB (experiment.MaxCellBytes)",
				n, s.D, s.M, s.Dh, s.Dv, s.NTest, b/1e9, float64(MaxCellBytes)/1e9)}
		}
		for _, c := range cs {
			mu := c
			if !isMu {
				mu = s.MuFor(n, c)
			}
			if !(mu <= MaxMu) {
				return &valid.Error{Field: field, Value: c, Rule: fmt.Sprintf("gives ‖μ‖ = %.3g at N = %d, above %g (experiment.MaxMu)", mu, n, MaxMu)}
			}
		}
	}
	cells := points * float64(reps)
	if !(cells <= MaxCells) {
		return &valid.Error{Field: repsField, Value: reps, Rule: fmt.Sprintf("the grid has %.3g cells (%.3g grid points × %d), more than %g (experiment.MaxCells)", cells, points, reps, MaxCells)}
	}
	if rows := cells * rowsPerCell; !(rows <= MaxRows) {
		return &valid.Error{Field: "steps", Value: s.MaxSteps, Rule: fmt.Sprintf("the job writes %.3g CSV rows, more than %g (experiment.MaxRows)", rows, MaxRows)}
	}
	return nil
}

// intIn returns a *valid.Error unless lo <= v <= hi.
func intIn(field string, v, lo int, hi float64) error {
	if v < lo || float64(v) > hi {
		return &valid.Error{Field: field, Value: v, Rule: fmt.Sprintf("must be in [%d, %.0f]", lo, hi)}
	}
	return nil
}

// floatIn returns a *valid.Error unless v is finite, lo < v <= hi (lo <= v
// with closed).
func floatIn(field string, v, lo, hi float64, closed bool) error {
	ok := v <= hi && (v > lo || closed && v == lo)
	if !ok || math.IsInf(v, 0) {
		op := "<"
		if closed {
			op = "<="
		}
		return &valid.Error{Field: field, Value: v, Rule: fmt.Sprintf("must be finite, %g %s value <= %g", lo, op, hi)}
	}
	return nil
}

// setValid is cell.Set.Validate with the error renamed to the flag.
func setValid(set cell.Set) error {
	if err := set.Validate(); err != nil {
		return &valid.Error{Field: "set", Value: string(set), Rule: err.(*valid.Error).Rule}
	}
	return nil
}

// threat returns the perturbation set, Frobenius when unset.
func (s Setup) threat() cell.Set {
	if s.Set == "" {
		return cell.Frobenius
	}
	return s.Set
}

// setID is the numeric code of a perturbation set in CSV files (every CSV
// column is numeric, so np.loadtxt reads the file whole): its index in
// cell.Sets() — 0 frobenius, 1 signal-token, 2 per-token, 3 linf.
func setID(set cell.Set) int {
	for i, s := range cell.Sets() {
		if s == set {
			return i
		}
	}
	return -1
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
func (s Setup) Optim() cell.Optimizer {
	return cell.Optimizer{Eta: s.Eta, MaxSteps: s.MaxSteps, Target: s.Target}
}

// Spec returns the cell of data law dc trained at budget tau from seed:
// Gaussian initialization at the setup's shrink, the setup's optimizer,
// PGD-PGDSteps training attack and evaluation protocol on its perturbation
// set. A sweep writes a diverged cell's NaN metrics to its file, so the
// spec allows non-finite losses (cell.Spec.AllowNonFinite).
func (s Setup) Spec(dc data.Config, tau float64, seed uint64) cell.Spec {
	return cell.Spec{
		Data: dc, Arch: s.Arch(), Init: vit.Init{Law: vit.Gaussian, Shrink: s.Shrink}, Train: s.Optim(),
		Tau: tau, Set: s.threat(), PGDSteps: s.PGDSteps, Seed: seed,
		Eval:           s.Protocol(),
		AllowNonFinite: true,
	}
}

// Protocol returns the robust-evaluation protocol of the setup's cells:
// PGD-EvalSteps × EvalRestarts, APGD-APGDSteps, the midpoint and erase
// attacks and, with Cascade, the strong attack on the undecided points.
func (s Setup) Protocol() cell.Protocol {
	return cell.Protocol{PGDSteps: s.EvalSteps, PGDRestarts: s.EvalRestarts, APGDSteps: s.APGDSteps, Cascade: s.Cascade, Joint: s.Joint, DeepNodes: s.DeepNodes}
}

// setupParams are the column names of Setup in CSV files, in the order of
// (Setup).params, without the optional eval_cascade, cert_joint and
// cert_deep (Setup.paramNames).
var setupParams = []string{"d", "m", "dh", "dv", "sigma2", "sigma_w", "project", "n_test", "init_shrink", "eta", "max_steps", "target", "pgd_steps", "eval_steps", "eval_restarts", "set_id", "apgd_steps"}

// paramNames returns the column names of s: setupParams, then
// eval_cascade when s.Cascade, cert_joint when s.Joint and cert_deep when
// s.DeepNodes > 0 (a file evaluated without them keeps the columns it had
// before they existed, and a run resumed with the other protocol stops at
// the header instead of mixing the two).
func (s Setup) paramNames() []string {
	p := setupParams
	if s.Cascade {
		p = slices.Concat(p, []string{"eval_cascade"})
	}
	names, _ := s.certColumns()
	return slices.Concat(p, names)
}

// params formats s in the order of paramNames.
func (s Setup) params() []string {
	p := []string{itoa(s.D), itoa(s.M), itoa(s.Dh), itoa(s.Dv), ftoa(s.Sigma2), ftoa(s.SigmaW), btoa(s.Project),
		itoa(s.NTest), ftoa(s.Shrink), ftoa(s.Eta), itoa(s.MaxSteps), ftoa(s.Target), itoa(s.PGDSteps), itoa(s.EvalSteps), itoa(s.EvalRestarts), itoa(setID(s.threat())), itoa(s.APGDSteps)}
	if s.Cascade {
		p = append(p, btoa(s.Cascade))
	}
	_, values := s.certColumns()
	return append(p, values...)
}

// certColumns returns the optional certificate columns of a results file
// of s and their values, the last of its parameter columns (after the
// cascade's): cert_joint = 1 when s.Joint and cert_deep = s.DeepNodes when
// it is > 0. The τ and phase sweeps (paramNames) and the MNIST sweep
// (MNISTConfig.paramNames) write them alike.
func (s Setup) certColumns() (names, values []string) {
	if s.Joint {
		names, values = append(names, "cert_joint"), append(values, btoa(s.Joint))
	}
	if s.DeepNodes > 0 {
		names, values = append(names, "cert_deep"), append(values, itoa(s.DeepNodes))
	}
	return names, values
}

// outcomeMetrics are the metric columns of one trained cell (see outcome).
var outcomeMetrics = []string{
	"steps", "converged", "train_obj", "train_err", "min_train_margin",
	"test_loss", "test_err", "robust_test_loss", "robust_test_err", "robust_err_lb", "robust_err_ub",
	"a1", "a2", "entropy", "max_a", "gamma_plus", "gamma_minus", "rho_median", "rho_frac",
}

// Outcome is what a trained cell reports: the run (for per-point
// follow-ups such as the radius brackets of the tau sweep) and its
// evaluation at the cell's budget.
type Outcome struct {
	Run  *cell.Run
	Eval cell.Eval
	// StepsTo is the first step at which the (robust) training loss was
	// below the eps given to TrainCell (−1 if never; 0 if eps = 0).
	StepsTo int
	// AdvAttention is the attention on the attacked test inputs
	// (cell.Run.AdvAttention), when the sweep asks for it
	// (StepAxis.AdvAttention); zero otherwise.
	AdvAttention cell.Attention
}

func (o Outcome) fields() []string {
	r, res, rob := o.Eval.Record, o.Run.Result, o.Eval.Robust
	return []string{itoa(res.Steps), btoa(res.Converged), mtoa(res.Loss), mtoa(r.TrainErr), mtoa(r.MinTrainMargin),
		mtoa(r.TestLoss), mtoa(r.TestErr), mtoa(rob.Loss), mtoa(rob.Error), mtoa(rob.Error), mtoa(o.Eval.Cert.ErrUB),
		mtoa(r.A1), mtoa(r.A2), mtoa(r.Entropy), mtoa(r.MaxA), mtoa(r.GammaPlus), mtoa(r.GammaMinus), mtoa(r.RhoMedian), mtoa(r.RhoFrac)}
}

// TrainCell trains the cell s.Spec(dc, tau, seed) (cell.Train: data and
// initialization from seed, clean GD when tau = 0, PGD adversarial
// training at budget tau on s.Set otherwise) and evaluates it
// (cell.Run.Evaluate): the tracked quantities on the clean test set and
// the robust test loss and error, worst case per point over the evaluation
// PGD, APGD, the midpoint attack and the erase attack (docs/THEORY.md
// §3.2, §3.4) — robust_err_lb — and the certified upper bound
// robust_err_ub = 1 − certified fraction (package certify). It also
// records the first step at which the training objective fell below eps
// (THEORY §8 P6's steps to ε). onStep, if not nil, is called with each GD
// step (progress).
func (s Setup) TrainCell(dc data.Config, tau, eps float64, seed uint64, onStep func(int)) (Outcome, error) {
	ctx := context.Background()
	if onStep != nil {
		ctx = cell.WithProgress(ctx, onStep)
	}
	return trainSpecCtx(ctx, s.Spec(dc, tau, seed), eps)
}

// trainSpec is TrainCell of a built spec (the grid sweeps set its
// FlowTime and Early).
func trainSpec(spec cell.Spec, eps float64, onStep func(int)) (Outcome, error) {
	ctx := context.Background()
	if onStep != nil {
		ctx = cell.WithProgress(ctx, onStep)
	}
	return trainSpecCtx(ctx, spec, eps)
}

func trainSpecCtx(ctx context.Context, spec cell.Spec, eps float64) (Outcome, error) {
	run, err := cell.Train(ctx, spec)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Run: run, StepsTo: run.StepsTo(eps)}
	out.Eval, err = run.Evaluate()
	return out, err
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
