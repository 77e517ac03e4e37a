package theorems

import (
	"math"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// Axis is one integer-indexed coordinate of a statement's instance space.
// Continuous parameters are indices on grids (N = 2^log2N, N·SNR² = 2^(c2/2),
// τ/‖μ‖ = k/20, …) so that shrunk counterexamples land on round values
// (STYLE §3). [Lo, Hi] is the range inside the hypotheses at default
// constants; [RelaxLo, RelaxHi] the wider range cmd/hunt explores with
// -relax.
type Axis struct {
	Name             string
	Lo, Hi           int
	RelaxLo, RelaxHi int
}

// Point assigns an index to every axis of a statement.
type Point map[string]int

// Statement is one claim of docs/THEORY.md §8 / the paper, as cmd/hunt and
// cmd/verify-style commands see it: identification, provenance, the test
// names, its instance space and an evaluator.
type Statement struct {
	ID string // THEORY / paper label, e.g. "P8"
	// ClaimID is the claim of the results files (P1–P9 of THEORY §8,
	// decided by the Check* functions of claims.go) whose counterexample
	// hunt this statement is; "" when the statement has no results-file
	// claim (A, D, Thm 4.2(iii), P10, P12). The claims and by-scale tables
	// put the statement's hunt in that claim's row.
	ClaimID string
	Func    string   // theorems function, e.g. "MidpointFloor"
	Paper   string   // the paper's numbering where known
	Tag     Tag      // provenance
	Claim   string   // one-line statement
	Tests   []string // properties tests: property, tightness, control
	// Axes returns the instance space at scale sc and constants k.
	Axes func(sc Scale, k Consts) []Axis
	// Check evaluates the statement at p. A *HypothesisError means p is
	// outside the hypotheses at constants k.
	Check func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error)
}

func tests(name string) []string {
	return []string{"Test" + name, "Test" + name + "Tight", "Test" + name + "Control"}
}

// cOf returns N·SNR² = 2^(c2/2).
func cOf(p Point) float64 { return linalg.Pow(2, float64(p["c2"])/2) }

// nOf returns N = 2^log2N.
func nOf(p Point) int { return 1 << p["log2N"] }

// c2Range returns the c2 indices with 2^(c2/2) ≥ lo (or ≤ hi).
func c2AtLeast(c float64) int { return int(math.Ceil(2 * math.Log2(c))) }
func c2AtMost(c float64) int  { return int(math.Floor(2 * math.Log2(c))) }

// sets lists the ℓ₂ perturbation sets by index.
var l2Sets = [...]attack.Set{attack.Frobenius, attack.SignalToken, attack.PerToken}

// anyModel returns the "any classifier" of the exact statements: the
// trained model of the clean cell (trained = 1), or an initialization of the
// cell with shrink factor c = 2^log2shrink (log2shrink = 4 is the scripts'
// c = 16; smaller c means larger weights, so attention ranges from near
// uniform to peaked).
func anyModel(lab *Lab, sc Scale, p Point) (*vit.Model, *data.Set, data.Signals, error) {
	inst := sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"]))
	if p["trained"] == 1 {
		r, err := lab.Train(inst)
		if err != nil {
			return nil, nil, data.Signals{}, err
		}
		return r.Model, r.Test, r.Sig, nil
	}
	inst.Init.Shrink = inst.Init.Shrink * linalg.Pow(2, float64(p["log2shrink"])) / 16
	m, err := vit.NewInit(inst.Arch, inst.Init, inst.Seed)
	if err != nil {
		return nil, nil, data.Signals{}, err
	}
	_, te, err := data.Draw(inst.Data, inst.Seed)
	if err != nil {
		return nil, nil, data.Signals{}, err
	}
	return m, te, data.SignalsOf(inst.Data), nil
}

// replicates trains the sc.Replicates seeds of a cell.
func replicates(lab *Lab, sc Scale, n int, c float64, fixed int) ([]*Run, error) {
	var runs []*Run
	for s := 1; s <= sc.Replicates; s++ {
		inst := sc.Cell(n, c, 0, uint64(s))
		if fixed > 0 {
			inst = inst.Fixed(fixed)
		}
		r, err := lab.Train(inst)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// minLog2N returns the smallest log2 N at which every c ≤ cmax keeps the
// assumption κ₀ = σ₀²R²√d_h ≤ Csig (R grows with ‖μ‖ = σ₂√d·√(c/N)).
func minLog2N(sc Scale, k Consts, cmax float64) int {
	x := maxCOverN(sc, k)
	lg := 1
	for lg < 8 && cmax/float64(int(1)<<lg) > x {
		lg++
	}
	return lg
}

// maxCOverN returns the largest c/N = SNR₂² at which κ₀ ≤ Csig holds at
// scale sc (default init, σ₂ = 4).
func maxCOverN(sc Scale, k Consts) float64 {
	s0 := vit.DefaultInit().Sigma0(sc.D)
	r2 := k.Csig / (s0 * s0 * math.Sqrt(float64(sc.Dh))) // largest R²
	return r2 / (16 * float64(sc.D))
}

func benignAxes(sc Scale, k Consts) []Axis {
	c2 := c2AtLeast(k.Cb)
	return []Axis{
		{"log2N", max(2, minLog2N(sc, k, linalg.Pow(2, float64(c2+4)/2))), 5, 1, 6},
		{"c2", c2, c2 + 4, -6, 12},
		{"seed", 1, 3, 1, 20},
	}
}

func harmfulAxes(sc Scale, k Consts) []Axis {
	return []Axis{
		{"log2N", 1, 5, 1, 6},
		{"c2", c2AtMost(k.Ch) - 8, c2AtMost(k.Ch), -12, 8},
		{"seed", 1, 3, 1, 20},
	}
}

// All returns the statements, in THEORY order, as a fresh slice (no
// mutable registry).
func All() []Statement {
	return []Statement{
		{
			ID: "A", Func: "AssumptionSet", Paper: "2409.19345 / 2604.19724 technical conditions (open)", Tag: PROP,
			Claim: "d ≥ Cd·N, κ₀ = σ₀²R²√d_h ≤ Csig, η·R²‖w_O‖²/M ≤ Ceta, d_h ≥ Cdh ln d ⇒ initial attention ≤ 1/(1+(M−1)e^{−2s}) [DER], s ≤ Cz√(2ln 2NM²)κ₀",
			Tests: tests("AssumptionSet"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"log2N", 1, 5, 1, 8}, {"c2", -8, c2AtMost(2 * maxCOverN(sc, k)), -12, 16}, {"seed", 1, 5, 1, 50}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				return AssumptionSet(sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"])), k)
			},
		},
		{
			ID: "D", Func: "GrowthRatio", Paper: "2409.19345 phase 1 (recovered)", Tag: PROP,
			Claim: "phase 1: Δγ̄/Δρ̄ ≈ K·N·SNR₂², K = 1/2 [DER at init] (THEORY §4.1 says ≈ N·SNR₂²)",
			Tests: tests("GrowthRatio"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"log2N", 1, 4, 1, 7}, {"c2", -8, 8, -12, 16}, {"seed", 1, 5, 1, 50}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				inst := sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"]))
				tr, _, err := data.Draw(inst.Data, inst.Seed)
				if err != nil {
					return Verdict{}, err
				}
				m, err := vit.NewInit(inst.Arch, inst.Init, inst.Seed)
				if err != nil {
					return Verdict{}, err
				}
				return GrowthRatio(m, tr, data.SignalsOf(inst.Data), inst.Data, inst.Train.Eta, k.GrowthT, k)
			},
		},
		{
			ID: "P1b", ClaimID: "P1", Func: "BenignCondition", Paper: "2409.19345 main theorem (benign); 2604.19724 headline at τ = 0", Tag: REV,
			Claim: "N·SNR² ≥ Cb ⇒ training loss < 0.01 and test loss < LossCut in ≥ Frac of seeds, test error ≤ ErrBenign",
			Tests: tests("BenignCondition"), Axes: benignAxes,
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				runs, err := replicates(lab, sc, nOf(p), cOf(p), 0)
				if err != nil {
					return Verdict{}, err
				}
				return BenignCondition(runs, k)
			},
		},
		{
			ID: "P1c", ClaimID: "P1", Func: "HarmfulCondition", Paper: "2409.19345 main theorem (harmful)", Tag: RECALL,
			Claim: "N·SNR² ≤ Ch ⇒ training loss < 0.01 but test loss > LossCut in ≥ Frac of seeds, test error ≥ ErrHarm",
			Tests: tests("HarmfulCondition"), Axes: harmfulAxes,
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				runs, err := replicates(lab, sc, nOf(p), cOf(p), 0)
				if err != nil {
					return Verdict{}, err
				}
				return HarmfulCondition(runs, k)
			},
		},
		{
			ID: "P2", ClaimID: "P2", Func: "BoundaryScaling", Paper: "2409.19345 Fig. 1 (N·SNR² = const contour)", Tag: CODE,
			Claim: "the benign/harmful contour has d ln‖μ‖*/d ln N ∈ [SlopeLo, SlopeHi] (theory −1/2)",
			Tests: tests("BoundaryScaling"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"seedBase", 0, 2, 0, 50}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				outs, err := PhaseSweep(lab, sc, []int{4, 8, 16}, -6, 6, uint64(100*p["seedBase"]+1), 2, k)
				if err != nil {
					return Verdict{}, err
				}
				v, _, err := BoundaryScaling(outs, k)
				return v, err
			},
		},
		{
			ID: "P3", ClaimID: "P3", Func: "BenignMechanism", Paper: "2409.19345 benign dynamics figure; 2604.19724 regime (i)", Tag: SEC,
			Claim: "benign cell, fixed horizon: a₁ ≥ AttnFactor/M, γ̄ > 0 and nondecreasing after the transient, signal path dominates on ≥ 95% of test points",
			Tests: tests("BenignMechanism"), Axes: benignAxes,
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				r, err := lab.Train(sc.Mech(sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"]))))
				if err != nil {
					return Verdict{}, err
				}
				return BenignMechanism(r, k)
			},
		},
		{
			ID: "P4", ClaimID: "P4", Func: "HarmfulMechanism", Paper: "2409.19345 harmful dynamics script", Tag: CODE,
			Claim: "harmful cell, fixed horizon: train loss falls ≥ 90%, test loss ≥ 0.5, median ρ ≥ 5·|γ|, a₁ rises ≤ 0.1",
			Tests: tests("HarmfulMechanism"), Axes: harmfulAxes,
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				r, err := lab.Train(sc.Mech(sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"]))))
				if err != nil {
					return Verdict{}, err
				}
				return HarmfulMechanism(r, k)
			},
		},
		{
			ID: "Thm4.2(i)", ClaimID: "P5", Func: "SmallBudget", Paper: "2604.19724 Thm 4.2 regime 1 (P5)", Tag: SEC,
			Claim: "τ ≤ C1‖μ‖/log d_h, benign: robust train loss < 0.01, robust test err ≤ clean + 0.05, a₁ within 0.1 of the clean run",
			Tests: tests("SmallBudget"),
			Axes: func(sc Scale, k Consts) []Axis {
				hi := int(math.Floor(20 * k.C1 / k.logDh(sc.Dh)))
				return append(benignAxes(sc, k), Axis{"tau20", 1, hi, 1, 14})
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				n, c, s := nOf(p), cOf(p), uint64(p["seed"])
				cl, err := lab.Train(sc.Cell(n, c, 0, s))
				if err != nil {
					return Verdict{}, err
				}
				rb, err := lab.Train(sc.Cell(n, c, float64(p["tau20"])/20, s))
				if err != nil {
					return Verdict{}, err
				}
				return SmallBudget(lab, cl, rb, k)
			},
		},
		{
			ID: "Thm4.2(ii)", ClaimID: "P6", Func: "AttentionCollapse", Paper: "2604.19724 Thm 4.2 regime 2 (P6)", Tag: SEC,
			Claim: "C1Hi‖μ‖/log d_h ≤ τ ≤ C2‖μ‖: attention entropy ≥ 0.9 ln M, f agrees with f_lin on ≥ 99%, slowdown ∈ [M/4, 4M]",
			Tests: tests("AttentionCollapse"),
			Axes: func(sc Scale, k Consts) []Axis {
				lo := int(math.Ceil(20 * k.C1Hi / k.logDh(sc.Dh)))
				hi := int(math.Floor(20 * k.C2))
				return append(benignAxes(sc, k), Axis{"tau20", lo, max(lo, hi), 1, 14})
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				n, c, s := nOf(p), cOf(p), uint64(p["seed"])
				cl, err := lab.Train(sc.Cell(n, c, 0, s))
				if err != nil {
					return Verdict{}, err
				}
				rb, err := lab.Train(sc.Cell(n, c, float64(p["tau20"])/20, s))
				if err != nil {
					return Verdict{}, err
				}
				return AttentionCollapse(cl, rb, k)
			},
		},
		{
			ID: "P7", ClaimID: "P7", Func: "RegimeBoundary", Paper: "2604.19724 Thm 4.2 boundary τ ≍ ‖μ‖/log d_h", Tag: SEC,
			Claim: "the final a₁ falls through the midpoint of its range at τ* with C1 ≤ τ*·log d_h/‖μ‖ ≤ C1Hi, for the sweep and its 1-ulp reruns",
			Tests: tests("RegimeBoundary"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"log2N", 4, 4, 2, 5}, {"c2", 8, 8, 6, 10}, {"seed", 1, 3, 1, 20}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				v, _, err := RegimeBoundaryOver(lab, sc, nOf(p), cOf(p), uint64(p["seed"]), k)
				return v, err
			},
		},
		{
			ID: "Thm4.2(iii)", Func: "Regime3Floor", Paper: "2604.19724 Thm 4.2 regime 3", Tag: SEC,
			Claim: "τ ≥ C3‖μ‖ ⇒ robust error ≥ 0.25 for every classifier (witness: exact erase/midpoint attack, ≥ 1/2)",
			Tests: tests("Regime3Floor"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"tauAbove20", 0, 10, -14, 10}, {"set", 0, 2, 0, 2}, {"trained", 0, 1, 0, 1},
					{"log2shrink", -3, 4, -3, 4}, {"log2N", 2, 4, 1, 5}, {"c2", -4, 8, -8, 10}, {"seed", 1, 3, 1, 20}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				m, te, sig, err := anyModel(lab, sc, p)
				if err != nil {
					return Verdict{}, err
				}
				tau := vecNorm(sig.Plus) * (k.C3 + float64(p["tauAbove20"])/20)
				return Regime3Floor(m, te, sig, l2Sets[p["set"]], tau, k)
			},
		},
		{
			ID: "P8", ClaimID: "P8", Func: "MidpointFloor", Paper: "ours (THEORY §3.4), strengthens Thm 4.2(iii)", Tag: DER,
			Claim: "τ ≥ ‖μ‖/√2 ⇒ robust error ≥ 1/2 (exactly, paired set) for every classifier and ℓ₂ set, via the midpoint attack",
			Tests: tests("MidpointFloor"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"tauAbove20", 0, 10, -14, 10}, {"set", 0, 2, 0, 2}, {"trained", 0, 1, 0, 1},
					{"log2shrink", -3, 4, -3, 4}, {"log2N", 2, 4, 1, 5}, {"c2", -4, 8, -8, 10}, {"seed", 1, 3, 1, 20}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				m, te, sig, err := anyModel(lab, sc, p)
				if err != nil {
					return Verdict{}, err
				}
				tau := vecNorm(sig.Plus) * (1/math.Sqrt2 + float64(p["tauAbove20"])/20)
				return MidpointFloor(m, te, sig, l2Sets[p["set"]], tau, k)
			},
		},
		{
			ID: "P9", ClaimID: "P9", Func: "MonotoneInTau", Paper: "THEORY P9", Tag: PROP,
			Claim: "robust test error (PGD-20×5 + exact) of a trained model is nondecreasing in τ up to MonoTol",
			Tests: tests("MonotoneInTau"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"tau20", 0, 12, 0, 20}, {"step20", 1, 4, 1, 8}, {"log2N", 2, 4, 1, 5}, {"c2", -4, 8, -8, 10}, {"seed", 1, 2, 1, 20}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				r, err := lab.Train(sc.Cell(nOf(p), cOf(p), 0, uint64(p["seed"])))
				if err != nil {
					return Verdict{}, err
				}
				var taus, errs []float64
				for i := 0; i < 3; i++ {
					t := float64(p["tau20"]+i*p["step20"]) / 20
					rob, err := lab.Robust(r, true, attack.Frobenius, t*r.Inst.Data.Mu())
					if err != nil {
						return Verdict{}, err
					}
					taus, errs = append(taus, t), append(errs, rob.Error)
				}
				return MonotoneInTau(taus, errs, k)
			},
		},
		{
			ID: "P10", Func: "LinearCollapseMargin", Paper: "THEORY §3.3 (linear-collapse model of Thm 4.2(ii))", Tag: DER,
			Claim: "W_QW_Kᵀ = 0 ⇒ min_{Δ∈B(τ)} y f(X+Δ) = y f(X) − τκ_set exactly, attained at Δ*, reached by PGD-20 within 1e-3",
			Tests: tests("LinearCollapseMargin"),
			Axes: func(sc Scale, k Consts) []Axis {
				return []Axis{{"set", 0, 3, 0, 3}, {"log2tau", -3, 3, -6, 6}, {"frac10", 0, 10, 0, 12}, {"sample", 0, 3, 0, 15}, {"seed", 1, 5, 1, 50}}
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				return linearAt(sc, p, k)
			},
		},
		{
			ID: "P12", Func: "OverfittingIsReal", Paper: "2604.19724 abstract (near-zero robust training loss)", Tag: ABS,
			Claim: "benign cell, converged: min margin > 0, noise memorized on > 1/2 of samples, robust training error 0 in regime 1",
			Tests: tests("OverfittingIsReal"),
			Axes: func(sc Scale, k Consts) []Axis {
				hi := int(math.Floor(20 * k.C1 / k.logDh(sc.Dh)))
				return append(benignAxes(sc, k), Axis{"tau20", 0, hi, 0, 14})
			},
			Check: func(lab *Lab, sc Scale, p Point, k Consts) (Verdict, error) {
				r, err := lab.Train(sc.Cell(nOf(p), cOf(p), float64(p["tau20"])/20, uint64(p["seed"])))
				if err != nil {
					return Verdict{}, err
				}
				return OverfittingIsReal(lab, r, k)
			},
		},
	}
}

// linearAt builds the P10 instance at p: the cell's initialization with
// W_K = 0 (so W_Q W_Kᵀ = 0), value weights scaled up 100× so the margin is
// not tiny, sample p["sample"] of the training set, and Δ = frac·τ·g/‖g‖ in
// the set's norm for a Gaussian g (projected into the ball).
func linearAt(sc Scale, p Point, k Consts) (Verdict, error) {
	inst := sc.Cell(4, 4, 0, uint64(p["seed"]))
	m, err := vit.NewInit(inst.Arch, inst.Init, inst.Seed)
	if err != nil {
		return Verdict{}, err
	}
	wq, wk := m.SplitQK()
	clear(wk)
	m.JoinQK(wq, wk)
	for i := range m.Wv {
		m.Wv[i] *= 100
	}
	tr, _, err := data.Draw(inst.Data, inst.Seed)
	if err != nil {
		return Verdict{}, err
	}
	i := p["sample"] % tr.N
	set := attack.Sets()[p["set"]]
	tau := linalg.Pow(2, float64(p["log2tau"]))
	delta := make([]float64, tr.M*tr.D)
	r := newRand(inst.Seed, uint64(p["frac10"]))
	set.RandomTo(delta, tr.M, tau, r)
	if nd := set.Norm(delta, tr.M); nd > 0 {
		f := float64(p["frac10"]) / 10 * tau / nd
		for j := range delta {
			delta[j] *= f
		}
	}
	return LinearCollapseMargin(m, tr.Sample(i), tr.Y[i], delta, set, tau, k)
}
