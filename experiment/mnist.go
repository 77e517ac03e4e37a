package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"

	"vitadv/model/cell"
	"vitadv/model/data"
	"vitadv/model/rng"
	"vitadv/model/valid"

	"vitadv/model/data/mnist"
	"vitadv/sweep"
)

// MNISTConfig is the MNIST 0-vs-1 experiment of docs/THEORY.md §6.3 [PROP]:
// token 1 is the (pooled, centred) image rescaled to norm ‖μ‖, token 2 is
// N(0, σ₂²I) noise and tokens 3..M are N(0, σ_w²I) with σ_w = σ₂·WeakRatio;
// labels 0 → −1, 1 → +1. The sweep runs over N and σ₂ (so over
// c = N·SNR_2², SNR_2 = ‖μ‖/(σ₂√d)).
type MNISTConfig struct {
	Pool      int       // average-pool factor: 1 keeps 28×28 (d = 784), 2 gives 14×14 (d = 196)
	Center    bool      // subtract the mean image of the 0/1 training pool before rescaling
	Mu        float64   // ‖μ‖, the norm of every signal token
	Sigma2    []float64 // noise levels σ₂ swept
	WeakRatio float64   // σ_w/σ₂ (the scripts' 1/20)
	N         []int
	Reps      int
	TauOverMu float64 // 0: clean GD; > 0: ℓ₂ adversarial training
	Seed      uint64
	// Setup: D is set from Pool; Sigma2 and SigmaW are unused. The robust
	// error is the evaluation PGD's alone by default; with Cascade
	// (-eval-cascade) it is the signal-free strong protocol (see protocol).
	Setup
}

// Dim returns the token dimension (28/Pool)².
func (c MNISTConfig) Dim() int { return (28 / c.Pool) * (28 / c.Pool) }

// Validate returns a *valid.Error naming the first bad field by its flag.
func (c MNISTConfig) Validate() error {
	if c.Pool != 1 && c.Pool != 2 && c.Pool != 4 {
		return &valid.Error{Field: "pool", Value: c.Pool, Rule: "must be 1, 2 or 4"}
	}
	s := c.Setup
	s.D, s.Sigma2 = c.Dim(), 1
	if err := s.Validate(); err != nil {
		return err
	}
	if err := valid.First(floatIn("mu", c.Mu, 0, MaxMu, false), floatIn("weak-ratio", c.WeakRatio, 0, MaxScale, true),
		valid.IntMin("reps", c.Reps, 1), floatIn("tau", c.TauOverMu, 0, MaxTauOverMu, true)); err != nil {
		return err
	}
	if len(c.Sigma2) == 0 {
		return &valid.Error{Field: "noise", Value: c.Sigma2, Rule: "must list at least one noise level"}
	}
	for _, v := range c.Sigma2 {
		if err := floatIn("noise", v, 0, MaxScale, false); err != nil {
			return err
		}
	}
	if err := validGrid(c.N, []float64{c.Mu}, "mu"); err != nil {
		return err
	}
	return s.checkJob(c.N, []float64{c.Mu}, "mu", true, float64(len(c.N))*float64(len(c.Sigma2)), "reps", c.Reps, 1)
}

// mnistParams are the per-cell parameter columns of an MNIST file.
var mnistParams = []string{"n", "sigma2", "sigma_w", "rep", "seed", "mu", "snr2", "snrw", "c", "tau_over_mu", "tau",
	"d", "m", "dh", "dv", "pool", "center", "n_test", "init_shrink", "eta", "max_steps", "target", "pgd_steps", "eval_steps", "eval_restarts", "set_id"}

// mnistCascadeParams are appended to mnistParams when the job evaluates
// with the cascade (Setup.Cascade): the APGD steps of its cheap stage and
// eval_cascade = 1, so that a file evaluated without it keeps the columns
// it always had and a resumed run with the other protocol stops at the
// header.
var mnistCascadeParams = []string{"apgd_steps", "eval_cascade"}

// paramNames returns the parameter columns of c's file: mnistParams, then
// mnistCascadeParams with Cascade, then the certificate's columns
// (Setup.certColumns).
func (c MNISTConfig) paramNames() []string {
	p := mnistParams
	if c.Cascade {
		p = slices.Concat(p, mnistCascadeParams)
	}
	names, _ := c.certColumns()
	return slices.Concat(p, names)
}

// mnistMetrics are its metric columns.
var mnistMetrics = []string{"steps", "converged", "train_obj", "train_err", "test_loss", "test_err", "robust_test_loss", "robust_test_err", "robust_err_lb", "robust_err_ub", "a1", "a2", "entropy"}

// Job returns the sweep over (N, σ₂, replicate), reading the images from
// dir (mnist.Find).
func (c MNISTConfig) Job(name, dir string) (*sweep.Job, error) {
	pool, err := c.pools(dir)
	if err != nil {
		return nil, err
	}
	d := c.Dim()
	type mnistCell struct { // what a cell trains from (typed; its CSV fields are formatted from it)
		n  int
		s2 float64
	}
	var grid []mnistCell
	_, certValues := c.certColumns()
	var params [][]string
	for _, n := range c.N {
		for _, s2 := range c.Sigma2 {
			for r := 0; r < c.Reps; r++ {
				grid = append(grid, mnistCell{n: n, s2: s2})
				snr2 := c.Mu / (s2 * math.Sqrt(float64(d)))
				sw := s2 * c.WeakRatio
				params = append(params, []string{itoa(n), ftoa(s2), ftoa(sw), itoa(r), "", ftoa(c.Mu), ftoa(snr2),
					ftoa(c.Mu / (sw * math.Sqrt(float64(d)))), ftoa(float64(n) * snr2 * snr2), ftoa(c.TauOverMu), ftoa(c.TauOverMu * c.Mu),
					itoa(d), itoa(c.M), itoa(c.Dh), itoa(c.Dv), itoa(c.Pool), btoa(c.Center), itoa(c.NTest), ftoa(c.Shrink),
					ftoa(c.Eta), itoa(c.MaxSteps), ftoa(c.Target), itoa(c.PGDSteps), itoa(c.EvalSteps), itoa(c.EvalRestarts), itoa(setID(c.threat()))})
				if c.Cascade {
					params[len(params)-1] = append(params[len(params)-1], itoa(c.APGDSteps), btoa(c.Cascade))
				}
				params[len(params)-1] = append(params[len(params)-1], certValues...)
			}
		}
	}
	cells := sweep.NewCells(c.Seed, params)
	for i := range cells {
		cells[i].Param[4] = utoa(cells[i].Seed)
	}
	return &sweep.Job{Name: name, Params: c.paramNames(), Metrics: mnistMetrics, PerCell: 1, Cells: cells, Eval: c.protocol(),
		Run: func(cell sweep.Cell) ([][]string, error) {
			g := grid[cell.Index]
			row, err := c.runCell(pool, g.n, g.s2, cell.Seed)
			return [][]string{row}, err
		}}, nil
}

// tokenPools holds the image tokens of the two splits and classes:
// [split][class], split 0 train and 1 test (t10k), class 0 the zeros and 1
// the ones.
type tokenPools [2][2][][]float64

// pools reads the MNIST images from dir and turns each into its image
// token (c.token: pooled, centred on the mean training image when
// c.Center, rescaled to ‖μ‖). It returns a *valid.Error when c asks for
// more test or training images per class than the splits hold.
func (c MNISTConfig) pools(dir string) (tokenPools, error) {
	tr, err := mnist.Load(dir, "train")
	if err != nil {
		return tokenPools{}, err
	}
	te, err := mnist.Load(dir, "t10k")
	if err != nil {
		return tokenPools{}, err
	}
	if c.NTest/2 > min(len(te.Zeros), len(te.Ones)) {
		return tokenPools{}, &valid.Error{Field: "ntest", Value: c.NTest, Rule: fmt.Sprintf("at most %d test images per class", min(len(te.Zeros), len(te.Ones)))}
	}
	if nmax := slices.Max(c.N); nmax/2 > min(len(tr.Zeros), len(tr.Ones)) {
		return tokenPools{}, &valid.Error{Field: "n", Value: nmax, Rule: "more training images than the split holds"}
	}
	mean := make([]float64, 28*28)
	if c.Center {
		for _, img := range slices.Concat(tr.Zeros, tr.Ones) {
			for k, v := range img {
				mean[k] += v
			}
		}
		for k := range mean {
			mean[k] /= float64(len(tr.Zeros) + len(tr.Ones))
		}
	}
	tokens := func(imgs [][]float64) [][]float64 {
		out := make([][]float64, len(imgs))
		for i, img := range imgs {
			out[i] = c.token(img, mean)
		}
		return out
	}
	return tokenPools{{tokens(tr.Zeros), tokens(tr.Ones)}, {tokens(te.Zeros), tokens(te.Ones)}}, nil
}

// CellSpec returns the spec of the cell of c's sweep with N = n, noise
// level σ₂ = s2 and seed (the seed column of its row), images from dir
// (mnist.Find): what Job's cell trains and evaluates, for diagnoses that
// retrain one committed cell (cell.Train, then cell.Run.Bracket with
// spec.Eval at spec.Tau). A bad configuration, n or s2 is the *valid.Error
// that Validate and the image count give the one-cell grid (N = {n},
// σ₂ = {s2}).
func (c MNISTConfig) CellSpec(dir string, n int, s2 float64, seed uint64) (cell.Spec, error) {
	c.N, c.Sigma2 = []int{n}, []float64{s2}
	if err := c.Validate(); err != nil {
		return cell.Spec{}, err
	}
	pool, err := c.pools(dir)
	if err != nil {
		return cell.Spec{}, err
	}
	return c.spec(pool, n, s2, seed), nil
}

// spec is the cell spec of (n, s2, seed) on the token pools: the setup's
// training on images drawn by mnistSource, evaluated by c.protocol at
// τ = TauOverMu·‖μ‖.
func (c MNISTConfig) spec(pool tokenPools, n int, s2 float64, seed uint64) cell.Spec {
	s := c.Setup
	s.D = c.Dim()
	spec := s.Spec(data.Config{D: s.D, M: c.M, N: n, NTest: c.NTest}, c.TauOverMu*c.Mu, seed)
	spec.Source = mnistSource{c: c, pool: pool, n: n, s2: s2}
	spec.Eval = c.protocol()
	return spec
}

// token pools img by c.Pool, subtracts the pooled mean and rescales to ‖μ‖.
func (c MNISTConfig) token(img, mean []float64) []float64 {
	side := 28 / c.Pool
	t := make([]float64, side*side)
	for i := 0; i < 28; i++ {
		for j := 0; j < 28; j++ {
			t[(i/c.Pool)*side+j/c.Pool] += img[i*28+j] - mean[i*28+j]
		}
	}
	ss := 0.0
	for _, v := range t {
		ss += float64(v * v)
	}
	s := c.Mu / math.Sqrt(ss)
	for k := range t {
		t[k] *= s
	}
	return t
}

// set draws n balanced samples (alternating +1 = digit 1, −1 = digit 0)
// from the token pools: distinct images chosen at random, plus fresh noise
// tokens.
func (c MNISTConfig) set(zeros, ones [][]float64, n int, s2 float64, seed uint64, stream rng.Stream) *data.Set {
	r := rng.New(seed, stream)
	d := c.Dim()
	pz, po := r.Perm(len(zeros)), r.Perm(len(ones))
	s := &data.Set{N: n, M: c.M, D: d, X: make([]float64, n*c.M*d), Y: make([]float64, n), Clean: make([]float64, n)}
	for i := 0; i < n; i++ {
		x := s.Sample(i)
		if i%2 == 0 {
			s.Y[i] = 1
			copy(x[:d], ones[po[i/2]])
		} else {
			s.Y[i] = -1
			copy(x[:d], zeros[pz[i/2]])
		}
		s.Clean[i] = s.Y[i]
		for l := 1; l < c.M; l++ {
			sd := s2 * c.WeakRatio
			if l == 1 {
				sd = s2
			}
			for k := l * d; k < (l+1)*d; k++ {
				x[k] = sd * r.NormFloat64()
			}
		}
	}
	return s
}

// mnistSource draws the training and test sets of one MNIST cell
// (cell.Source): n training and NTest test images at noise level s2.
type mnistSource struct {
	c    MNISTConfig
	pool tokenPools
	n    int
	s2   float64
}

func (src mnistSource) Draw(seed uint64) (train, test *data.Set, err error) {
	c, pool := src.c, src.pool
	return c.set(pool[0][0], pool[0][1], src.n, src.s2, seed, rng.TrainData), c.set(pool[1][0], pool[1][1], c.NTest, src.s2, seed, rng.TestData), nil
}

// protocol is the robust evaluation of every MNIST cell. By default the
// evaluation PGD alone (cell.Protocol.PGDOnly), without APGD or the
// cascade: the committed files were made so. With Cascade, the
// signal-free strong protocol (cell.Protocol.NoSignals with Cascade: the
// images have no signal tokens, so no midpoint attack): PGD (the same
// runs as PGDOnly, so the lower end can only rise), APGD, erase and the
// row attack on every point, then attack.DefaultStrong without its
// midpoint start on the points neither broken nor certified.
func (c MNISTConfig) protocol() cell.Protocol {
	if c.Cascade {
		return cell.Protocol{PGDSteps: c.EvalSteps, PGDRestarts: c.EvalRestarts, APGDSteps: c.APGDSteps, Cascade: true, NoSignals: true, Joint: c.Joint, DeepNodes: c.DeepNodes}
	}
	return cell.Protocol{PGDSteps: c.EvalSteps, PGDRestarts: c.EvalRestarts, PGDOnly: true, Joint: c.Joint, DeepNodes: c.DeepNodes}
}

// runCell trains and evaluates one MNIST cell: the setup's training
// (cell.Train) on images drawn by mnistSource, robust error by c.protocol
// (the evaluation PGD alone, or with Cascade the signal-free cascade), the
// certificate, and the clean attention means (cell.Run.Clean).
func (c MNISTConfig) runCell(pool tokenPools, n int, s2 float64, seed uint64) ([]string, error) {
	spec := c.spec(pool, n, s2, seed)
	run, err := cell.Train(context.Background(), spec)
	if err != nil {
		return nil, err
	}
	res := run.Result
	// robust_err_lb from the attacks, robust_err_ub = 1 − certified
	// fraction at τ (package certify); the cascade reuses the certificate.
	rob, cr, err := run.Bracket(true, spec.Eval, spec.Set, spec.Tau)
	if err != nil {
		return nil, err
	}
	cl := run.Clean()
	return []string{itoa(res.Steps), btoa(res.Converged), mtoa(res.Loss), mtoa(cl.TrainErr), mtoa(rob.CleanLoss), mtoa(rob.CleanError),
		mtoa(rob.Loss), mtoa(rob.Error), mtoa(rob.Error), mtoa(cr.ErrUB), mtoa(cl.A1), mtoa(cl.A2), mtoa(cl.Entropy)}, nil
}
