package theorems

import (
	"fmt"
	"math"

	"vitadv/model/attack"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// cellOf checks that runs are replicates of one cell (same instance up to
// the seed) and returns the first instance.
func cellOf(name string, runs []*Run) (Instance, error) {
	if len(runs) == 0 {
		return Instance{}, &HypothesisError{Lemma: name, Hypothesis: "at least one replicate", Value: 0, Limit: 1}
	}
	ref := runs[0].Inst
	ref.Seed = 0
	for _, r := range runs[1:] {
		i := r.Inst
		i.Seed = 0
		if i.Key() != ref.Key() {
			return Instance{}, &HypothesisError{Lemma: name, Hypothesis: "replicates of one cell (instances equal up to the seed)", Value: 1, Limit: 0}
		}
	}
	return runs[0].Inst, nil
}

// assumptions returns AssumptionSet's error, relabelled for the statement.
func assumptions(name string, inst Instance, k Consts) error {
	if _, err := AssumptionSet(inst, k); err != nil {
		if h, ok := err.(*HypothesisError); ok {
			h.Lemma = name + " (assumption set)"
			return h
		}
		return err
	}
	return nil
}

// BenignCondition is the benign side of Jiang et al.'s main theorem
// (arXiv:2409.19345, inherited by 2604.19724 at τ = 0; THEORY §4.1, P1(a,b)):
// under the assumption set, if N·SNR² ≥ Cb then clean GD overfits (training
// loss < Target) and generalizes. Provenance: the boundary N·SNR² = Ω(1) is
// [REV], the cutoffs are [CODE]-calibrated (P1), so the verdict is a band:
//
//	(a) every replicate reaches training loss < Target;
//	(b) a fraction ≥ Frac of replicates has test logistic loss < LossCut/Strengthen;
//	(c) the mean test 0-1 error is ≤ ErrBenign/Strengthen [PROP].
//
// runs are replicates (seeds) of one clean cell trained with the stop rule.
// Hypotheses: assumption set; N·SNR² ≥ Cb; τ = 0; a stop rule (Target > 0).
func BenignCondition(runs []*Run, k Consts) (Verdict, error) {
	const name = "P1b BenignCondition"
	inst, err := cellOf(name, runs)
	if err != nil {
		return Verdict{}, err
	}
	if err := assumptions(name, inst, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(inst.Data); c < k.Cb {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≥ Cb", Value: c, Limit: k.Cb}
	}
	if inst.Tau != 0 || inst.Train.Target <= 0 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "clean GD with a stop rule (τ = 0, Target > 0)", Value: inst.Tau, Limit: 0}
	}
	conv, good, terr := 0.0, 0.0, 0.0
	for _, r := range runs {
		if r.Result.Converged {
			conv++
		}
		l := r.Last()
		if l.TestLoss < k.LossCut/k.Strengthen {
			good++
		}
		terr += l.TestErr
	}
	n := float64(len(runs))
	return Verdict{Statement: name, Tag: REV, Bounds: []Bound{
		geq("all replicates reach training loss < Target (P1a)", CODE, conv/n, 1, 0),
		geq("Frac ≤ fraction with test loss < LossCut (P1b)", CODE, good/n, k.Frac, 0),
		leq("mean test error ≤ ErrBenign", PROP, terr/n, k.ErrBenign/k.Strengthen, 0),
	}, Consts: []Const{{"Cb", k.Cb}, {"N·SNR²", k.NSNR2(inst.Data)}, {"LossCut", k.LossCut}, {"Frac", k.Frac}, {"ErrBenign", k.ErrBenign}, {"strengthen", k.Strengthen}}}, nil
}

// HarmfulCondition is the harmful side (THEORY §4.1 [RECALL?] by analogy
// with Cao et al.'s N⁻¹SNR⁻q = Ω̃(1) ⇒ test loss ≥ 0.1; P1(a,c) [CODE]):
// if N·SNR² ≤ Ch, clean GD still overfits, but
//
//	(a) every replicate reaches training loss < Target;
//	(b) a fraction ≥ Frac of replicates has test loss > LossCut·Strengthen;
//	(c) the mean test 0-1 error is ≥ ErrHarm·Strengthen [RECALL?].
//
// Hypotheses: assumption set; N·SNR² ≤ Ch; τ = 0; Target > 0.
func HarmfulCondition(runs []*Run, k Consts) (Verdict, error) {
	const name = "P1c HarmfulCondition"
	inst, err := cellOf(name, runs)
	if err != nil {
		return Verdict{}, err
	}
	if err := assumptions(name, inst, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(inst.Data); c > k.Ch {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≤ Ch", Value: c, Limit: k.Ch}
	}
	if inst.Tau != 0 || inst.Train.Target <= 0 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "clean GD with a stop rule (τ = 0, Target > 0)", Value: inst.Tau, Limit: 0}
	}
	conv, bad, terr := 0.0, 0.0, 0.0
	for _, r := range runs {
		if r.Result.Converged {
			conv++
		}
		l := r.Last()
		if l.TestLoss > k.LossCut*k.Strengthen {
			bad++
		}
		terr += l.TestErr
	}
	n := float64(len(runs))
	return Verdict{Statement: name, Tag: RECALL, Bounds: []Bound{
		geq("all replicates reach training loss < Target (P1a)", CODE, conv/n, 1, 0),
		geq("Frac ≤ fraction with test loss > LossCut (P1c)", CODE, bad/n, k.Frac, 0),
		geq("ErrHarm ≤ mean test error", RECALL, terr/n, k.ErrHarm*k.Strengthen, 0),
	}, Consts: []Const{{"Ch", k.Ch}, {"N·SNR²", k.NSNR2(inst.Data)}, {"LossCut", k.LossCut}, {"Frac", k.Frac}, {"ErrHarm", k.ErrHarm}, {"strengthen", k.Strengthen}}}, nil
}

// BenignMechanism is P3, the benign-regime mechanism ([SEC] phases of
// THEORY §4.1; thresholds [CODE]/[PROP]): after a fixed horizon of clean
// GD in a benign cell,
//
//	(a) the mean test attention on the signal token a₁ ≥ AttnFactor·Strengthen/M
//	    (it starts near 1/M);
//	(b) γ̄ = (γ₊ − γ₋)/2 > 0 and, after the transient (first half of the
//	    probes), never decreases (largest drop ≤ 1e-9·|γ̄|);
//	(c) on a fraction ≥ Dominance of test points the signal path dominates:
//	    |ξ₂ᵀu|·a₂ < |μ_yᵀu|·a₁.
//
// Hypotheses: assumption set; N·SNR² ≥ Cb; τ = 0; fixed horizon (Target = 0).
func BenignMechanism(r *Run, k Consts) (Verdict, error) {
	const name = "P3 BenignMechanism"
	inst := r.Inst
	if err := assumptions(name, inst, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(inst.Data); c < k.Cb {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≥ Cb", Value: c, Limit: k.Cb}
	}
	if inst.Tau != 0 || inst.Train.Target != 0 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "clean GD at a fixed horizon (τ = 0, Target = 0)", Value: inst.Train.Target, Limit: 0}
	}
	M := float64(inst.Data.M)
	last := r.Last()
	drop := 0.0
	half := len(r.Records) / 2
	for i := half + 1; i < len(r.Records); i++ {
		g0 := float64((r.Records[i-1].GammaPlus - r.Records[i-1].GammaMinus) / 2)
		g1 := float64((r.Records[i].GammaPlus - r.Records[i].GammaMinus) / 2)
		drop = math.Max(drop, g0-g1)
	}
	gbar := (last.GammaPlus - last.GammaMinus) / 2
	dom := dominance(r.Model, r)
	return Verdict{Statement: name, Tag: SEC, Bounds: []Bound{
		geq("AttnFactor/M ≤ a₁(T)", CODE, last.A1, k.AttnFactor*k.Strengthen/M, 0),
		geq("0 < γ̄(T)", SEC, gbar, 0, -math.SmallestNonzeroFloat64),
		leq("largest drop of γ̄ after the transient ≤ 0", SEC, drop, 0, 1e-9*math.Abs(gbar)),
		geq("Dominance ≤ fraction with |ξ₂ᵀu|a₂ < |μ_yᵀu|a₁", CODE, dom, k.Dominance, 0),
	}, Consts: []Const{{"AttnFactor", k.AttnFactor}, {"Dominance", k.Dominance}, {"T", float64(r.Result.Steps)}, {"strengthen", k.Strengthen}}}, nil
}

// dominance returns the fraction of test points with |ξ₂ᵀu|a₂ < |μ_yᵀu|a₁.
func dominance(m *vit.Model, r *Run) float64 {
	s := r.Test
	ws := vit.NewWorkspace(m.Arch, s.M, s.N)
	m.Forward(ws, s.X, s.N)
	u := m.ValueVector(make([]float64, m.D))
	ok := 0
	for i := 0; i < s.N; i++ {
		x := s.Sample(i)
		sig := math.Abs(linalg.Dot(r.Sig.For(s.Y[i]), u)) * ws.A[i*s.M]
		noise := math.Abs(linalg.Dot(x[s.D:2*s.D], u)) * ws.A[i*s.M+1]
		if noise < sig {
			ok++
		}
	}
	return float64(ok) / float64(s.N)
}

// HarmfulMechanism is P4 ([CODE]: the dynamics script's harmful run): after
// a fixed horizon of clean GD in a harmful cell,
//
//	(a) the training loss has fallen by ≥ LossDrop from its start;
//	(b) the test loss stays ≥ HarmLoss·Strengthen;
//	(c) memorization dominates: median_n ρ_n ≥ MemoFactor·Strengthen·max|γ±|;
//	(d) a₁ rises by ≤ A1Rise/Strengthen over training.
//
// Hypotheses: assumption set; N·SNR² ≤ Ch; τ = 0; Target = 0.
func HarmfulMechanism(r *Run, k Consts) (Verdict, error) {
	const name = "P4 HarmfulMechanism"
	inst := r.Inst
	if err := assumptions(name, inst, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(inst.Data); c > k.Ch {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≤ Ch", Value: c, Limit: k.Ch}
	}
	if inst.Tau != 0 || inst.Train.Target != 0 {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "clean GD at a fixed horizon (τ = 0, Target = 0)", Value: inst.Train.Target, Limit: 0}
	}
	first, last := r.Records[0], r.Last()
	g := math.Max(math.Abs(last.GammaPlus), math.Abs(last.GammaMinus))
	return Verdict{Statement: name, Tag: CODE, Bounds: []Bound{
		geq("LossDrop ≤ 1 − L(T)/L(0)", CODE, 1-last.TrainLoss/first.TrainLoss, k.LossDrop, 0),
		geq("HarmLoss ≤ test loss", CODE, last.TestLoss, k.HarmLoss*k.Strengthen, 0),
		geq("MemoFactor·max|γ±| ≤ median ρ", CODE, last.RhoMedian, k.MemoFactor*k.Strengthen*g, 0),
		leq("a₁(T) − a₁(0) ≤ A1Rise", CODE, last.A1-first.A1, k.A1Rise/k.Strengthen, 0),
	}, Consts: []Const{{"LossDrop", k.LossDrop}, {"HarmLoss", k.HarmLoss}, {"MemoFactor", k.MemoFactor}, {"A1Rise", k.A1Rise}, {"strengthen", k.Strengthen}}}, nil
}

// OverfittingIsReal is P12 ([ABS] "near-zero (robust) training loss";
// [PROP] thresholds): in a benign cell the trained model fits the training
// set with a margin, min_n y_n f(X_n) > 0; a fraction > 1/2 of the samples
// has y_n ξ_{n,2}ᵀW_Vw_O > 0 (the noise is memorized: the overfitting is
// benign, not absent); and under adversarial training in regime 1 the
// robust training error is 0, decided on the bracket [attacks, 1 − certified
// fraction] (DecideAtMost: only the certified side proves it). Strengthen
// raises the 1/2 to 1/2·Strengthen.
// Hypotheses: assumption set; N·SNR² ≥ Cb; the run converged; τ ≤ C1·‖μ‖/log d_h.
func OverfittingIsReal(lab *Lab, r *Run, k Consts) (Verdict, error) {
	const name = "P12 OverfittingIsReal"
	inst := r.Inst
	if err := assumptions(name, inst, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(inst.Data); c < k.Cb {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≥ Cb", Value: c, Limit: k.Cb}
	}
	mu := inst.Data.Mu()
	if lim := k.C1 * mu / k.logDh(inst.Arch.Dh); inst.Tau > lim {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "τ ≤ C1·‖μ‖/log d_h", Value: inst.Tau, Limit: lim}
	}
	if !r.Result.Converged {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "training converged (loss < Target)", Value: r.Result.Loss, Limit: inst.Train.Target}
	}
	last := r.Last()
	v := Verdict{Statement: name, Tag: ABS, Bounds: []Bound{
		geq("0 < min_n y_n f(X_n)", ABS, last.MinTrainMargin, 0, -math.SmallestNonzeroFloat64),
		geq("1/2 < fraction with y_n ξ_{n,2}ᵀu > 0", PROP, last.RhoFrac, 0.5*k.Strengthen, -1e-12),
	}, Consts: []Const{{"C1", k.C1}, {"tau/‖μ‖", inst.Tau / mu}, {"strengthen", k.Strengthen}}}
	if inst.Tau > 0 {
		lb, ub, err := lab.Bracket(r, false, inst.Set, inst.Tau)
		if err != nil {
			return Verdict{}, err
		}
		v.Bounds = append(v.Bounds, bracketLeq("robust training error = 0", ABS, lb, ub, 0))
	}
	return v, nil
}

// SmallBudget is Thm 4.2(i) of arXiv:2604.19724 [SEC] with P5's tolerances:
// for τ ≤ C1·‖μ‖/log d_h in a benign cell, adversarial training stays close
// to clean training:
//
//	(a) the robust training loss reaches < Target;
//	(b) robust test error ≤ clean run's test error + SmallTol/Strengthen, decided on the
//	    bracket [attacks (PGD-20 ×5, APGD, exact), 1 − certified fraction] (DecideAtMost);
//	(c) |a₁^rob(t) − a₁^clean(t)| ≤ A1Tol/Strengthen at every common probe step.
//
// clean and robust are runs of the same cell at τ = 0 and τ > 0.
// Hypotheses: assumption set; N·SNR² ≥ Cb; 0 < τ ≤ C1·‖μ‖/log d_h.
func SmallBudget(lab *Lab, clean, robust *Run, k Consts) (Verdict, error) {
	const name = "Thm4.2(i) SmallBudget"
	ci, ri := clean.Inst, robust.Inst
	if err := sameCell(name, ci, ri); err != nil {
		return Verdict{}, err
	}
	if err := assumptions(name, ri, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(ri.Data); c < k.Cb {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≥ Cb", Value: c, Limit: k.Cb}
	}
	mu := ri.Data.Mu()
	if lim := k.C1 * mu / k.logDh(ri.Arch.Dh); !(ri.Tau > 0 && ri.Tau <= lim) {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "0 < τ ≤ C1·‖μ‖/log d_h", Value: ri.Tau, Limit: lim}
	}
	lb, ub, err := lab.Bracket(robust, true, ri.Set, ri.Tau)
	if err != nil {
		return Verdict{}, err
	}
	a1 := smallBudgetA1(clean, robust, k)
	return Verdict{Statement: name, Tag: SEC, Bounds: []Bound{
		leq("robust training loss < Target", ABS, robust.Result.Loss, ri.Train.Target, 0),
		bracketLeq("robust test error ≤ clean test error + SmallTol", CODE, lb, ub, clean.Last().TestErr+k.SmallTol/k.Strengthen),
		a1,
	}, Consts: []Const{{"C1", k.C1}, {"tau/‖μ‖", ri.Tau / mu}, {"log d_h", k.logDh(ri.Arch.Dh)}, {"SmallTol", k.SmallTol}, {"A1Tol", k.A1Tol}, {"strengthen", k.Strengthen}}}, nil
}

// smallBudgetA1 is SmallBudget's bound (c): a₁ of the two runs within
// A1Tol/Strengthen at every common probe step, undecided when the runs share
// fewer than MinSharedProbes probe steps.
func smallBudgetA1(clean, robust *Run, k Consts) Bound {
	b := leq("max_t |a₁^rob − a₁^clean| ≤ A1Tol", CODE, 0, k.A1Tol/k.Strengthen, 0)
	gap, shared := a1Gap(clean, robust)
	if shared < MinSharedProbes {
		b.Undecided = fmt.Sprintf("the runs share %d probe steps, fewer than %d", shared, MinSharedProbes)
	} else {
		b.LHS = gap
	}
	return b
}

func sameCell(name string, a, b Instance) error {
	a.Tau, b.Tau = 0, 0
	a.Set, b.Set = "", ""
	if a.Key() != b.Key() {
		return &HypothesisError{Lemma: name, Hypothesis: "clean and robust runs of one cell", Value: 1, Limit: 0}
	}
	return nil
}

// MinSharedProbes is the fewest probe steps two runs must share before a
// statistic over their common steps (a1Gap) decides anything: with only
// step 0 in common — a clean run stopping before the first probe interval —
// the gap is 0 by construction (both runs start from the same
// initialization), whatever the trajectories do afterwards.
const MinSharedProbes = 3

// a1Gap returns max |a₁^a(t) − a₁^b(t)| over the probe steps both runs
// have, and how many such steps there are (a gap over fewer than
// MinSharedProbes steps decides nothing). A NaN a₁ makes the gap NaN.
func a1Gap(a, b *Run) (gap float64, shared int) {
	at := map[int]float64{}
	for _, r := range a.Records {
		at[r.Step] = r.A1
	}
	for _, r := range b.Records {
		if v, ok := at[r.Step]; ok {
			shared++
			d := math.Abs(v - r.A1)
			if math.IsNaN(d) || math.IsNaN(gap) {
				gap = math.NaN()
			} else {
				gap = math.Max(gap, d)
			}
		}
	}
	return gap, shared
}

// stepsTo returns the first step whose (robust) training loss is < eps, or
// len(losses) (a lower bound) if none.
func stepsTo(losses []float64, eps float64) int {
	for i, l := range losses {
		if l < eps {
			return i
		}
	}
	return len(losses)
}

// CollapseEps is P6's loss level ε = 0.05 for the slowdown comparison.
const CollapseEps = 0.05

// AttentionCollapse is Thm 4.2(ii) of arXiv:2604.19724 [SEC] with P6's
// tolerances: for C1Hi·‖μ‖/log d_h ≤ τ ≤ C2·‖μ‖ in a benign cell,
// adversarial training keeps attention uniform and the ViT behaves as the
// linear mean-token model of THEORY §3.3, converging ~M× slower:
//
//	(a) test-mean attention entropy ≥ EntFrac·Strengthen·ln M at every probe;
//	(b) sign f agrees with sign f_lin on ≥ LinAgree of test points;
//	(c) SlowLo·M ≤ (steps to robust loss < 0.05)/(clean steps to 0.05) ≤ SlowHi·M.
//
// Hypotheses: assumption set; N·SNR² ≥ Cb; τ in the regime-2 window.
func AttentionCollapse(clean, robust *Run, k Consts) (Verdict, error) {
	const name = "Thm4.2(ii) AttentionCollapse"
	ci, ri := clean.Inst, robust.Inst
	if err := sameCell(name, ci, ri); err != nil {
		return Verdict{}, err
	}
	if err := assumptions(name, ri, k); err != nil {
		return Verdict{}, err
	}
	if c := k.NSNR2(ri.Data); c < k.Cb {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "N·SNR² ≥ Cb", Value: c, Limit: k.Cb}
	}
	mu := ri.Data.Mu()
	if lo := k.C1Hi * mu / k.logDh(ri.Arch.Dh); ri.Tau < lo {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "τ ≥ C1Hi·‖μ‖/log d_h", Value: ri.Tau, Limit: lo}
	}
	if hi := k.C2 * mu; ri.Tau > hi {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "τ ≤ C2·‖μ‖", Value: ri.Tau, Limit: hi}
	}
	M := float64(ri.Data.M)
	ent := math.Inf(1)
	for _, r := range robust.Records {
		ent = math.Min(ent, r.Entropy)
	}
	agree := linAgreement(robust)
	sc := max(stepsTo(clean.Losses, CollapseEps), 1)
	sr := stepsTo(robust.Losses, CollapseEps)
	slow := float64(sr) / float64(sc)
	return Verdict{Statement: name, Tag: SEC, Bounds: []Bound{
		geq("EntFrac·ln M ≤ min_t entropy", CODE, ent, k.EntFrac*k.Strengthen*math.Log(M), 0),
		geq("LinAgree ≤ agreement with f_lin", CODE, agree, math.Min(k.LinAgree*k.Strengthen, 1), 0),
		geq("SlowLo·M ≤ slowdown", SEC, slow, k.SlowLo*M, 0),
		leq("slowdown ≤ SlowHi·M", SEC, slow, k.SlowHi*M, 0),
	}, Consts: []Const{{"C1Hi", k.C1Hi}, {"C2", k.C2}, {"tau/‖μ‖", ri.Tau / mu}, {"steps_clean", float64(sc)}, {"steps_robust", float64(sr)}, {"strengthen", k.Strengthen}}}, nil
}

// linAgreement returns the fraction of test points on which sign f and
// sign f_lin (attack.LinearOutput) agree.
func linAgreement(r *Run) float64 {
	s, m := r.Test, r.Model
	ws := vit.NewWorkspace(m.Arch, s.M, s.N)
	f := m.Forward(ws, s.X, s.N)
	ok := 0
	for i := 0; i < s.N; i++ {
		if (f[i] > 0) == (attack.LinearOutput(m, s.Sample(i)) > 0) {
			ok++
		}
	}
	return float64(ok) / float64(s.N)
}

// MonotoneInTau is P9: robust error does not decrease as τ grows. For the
// exact inner maximum this is [DER] (the balls are nested); with PGD and
// adversarial training at each τ it is [PROP], with tolerance MonoTol for
// sampling noise and attack suboptimality. errs[i] is the robust test error
// at taus[i]. Bounds: err(τ_i) ≤ err(τ_j) + MonoTol/Strengthen for every
// pair i < j (THEORY P9: the error "does not decrease as τ grows"; checking
// consecutive pairs only would let it drift down by MonoTol per step).
// Hypotheses: ≥ 2 points, τ strictly increasing.
func MonotoneInTau(taus, errs []float64, k Consts) (Verdict, error) {
	const name = "P9 MonotoneInTau"
	if len(taus) < 2 || len(taus) != len(errs) {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "at least two (τ, error) points", Value: float64(len(taus)), Limit: 2}
	}
	v := Verdict{Statement: name, Tag: PROP, Consts: []Const{{"MonoTol", k.MonoTol}, {"strengthen", k.Strengthen}}}
	for i := 0; i+1 < len(taus); i++ {
		if !(taus[i+1] > taus[i]) {
			return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "τ strictly increasing", Value: taus[i+1], Limit: taus[i]}
		}
	}
	for i := range taus {
		for j := i + 1; j < len(taus); j++ {
			v.Bounds = append(v.Bounds, leq(fmt.Sprintf("err(τ=%.4g) ≤ err(τ=%.4g) + MonoTol", taus[i], taus[j]), PROP, errs[i], errs[j]+k.MonoTol/k.Strengthen, 0))
		}
	}
	return v, nil
}

// MonotoneInTauBracket is MonotoneInTau on bracketed robust errors
// lb[i] ≤ err(τ_i) ≤ ub[i] (attacks below, certificates above): for every
// τ_i < τ_j the difference err(τ_i) − err(τ_j) lies in
// [lb_i − ub_j, ub_i − lb_j], and "difference ≤ MonoTol/Strengthen" is
// decided on that bracket (DecideAtMost): certified when ub_i − lb_j ≤ tol,
// refuted (a witnessed decrease) when lb_i − ub_j > tol, undecided
// otherwise. With lb = ub it is MonotoneInTau.
func MonotoneInTauBracket(taus, lb, ub []float64, k Consts) (Verdict, error) {
	const name = "P9 MonotoneInTau"
	if len(taus) < 2 || len(taus) != len(lb) || len(taus) != len(ub) {
		return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "at least two (τ, error bracket) points", Value: float64(len(taus)), Limit: 2}
	}
	for i := 0; i+1 < len(taus); i++ {
		if !(taus[i+1] > taus[i]) {
			return Verdict{}, &HypothesisError{Lemma: name, Hypothesis: "τ strictly increasing", Value: taus[i+1], Limit: taus[i]}
		}
	}
	v := Verdict{Statement: name, Tag: PROP, Consts: []Const{{"MonoTol", k.MonoTol}, {"strengthen", k.Strengthen}}}
	for i := range taus {
		for j := i + 1; j < len(taus); j++ {
			v.Bounds = append(v.Bounds, bracketLeq(fmt.Sprintf("err(τ=%.4g) − err(τ=%.4g) ≤ MonoTol", taus[i], taus[j]), PROP, lb[i]-ub[j], ub[i]-lb[j], k.MonoTol/k.Strengthen))
		}
	}
	return v, nil
}

// RegimeBoundary is P7 [SEC/PROP]: sweeping τ/‖μ‖, the final test-mean
// attention on the signal a₁ falls through the midpoint of its range,
// (a₁(τ=0) + 1/M)/2, at a budget τ* with
//
//	C1 ≤ τ*·log(d_h)/‖μ‖ ≤ C1Hi.
//
// tauRel (increasing, starting at 0) and a1 are the sweep at one d_h; τ* is
// linearly interpolated between the last point above and the first below
// the midpoint, +Inf if a₁ never falls below it (then (b) fails).
// Strengthen narrows the band [C1, C1Hi] about its geometric centre.
// Hypotheses: ≥ 2 points, tauRel[0] = 0, strictly increasing.
func RegimeBoundary(dh, M int, tauRel, a1 []float64, k Consts) (Verdict, float64, error) {
	const name = "P7 RegimeBoundary"
	if len(tauRel) < 2 || len(a1) != len(tauRel) || tauRel[0] != 0 {
		return Verdict{}, 0, &HypothesisError{Lemma: name, Hypothesis: "a τ sweep starting at τ = 0", Value: float64(len(tauRel)), Limit: 2}
	}
	for i := 1; i < len(tauRel); i++ {
		if !(tauRel[i] > tauRel[i-1]) {
			return Verdict{}, 0, &HypothesisError{Lemma: name, Hypothesis: "τ strictly increasing", Value: tauRel[i], Limit: tauRel[i-1]}
		}
	}
	star := CrossingTau(tauRel, a1, (a1[0]+1/float64(M))/2)
	x := star * k.logDh(dh)
	c := math.Sqrt(k.C1 * k.C1Hi)
	s := linalg.Pow(k.C1Hi/c, 1/k.Strengthen)
	return Verdict{Statement: name, Tag: SEC, Bounds: []Bound{
		geq("C1 ≤ τ*·log d_h/‖μ‖", SEC, x, c/s, 0),
		leq("τ*·log d_h/‖μ‖ ≤ C1Hi", SEC, x, c*s, 0),
	}, Consts: []Const{{"C1", k.C1}, {"C1Hi", k.C1Hi}, {"d_h", float64(dh)}, {"tau*/‖μ‖", star}, {"strengthen", k.Strengthen}}}, star, nil
}

// CrossingTau returns the first τ at which y falls to ≤ level, linearly
// interpolated, or +Inf if it never does. y[0] > level is assumed; if not,
// it returns tau[0].
func CrossingTau(tau, y []float64, level float64) float64 {
	if y[0] <= level {
		return tau[0]
	}
	for i := 1; i < len(tau); i++ {
		if y[i] <= level {
			f := (y[i-1] - level) / (y[i-1] - y[i])
			return tau[i-1] + float64(f*(tau[i]-tau[i-1]))
		}
	}
	return math.Inf(1)
}

// Outcome is one training run of a phase-diagram sweep.
type Outcome struct {
	N      int     `json:"n"`
	C      float64 `json:"c"` // N·SNR²
	Seed   uint64  `json:"seed"`
	Benign bool    `json:"benign"` // test logistic loss < LossCut (Jiang Fig. 1 panel b)
}

// BoundaryScaling is P2 [CODE]/[REV]: the benign/harmful boundary scales as
// N ∝ SNR⁻². A logistic model P(benign) = σ(a + b·ln c + e·ln N) is fitted
// to the outcomes (c = N·SNR²); its contour ‖μ‖*(N) has slope
//
//	d ln‖μ‖*/d ln N = −1/2 − e/(2b)     (−1/2 when the boundary is c = const),
//
// which must lie in [SlopeLo, SlopeHi] (P2's band around −0.5). Strengthen
// narrows the band about −1/2. Hypotheses: ≥ 2 distinct N; both outcomes
// present; b > 0 (benign more likely at larger c).
func BoundaryScaling(outs []Outcome, k Consts) (Verdict, LogitFit, error) {
	const name = "P2 BoundaryScaling"
	nN, pos := tally(outs)
	if nN < 2 {
		return Verdict{}, LogitFit{}, &HypothesisError{Lemma: name, Hypothesis: "at least two distinct N", Value: float64(nN), Limit: 2}
	}
	if pos == 0 || pos == len(outs) {
		return Verdict{}, LogitFit{}, &HypothesisError{Lemma: name, Hypothesis: "both benign and harmful outcomes", Value: float64(pos), Limit: 1}
	}
	fit := FitBoundary(outs)
	if !(fit.B > 0) {
		return Verdict{}, fit, &HypothesisError{Lemma: name, Hypothesis: "benign more likely at larger N·SNR² (b > 0)", Value: fit.B, Limit: 0}
	}
	lo := -0.5 + (k.SlopeLo+0.5)/k.Strengthen
	hi := -0.5 + (k.SlopeHi+0.5)/k.Strengthen
	sl := fit.Slope()
	return Verdict{Statement: name, Tag: CODE, Bounds: []Bound{
		geq("SlopeLo ≤ d ln‖μ‖*/d ln N", CODE, sl, lo, 0),
		leq("d ln‖μ‖*/d ln N ≤ SlopeHi", CODE, sl, hi, 0),
	}, Consts: []Const{{"slope", sl}, {"a", fit.A}, {"b", fit.B}, {"e", fit.E}, {"strengthen", k.Strengthen}}}, fit, nil
}

// PhaseSweep trains the clean phase-diagram grid N ∈ ns × N·SNR² = 2^(j/2),
// j = jlo..jhi, with reps seeds starting at seed0, and returns one Outcome
// per run (benign: test logistic loss < k.LossCut at the stop rule).
func PhaseSweep(lab *Lab, sc Scale, ns []int, jlo, jhi int, seed0 uint64, reps int, k Consts) ([]Outcome, error) {
	var outs []Outcome
	for _, n := range ns {
		for j := jlo; j <= jhi; j++ {
			c := linalg.Pow(2, float64(j)/2)
			for s := 0; s < reps; s++ {
				r, err := lab.Train(sc.Cell(n, c, 0, seed0+uint64(s)))
				if err != nil {
					return nil, err
				}
				outs = append(outs, Outcome{N: n, C: c, Seed: seed0 + uint64(s), Benign: r.Last().TestLoss < k.LossCut})
			}
		}
	}
	return outs, nil
}

// SweepTaus is the τ/‖μ‖ grid of the P7 sweep: THEORY §7's grid cut at
// 0.7 (beyond ‖μ‖/√2 no classifier is robust, P8).
func SweepTaus() []float64 { return []float64{0, 0.05, 0.1, 0.15, 0.25, 0.4, 0.55, 0.7} }

// TauSweep adversarially trains the cell (N, c, seed) of scale sc at each
// τ/‖μ‖ in taus for the fixed horizon sc.MechSteps and returns the final
// test-mean attention on the signal token a₁ per τ (the P7 sweep).
func TauSweep(lab *Lab, sc Scale, n int, c float64, seed uint64, taus []float64) ([]float64, []float64, error) {
	return TauSweepJittered(lab, sc, n, c, seed, 0, taus)
}

// TauSweepJittered is TauSweep from the jitter-th 1-ulp perturbation of
// the initialization (Instance.Jitter; 0 is the nominal sweep).
func TauSweepJittered(lab *Lab, sc Scale, n int, c float64, seed, jitter uint64, taus []float64) ([]float64, []float64, error) {
	a1 := make([]float64, len(taus))
	for i, t := range taus {
		r, err := lab.Train(sc.Mech(sc.Cell(n, c, t, seed)).Jittered(jitter))
		if err != nil {
			return nil, nil, err
		}
		a1[i] = r.Last().A1
	}
	return taus, a1, nil
}

// P7Reruns is the number of 1-ulp reruns (Instance.Jitter) over which P7 is
// stated besides the nominal sweep. The final a₁ of adversarial runs at
// τ ≥ 0.25‖μ‖ is chaotic under rounding (a 1-ulp change of the
// initialization moves it by up to 0.3 at d = 64, M = 4; measured by
// properties' TestRegimeBoundaryChaos), and P7's crossing τ* lies in that
// range: one trajectory's τ* is one draw of a distribution, and a kernel
// with another summation order draws another.
const P7Reruns = 1

// RegimeBoundaryOver is P7 over a distribution of trajectories: the τ
// sweep of the cell (N, c, seed) and its P7Reruns 1-ulp reruns. The claim
// holds iff C1 ≤ τ*·log d_h/‖μ‖ ≤ C1Hi for every trajectory; the verdict
// carries the bounds of each (named by its jitter), and the τ* of each is
// returned.
func RegimeBoundaryOver(lab *Lab, sc Scale, n int, c float64, seed uint64, k Consts) (Verdict, []float64, error) {
	var out Verdict
	var stars []float64
	for j := uint64(0); j <= P7Reruns; j++ {
		taus, a1, err := TauSweepJittered(lab, sc, n, c, seed, j, SweepTaus())
		if err != nil {
			return Verdict{}, nil, err
		}
		v, star, err := RegimeBoundary(sc.Dh, sc.M, taus, a1, k)
		if err != nil {
			return Verdict{}, nil, err
		}
		if j == 0 {
			out = Verdict{Statement: v.Statement, Tag: v.Tag, Consts: []Const{{"C1", k.C1}, {"C1Hi", k.C1Hi}, {"d_h", float64(sc.Dh)}}}
		}
		for _, b := range v.Bounds {
			b.Name = fmt.Sprintf("%s (jitter %d)", b.Name, j)
			out.Bounds = append(out.Bounds, b)
		}
		out.Consts = append(out.Consts, Const{fmt.Sprintf("tau*/‖μ‖ (jitter %d)", j), star})
		stars = append(stars, star)
	}
	out.Consts = append(out.Consts, Const{"strengthen", k.Strengthen})
	return out, stars, nil
}
