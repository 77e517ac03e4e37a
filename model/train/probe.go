package train

import (
	"math"
	"sort"

	"vitadv/model/data"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// Record holds what the theory tracks at one step (THEORY §4.1, §6.2).
// Robust fields are NaN when the Prober has no evaluation attacker.
type Record struct {
	Step int `json:"step"`

	TrainLoss      float64 `json:"train_loss"`       // clean L_S
	TrainErr       float64 `json:"train_err"`        // clean 0-1 training error
	RobustTrainErr float64 `json:"robust_train_err"` // 0-1 error on attacked training inputs
	RobustTrain    float64 `json:"robust_train_loss"`
	TestLoss       float64 `json:"test_loss"`
	TestErr        float64 `json:"test_err"`
	RobustTestLoss float64 `json:"robust_test_loss"`
	RobustTestErr  float64 `json:"robust_test_err"`

	// Query-averaged attention on the signal token (a_1) and the strong
	// noise token (a_2): test-set means, and on training sample 0 as in the
	// scripts. Entropy is the test-set mean of −Σ_j a_j ln a_j (ln M when
	// uniform); MaxA the test-set mean of max_j a_j.
	A1, A2, A1Train0, A2Train0 float64
	Entropy, MaxA              float64

	// Value coefficients: γ± = μ±ᵀ W_V w_O, and ρ_n = y_n ξ_{n,2}ᵀ W_V w_O
	// (memorization of sample n's strong noise) summarized over the
	// training set: median, mean, and the fraction with ρ_n > 0.
	GammaPlus, GammaMinus       float64
	RhoMedian, RhoMean, RhoFrac float64
	MinTrainMargin              float64 // min_n y_n f(X_n)
	QKSigSig, QKSigXi2          float64 // μ₊ᵀW_QW_Kᵀμ₊, μ₊ᵀW_QW_Kᵀξ₂ (training sample 0)
	QKXi3Sig, QKXi3Xi2          float64 // ξ₃ᵀW_QW_Kᵀμ₊, ξ₃ᵀW_QW_Kᵀξ₂ (sample 0; NaN if M < 3)
}

// Prober evaluates Records. It owns its workspaces and never modifies the
// model.
type Prober struct {
	Train, Test *data.Set
	Sig         data.Signals
	Eval        Attacker // nil: robust fields are NaN

	wsTrain, wsTest *vit.Workspace
	xadv            []float64
	u, qa, kb       []float64
	rho             []float64
}

// NewProber returns a prober for the given sets; eval may be nil.
func NewProber(a vit.Arch, train, test *data.Set, sig data.Signals, eval Attacker) *Prober {
	n := max(train.N, test.N)
	return &Prober{Train: train, Test: test, Sig: sig, Eval: eval,
		wsTrain: vit.NewWorkspace(a, train.M, train.N), wsTest: vit.NewWorkspace(a, test.M, test.N),
		xadv: make([]float64, n*train.M*train.D), u: make([]float64, a.D),
		qa: make([]float64, a.Dh), kb: make([]float64, a.Dh), rho: make([]float64, train.N)}
}

// Evaluation is the clean and robust loss and 0-1 error on one set.
type Evaluation struct {
	Loss, Err, RobustLoss, RobustErr float64
}

// Evaluate returns the clean (and, with an attacker, robust) mean logistic
// loss and 0-1 error of m on s, using ws (capacity ≥ s.N) and xadv.
// A point counts as an error when y·f ≤ 0.
func Evaluate(m *vit.Model, ws *vit.Workspace, s *data.Set, atk Attacker, xadv []float64) Evaluation {
	var e Evaluation
	e.Loss, e.Err = lossErr(m, ws, s.X, s.Y, s.N)
	e.RobustLoss, e.RobustErr = math.NaN(), math.NaN()
	if atk != nil {
		atk.Perturb(m, s.X, s.Y, s.N, xadv)
		e.RobustLoss, e.RobustErr = lossErr(m, ws, xadv, s.Y, s.N)
	}
	return e
}

func lossErr(m *vit.Model, ws *vit.Workspace, x, y []float64, n int) (loss, err float64) {
	loss = m.Loss(ws, x, y, n)
	wrong := 0
	for i, f := range ws.F[:n] {
		if y[i]*f <= 0 {
			wrong++
		}
	}
	return loss, float64(wrong) / float64(n)
}

// Record evaluates every tracked quantity of m at the given step.
func (p *Prober) Record(m *vit.Model, step int) Record {
	r := Record{Step: step}
	tr := Evaluate(m, p.wsTrain, p.Train, p.Eval, p.xadv)
	r.TrainLoss, r.TrainErr, r.RobustTrain, r.RobustTrainErr = tr.Loss, tr.Err, tr.RobustLoss, tr.RobustErr
	// Clean training pass last, so wsTrain holds clean attention below.
	m.Forward(p.wsTrain, p.Train.X, p.Train.N)
	r.MinTrainMargin = math.Inf(1)
	for i, f := range p.wsTrain.F[:p.Train.N] {
		r.MinTrainMargin = math.Min(r.MinTrainMargin, p.Train.Y[i]*f)
	}
	M := p.Train.M
	r.A1Train0, r.A2Train0 = p.wsTrain.A[0], p.wsTrain.A[1]

	te := Evaluate(m, p.wsTest, p.Test, p.Eval, p.xadv)
	r.TestLoss, r.TestErr, r.RobustTestLoss, r.RobustTestErr = te.Loss, te.Err, te.RobustLoss, te.RobustErr
	at := MeanAttention(m, p.wsTest, p.Test.X, p.Test.N, M)
	r.A1, r.A2, r.Entropy, r.MaxA = at.A1, at.A2, at.Entropy, at.MaxA

	u := m.ValueVector(p.u)
	r.GammaPlus, r.GammaMinus = linalg.Dot(p.Sig.Plus, u), linalg.Dot(p.Sig.Minus, u)
	D := p.Train.D
	pos := 0
	for i := 0; i < p.Train.N; i++ {
		xi2 := p.Train.X[(i*M+1)*D : (i*M+2)*D]
		p.rho[i] = p.Train.Y[i] * linalg.Dot(xi2, u)
		r.RhoMean += p.rho[i]
		if p.rho[i] > 0 {
			pos++
		}
	}
	r.RhoMean /= float64(p.Train.N)
	r.RhoFrac = float64(pos) / float64(p.Train.N)
	sort.Float64s(p.rho)
	r.RhoMedian = median(p.rho)

	x0 := p.Train.Sample(0)
	xi2 := x0[D : 2*D]
	r.QKSigSig = p.score(m, p.Sig.Plus, p.Sig.Plus)
	r.QKSigXi2 = p.score(m, p.Sig.Plus, xi2)
	r.QKXi3Sig, r.QKXi3Xi2 = math.NaN(), math.NaN()
	if M >= 3 {
		xi3 := x0[2*D : 3*D]
		r.QKXi3Sig = p.score(m, xi3, p.Sig.Plus)
		r.QKXi3Xi2 = p.score(m, xi3, xi2)
	}
	return r
}

// score returns the bilinear attention score aᵀ W_Q W_Kᵀ b = (W_Qᵀa)·(W_Kᵀb)
// without forming W_Q W_Kᵀ.
func (p *Prober) score(m *vit.Model, a, b []float64) float64 {
	dh := m.Dh
	for h := 0; h < dh; h++ {
		p.qa[h], p.kb[h] = 0, 0
	}
	for i := 0; i < m.D; i++ {
		row := m.WQK[i*2*dh : (i+1)*2*dh]
		for h := 0; h < dh; h++ {
			p.qa[h] += float64(a[i] * row[h])
			p.kb[h] += float64(b[i] * row[dh+h])
		}
	}
	return linalg.Dot(p.qa, p.kb)
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Columns returns the names of the numeric fields of Record in a fixed
// order, matching floats; used for CSV and .npz output.
func Columns() []string {
	return []string{"step", "train_loss", "train_err", "robust_train_loss", "robust_train_err",
		"test_loss", "test_err", "robust_test_loss", "robust_test_err",
		"a1", "a2", "a1_train0", "a2_train0", "entropy", "max_a",
		"gamma_plus", "gamma_minus", "rho_median", "rho_mean", "rho_frac", "min_train_margin",
		"qk_sig_sig", "qk_sig_xi2", "qk_xi3_sig", "qk_xi3_xi2"}
}

// Floats returns the record's values in the order of Columns (step as a
// float).
func (r Record) Floats() []float64 {
	return append([]float64{float64(r.Step)}, r.floats()...)
}

func (r Record) floats() []float64 {
	return []float64{r.TrainLoss, r.TrainErr, r.RobustTrain, r.RobustTrainErr,
		r.TestLoss, r.TestErr, r.RobustTestLoss, r.RobustTestErr,
		r.A1, r.A2, r.A1Train0, r.A2Train0, r.Entropy, r.MaxA,
		r.GammaPlus, r.GammaMinus, r.RhoMedian, r.RhoMean, r.RhoFrac, r.MinTrainMargin,
		r.QKSigSig, r.QKSigXi2, r.QKXi3Sig, r.QKXi3Xi2}
}

// Attention is the mean attention of a set of inputs (the query-averaged
// softmax row of docs/THEORY.md §2): on the signal token (A1), on the
// strong noise token (A2), its entropy (ln M when uniform) and its largest
// entry, each averaged over the n inputs:
//
//	A1 = (1/n) Σ_i a_i1,   Entropy = (1/n) Σ_i (−Σ_l a_il ln a_il),   MaxA = (1/n) Σ_i max_l a_il.
type Attention struct {
	A1, A2, Entropy, MaxA float64
}

// MeanAttention returns the Attention of the n inputs x (each M×D) under
// m, computed in ws (capacity ≥ n). Record's test-set attention is this on
// the clean test inputs.
func MeanAttention(m *vit.Model, ws *vit.Workspace, x []float64, n, M int) Attention {
	m.Forward(ws, x, n)
	var out Attention
	for i := 0; i < n; i++ {
		a := ws.A[i*M : (i+1)*M]
		out.A1 += a[0]
		out.A2 += a[1]
		h, mx := 0.0, 0.0
		for _, aj := range a {
			if aj > 0 {
				h -= float64(aj * math.Log(aj))
			}
			mx = math.Max(mx, aj)
		}
		out.Entropy += h
		out.MaxA += mx
	}
	nt := float64(n)
	out.A1, out.A2, out.Entropy, out.MaxA = out.A1/nt, out.A2/nt, out.Entropy/nt, out.MaxA/nt
	return out
}
