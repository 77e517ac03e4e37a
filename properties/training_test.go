package properties

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"vitadv/model/train"
	"vitadv/theorems"
)

// Narrowed axes at the tiny scale (ignored at any other VITADV_SCALE). Each
// bounds the distinct trainings a property may request to a few dozen
// (≤ ~5 s per property on two cores); -short narrows to one seed.
func seeds() [2]int {
	if testing.Short() {
		return [2]int{1, 1}
	}
	return [2]int{1, 2}
}

// cell returns the clean stop-rule run of a cell.
func cell(t *testing.T, n int, c float64, seed uint64) *theorems.Run {
	t.Helper()
	r, err := lab.Train(scale.Cell(n, c, 0, seed))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func reps(t *testing.T, n int, c float64, fixed int) []*theorems.Run {
	t.Helper()
	var runs []*theorems.Run
	for s := 1; s <= scale.Replicates; s++ {
		inst := scale.Cell(n, c, 0, uint64(s))
		if fixed > 0 {
			inst = inst.Fixed(fixed)
		}
		r, err := lab.Train(inst)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

// --- P1b: BenignCondition [REV]/[CODE] -----------------------------------

func TestBenignCondition(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P1b", nil)
}

// The extremal benign cell is the hypothesis corner closest to the
// boundary: the smallest admissible N and c = Cb (rounded up to the grid).
func benignCorner(k theorems.Consts) (int, float64) {
	var ax []theorems.Axis
	for _, st := range theorems.All() {
		if st.ID == "P1b" {
			ax = st.Axes(scale, k)
		}
	}
	return 1 << ax[0].Lo, math.Pow(2, float64(ax[1].Lo)/2)
}

func TestBenignConditionTight(t *testing.T) {
	t.Parallel()
	n, c := benignCorner(theorems.Defaults())
	runs := reps(t, n, c, 0)
	// Pinned: Frac: every replicate's test loss is below LossCut/3 but not LossCut/5.
	tightBand(t, "BenignCondition(corner)", 5, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.BenignCondition(runs, k)
	})
}

func TestBenignConditionControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	runs := reps(t, 4, 0.25, 0) // N·SNR₂² = 0.25 < Cb
	_, err := theorems.BenignCondition(runs, k)
	wantHypothesis(t, "BenignCondition(c=0.25)", err, "N·SNR² ≥ Cb")
	k.Cb = 0.1 // relaxed: the claim breaks in the harmful cell
	v, err := theorems.BenignCondition(runs, k)
	if err != nil {
		t.Fatalf("BenignCondition(c=0.25, Cb=0.1) = error %v", err)
	}
	if v.Holds() {
		t.Errorf("BenignCondition(c=0.25, Cb=0.1) = %v, want FAILS", v)
	}
}

// --- P1c: HarmfulCondition [RECALL?]/[CODE] ------------------------------

func TestHarmfulCondition(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P1c", narrow{"log2N": {1, 3}, "c2": {-5, -1}})
}

func TestHarmfulConditionTight(t *testing.T) {
	t.Parallel()
	runs := reps(t, 2, math.Pow(2, -4.0/2), 0) // N = 2, c = 1/4
	// Pinned: the replicates' test losses exceed 3·LossCut but not 5·LossCut.
	tightBand(t, "HarmfulCondition(N=2 c=1/4)", 5, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.HarmfulCondition(runs, k)
	})
}

func TestHarmfulConditionControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	runs := reps(t, 16, 16, 0)
	_, err := theorems.HarmfulCondition(runs, k)
	wantHypothesis(t, "HarmfulCondition(c=16)", err, "N·SNR² ≤ Ch")
	k.Ch = 100
	if v, err := theorems.HarmfulCondition(runs, k); err != nil || v.Holds() {
		t.Errorf("HarmfulCondition(c=16, Ch=100) = %v (err %v), want FAILS", v, err)
	}
}

// --- P2: BoundaryScaling [CODE] ------------------------------------------

func TestBoundaryScaling(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a phase sweep of 78 trainings; run without -short")
	}
	checkProperty(t, "P2", narrow{"seedBase": {0, 0}})
}

func TestBoundaryScalingTight(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a phase sweep of 78 trainings; run without -short")
	}
	st := statement(t, "P2")
	// Pinned: the fitted slope −0.435 leaves the band narrowed 5× about −1/2.
	tightBand(t, "BoundaryScaling(seedBase=0)", 5, func(k theorems.Consts) (theorems.Verdict, error) {
		return st.Check(lab, scale, theorems.Point{"seedBase": 0}, k)
	})
}

// synthetic returns outcomes whose boundary is N^(2γ+1)·SNR² = 1, i.e.
// ‖μ‖* ∝ N^(−1/2−γ): slope −1/2−γ.
func synthetic(gamma float64) []theorems.Outcome {
	var outs []theorems.Outcome
	for _, n := range []int{4, 8, 16, 32} {
		for j := -8; j <= 8; j++ {
			c := math.Pow(2, float64(j)/2)
			outs = append(outs, theorems.Outcome{N: n, C: c, Seed: 1, Benign: c*math.Pow(float64(n), 2*gamma) >= 1})
		}
	}
	return outs
}

func TestBoundaryScalingControl(t *testing.T) {
	k := theorems.Defaults()
	_, _, err := theorems.BoundaryScaling(synthetic(0)[:17], k) // one N only
	wantHypothesis(t, "BoundaryScaling(one N)", err, "two distinct N")
	if v, _, err := theorems.BoundaryScaling(synthetic(0), k); err != nil || !v.Holds() {
		t.Errorf("BoundaryScaling(synthetic slope −1/2) = %v (err %v), want holds", v, err)
	}
	// A boundary at constant ‖μ‖ (slope 0, as for a CNN with N·SNR⁴·d-type
	// scaling pushed to the extreme) is outside the band.
	if v, _, err := theorems.BoundaryScaling(synthetic(-0.5), k); err != nil || v.Holds() {
		t.Errorf("BoundaryScaling(synthetic slope 0) = %v (err %v), want FAILS", v, err)
	}
}

// --- P3: BenignMechanism [SEC]/[CODE] ------------------------------------

func TestBenignMechanism(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P3", narrow{"log2N": {3, 4}, "c2": {6, 8}, "seed": seeds()})
}

func TestBenignMechanismTight(t *testing.T) {
	t.Parallel()
	n, c := benignCorner(theorems.Defaults())
	r, err := lab.Train(scale.Cell(n, c, 0, 1).Fixed(scale.MechSteps))
	if err != nil {
		t.Fatal(err)
	}
	// Pinned: a₁(T) = 0.46 < 1.3·AttnFactor/M.
	tightBand(t, "BenignMechanism(corner)", 1.3, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.BenignMechanism(r, k)
	})
}

func TestBenignMechanismControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	r, err := lab.Train(scale.Cell(4, 0.25, 0, 1).Fixed(scale.MechSteps))
	if err != nil {
		t.Fatal(err)
	}
	_, err = theorems.BenignMechanism(r, k)
	wantHypothesis(t, "BenignMechanism(c=0.25)", err, "N·SNR² ≥ Cb")
	k.Cb = 0.1
	if v, err := theorems.BenignMechanism(r, k); err != nil || v.Holds() {
		t.Errorf("BenignMechanism(c=0.25, Cb=0.1) = %v (err %v), want FAILS", v, err)
	}
	_, err = theorems.BenignMechanism(cell(t, 16, 16, 1), theorems.Defaults())
	wantHypothesis(t, "BenignMechanism(stop rule)", err, "fixed horizon")
}

// --- P4: HarmfulMechanism [CODE] -----------------------------------------

func TestHarmfulMechanism(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P4", narrow{"log2N": {1, 3}, "c2": {-5, -1}, "seed": seeds()})
}

func TestHarmfulMechanismTight(t *testing.T) {
	t.Parallel()
	r, err := lab.Train(scale.Cell(2, 0.25, 0, 1).Fixed(scale.MechSteps))
	if err != nil {
		t.Fatal(err)
	}
	// Pinned: test loss 0.66 < 1.5·HarmLoss.
	tightBand(t, "HarmfulMechanism(N=2 c=1/4)", 1.5, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.HarmfulMechanism(r, k)
	})
}

func TestHarmfulMechanismControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	r, err := lab.Train(scale.Cell(16, 16, 0, 1).Fixed(scale.MechSteps))
	if err != nil {
		t.Fatal(err)
	}
	_, err = theorems.HarmfulMechanism(r, k)
	wantHypothesis(t, "HarmfulMechanism(c=16)", err, "N·SNR² ≤ Ch")
	k.Ch = 100
	if v, err := theorems.HarmfulMechanism(r, k); err != nil || v.Holds() {
		t.Errorf("HarmfulMechanism(c=16, Ch=100) = %v (err %v), want FAILS", v, err)
	}
}

// --- Thm 4.2(i) / P5: SmallBudget [SEC] ----------------------------------

func TestSmallBudget(t *testing.T) {
	t.Parallel()
	checkProperty(t, "Thm4.2(i)", narrow{"log2N": {3, 4}, "c2": {6, 8}, "seed": {1, 1}})
}

func TestSmallBudgetTight(t *testing.T) {
	t.Parallel()
	// The decisive constant is C1 (the budget range); the extremal instance
	// for a strengthening s is the largest grid budget τ ≤ s·C1‖μ‖/log d_h
	// in the corner cell. The factor s at which the claim first fails is
	// logged; it must exist below 10 (τ then reaches 0.7‖μ‖, past which P8
	// rules robust fitting out).
	k := theorems.Defaults()
	n, c := benignCorner(k)
	cl := cell(t, n, c, 1)
	logdh := math.Log(float64(scale.Dh)) / math.Log(k.LogBase)
	for _, s := range append([]float64{1}, teethFactors...) {
		kk := k
		kk.C1 = k.C1 * s
		tau := math.Min(math.Floor(20*kk.C1/logdh), 14) / 20
		v, err := theorems.SmallBudget(lab, cl, cellTau(t, n, c, tau, 1), kk)
		if err != nil {
			t.Fatalf("SmallBudget(C1=%g, τ=%g‖μ‖) = error %v", kk.C1, tau, err)
		}
		if s == 1 && !v.Holds() {
			t.Fatalf("SmallBudget(corner, τ=%g‖μ‖) = %v, want holds", tau, v)
		}
		if v.Refuted() {
			t.Logf("SmallBudget(corner) first fails at C1 ×%g (τ = %g‖μ‖): %v", s, tau, v.Failed())
			// Pinned: at C1 ×3 (τ = 0.4‖μ‖) robust training no longer fits.
			if !(s <= 3) {
				t.Errorf("SmallBudget(corner) first fails at C1 ×%g, want ≤ 3 (a weakened tolerance?)", s)
			}
			return
		}
	}
	t.Errorf("SmallBudget(corner) holds for every τ ≤ 0.7‖μ‖, want it to fail (the check has no teeth)")
}

func cellTau(t *testing.T, n int, c, tauRel float64, seed uint64) *theorems.Run {
	t.Helper()
	r, err := lab.Train(scale.Cell(n, c, tauRel, seed))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSmallBudgetControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	cl, rb := cell(t, 16, 16, 1), cellTau(t, 16, 16, 0.3, 1)
	_, err := theorems.SmallBudget(lab, cl, rb, k)
	wantHypothesis(t, "SmallBudget(τ=0.3‖μ‖)", err, "C1")
	_, err = theorems.SmallBudget(lab, cl, cell(t, 8, 16, 1), k)
	wantHypothesis(t, "SmallBudget(two cells)", err, "one cell")
	// Relaxed (C1 = 10) in the benign corner cell the claim breaks at
	// τ = 0.4‖μ‖: robust training no longer fits (robust loss ≥ 0.7 in
	// every kernel build; TestSmallBudgetTight trains that run). At
	// τ = 0.3‖μ‖ in this cell the robust test error is chaotic under
	// rounding (0.03 in the default build, 0.49 with -tags avx512asm), so
	// no verdict is asserted there; its divergence under a 1-ulp
	// perturbation of the initialization is logged instead.
	k.C1 = 10
	if !testing.Short() {
		ch, err := lab.Chaos(rb.Inst, 1, func(r *theorems.Run) float64 {
			rob, err := lab.Robust(r, true, r.Inst.Set, r.Inst.Tau)
			if err != nil {
				return math.NaN()
			}
			return rob.Error
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("SmallBudget(N=16 c=16 τ=0.3‖μ‖): robust test error %v", ch)
	}
	n, c := benignCorner(theorems.Defaults())
	v, err := theorems.SmallBudget(lab, cell(t, n, c, 1), cellTau(t, n, c, 0.4, 1), k)
	if err != nil || !v.Refuted() {
		t.Errorf("SmallBudget(corner, τ=0.4‖μ‖, C1=10) = %v (err %v), want FAILS", v, err)
	}
}

// --- Thm 4.2(ii) / P6: AttentionCollapse [SEC] ---------------------------

func TestAttentionCollapse(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("adversarial training to 1000 steps; run without -short")
	}
	checkProperty(t, "Thm4.2(ii)", narrow{"log2N": {4, 4}, "c2": {8, 8}, "seed": {1, 1}})
}

func TestAttentionCollapseTight(t *testing.T) {
	t.Parallel()
	if hasFinding(t, "Thm4.2(ii)") {
		t.Skip("the statement fails at this scale (see TestAttentionCollapse): no extremal instance where it holds")
	}
	k := theorems.Defaults()
	ax := statement(t, "Thm4.2(ii)").Axes(scale, k)
	tau := float64(ax[3].Lo) / 20
	cl, rb := cell(t, 16, 16, 1), cellTau(t, 16, 16, tau, 1)
	// Pinned: no extremal instance at this scale (the test skips).
	tightBand(t, "AttentionCollapse", 10, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.AttentionCollapse(cl, rb, k)
	})
}

func TestAttentionCollapseControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	cl, rb := cell(t, 16, 16, 1), cellTau(t, 16, 16, 0.05, 1)
	_, err := theorems.AttentionCollapse(cl, rb, k)
	wantHypothesis(t, "AttentionCollapse(τ=0.05‖μ‖)", err, "C1Hi")
	// Relaxed into regime 1 (C1Hi = 0, τ = 0.05‖μ‖) the claim holds: at
	// M = 4 the entropy bound 0.9·ln M admits a₁ up to ≈ 0.5 and stop-rule
	// runs of a few steps barely move attention, so the check cannot tell
	// regime 1 from regime 2 at this scale (see STATEMENTS.md). Asserted,
	// so that a change is noticed.
	k.C1Hi = 0
	v, err := theorems.AttentionCollapse(cl, rb, k)
	if err != nil || !v.Holds() {
		t.Errorf("AttentionCollapse(τ=0.05‖μ‖, C1Hi=0) = %v (err %v), want holds (no power at M = 4)", v, err)
	}
	// The check can fail: the same clean run against a robust trajectory
	// whose attention is peaked (entropy 0.5·ln M) and whose loss never
	// reaches 0.05 in 1000 steps fails the entropy and slowdown bounds.
	fake := *cl
	fake.Inst = scale.Cell(16, 16, 0.6, 1) // inside the regime-2 window
	fake.Records = append([]train.Record(nil), cl.Records...)
	for i := range fake.Records {
		fake.Records[i].Entropy = 0.5 * math.Log(float64(scale.M))
	}
	fake.Losses = make([]float64, 1001)
	for i := range fake.Losses {
		fake.Losses[i] = 0.5
	}
	v, err = theorems.AttentionCollapse(cl, &fake, theorems.Defaults())
	if err != nil || len(v.Failed()) != 2 {
		t.Errorf("AttentionCollapse(peaked, unconverged) = %v (err %v), want the entropy and slowdown bounds to FAIL", v, err)
	}
	// The hypotheses are checked before the run is read: an untrained
	// placeholder run suffices.
	_, err = theorems.AttentionCollapse(cl, &theorems.Run{Inst: scale.Cell(16, 16, 0.7, 1)}, theorems.Defaults())
	wantHypothesis(t, "AttentionCollapse(τ=0.7‖μ‖)", err, "C2")
}

// --- P7: RegimeBoundary [SEC] --------------------------------------------

func TestRegimeBoundary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a sweep of 7 adversarial trainings; run without -short")
	}
	checkProperty(t, "P7", narrow{"seed": {1, 1}})
}

// TestRegimeBoundaryTight checks P7's band in both directions on
// synthetic extremal sweeps whose crossing τ* sits just inside each edge of
// the band (τ*·log d_h/‖μ‖ = C1·(1 + 1e-9) and C1Hi·(1 − 1e-9)): each holds
// as stated and fails when the band is narrowed by 1 + 1e-6. A measured
// sweep cannot serve as the extremal instance: its τ* lies where a₁ is
// chaotic under rounding (TestRegimeBoundaryChaos), so how far inside the
// band it falls changes with the kernel build.
func TestRegimeBoundaryTight(t *testing.T) {
	def := theorems.Defaults()
	logdh := math.Log(float64(scale.Dh)) / math.Log(def.LogBase)
	M := scale.M
	level := (0.5 + 1/float64(M)) / 2 // the midpoint of a₁'s range when a₁(0) = 1/2
	for _, edge := range []struct {
		name string
		x    float64 // τ*·log d_h/‖μ‖
	}{{"C1", def.C1 * (1 + 1e-9)}, {"C1Hi", def.C1Hi * (1 - 1e-9)}} {
		tauStar := edge.x / logdh
		taus := []float64{0, tauStar, 0.7}
		a1 := []float64{0.5, level, 1 / float64(M)}
		tightDER(t, "RegimeBoundary(τ* at "+edge.name+")", exactFactor, func(k theorems.Consts) (theorems.Verdict, error) {
			v, star, err := theorems.RegimeBoundary(scale.Dh, M, taus, a1, k)
			if err == nil && star != tauStar {
				t.Fatalf("RegimeBoundary τ* = %.17g, want %.17g (the sweep crosses exactly there)", star, tauStar)
			}
			return v, err
		})
	}
}

// TestRegimeBoundaryChaos measures what P7 rests on: the final a₁ of the
// P7 sweep's adversarial runs, rerun from a 1-ulp perturbation of the
// initialization (theorems.Lab.Chaos; the runs are shared with
// TestRegimeBoundary). It logs the divergence at each τ and each
// trajectory's τ*, asserts that the regime-1 end of the sweep (τ ≤ 0.15‖μ‖,
// where a₁(0) fixes the midpoint level) is not chaotic (spread ≤ 1e-9), and
// that P7's verdict is the same on every trajectory — the claim is decided
// by the distribution, not by one draw of it.
func TestRegimeBoundaryChaos(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("two sweeps of 8 adversarial trainings; run without -short")
	}
	const n, c, seed = 16, 16, 1
	for _, tau := range theorems.SweepTaus() {
		ch, err := lab.Chaos(scale.Cell(n, c, tau, seed).Fixed(scale.MechSteps), theorems.P7Reruns, func(r *theorems.Run) float64 { return r.Last().A1 })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("τ = %.2f‖μ‖: final a₁ %v", tau, ch)
		if tau <= 0.15 && !(ch.Spread() <= 1e-9) {
			t.Errorf("τ = %.2f‖μ‖: a₁ spread under a 1-ulp perturbation = %g, want ≤ 1e-9 (regime 1 is not chaotic)", tau, ch.Spread())
		}
	}
	k := theorems.Defaults()
	v, stars, err := theorems.RegimeBoundaryOver(lab, scale, n, c, seed, k)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("τ*/‖μ‖ per trajectory (nominal, 1-ulp reruns): %.4g; band [%.4g, %.4g]", stars, k.C1/math.Log(float64(scale.Dh)), k.C1Hi/math.Log(float64(scale.Dh)))
	holds := map[bool]int{}
	for j := 0; j <= theorems.P7Reruns; j++ {
		ok := true
		for _, b := range v.Bounds {
			if strings.HasSuffix(b.Name, fmt.Sprintf("(jitter %d)", j)) && !b.Holds() {
				ok = false
			}
		}
		holds[ok]++
	}
	if len(holds) != 1 {
		t.Errorf("P7 verdict differs between trajectories: %v", v)
	}
}

func TestRegimeBoundaryControl(t *testing.T) {
	k := theorems.Defaults()
	_, _, err := theorems.RegimeBoundary(32, 4, []float64{0.1}, []float64{0.5}, k)
	wantHypothesis(t, "RegimeBoundary(one point)", err, "τ = 0")
	// A sweep whose a₁ never collapses puts τ* at +Inf: the claim fails.
	v, star, err := theorems.RegimeBoundary(32, 4, []float64{0, 0.3, 0.7}, []float64{0.5, 0.49, 0.48}, k)
	if err != nil || v.Holds() || !math.IsInf(star, 1) {
		t.Errorf("RegimeBoundary(no collapse) = %v, τ* = %g (err %v), want FAILS with τ* = +Inf", v, star, err)
	}
}

// --- P9: MonotoneInTau [PROP] --------------------------------------------

func TestMonotoneInTau(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P9", narrow{"log2N": {3, 3}, "c2": {6, 6}, "seed": {1, 1}, "step20": {2, 4}, "tau20": {0, 8}})
}

func TestMonotoneInTauTight(t *testing.T) {
	t.Parallel()
	// Extremal: the flat start of the error curve of a benign model (τ/‖μ‖
	// = 0, 0.1, 0.2: robust error 0 throughout), where the monotone bound
	// holds with equality up to MonoTol. Made too strong — demanding a
	// strict increase of 0.01 per step (MonoTol = −0.01) — it must fail.
	st := statement(t, "P9")
	p := theorems.Point{"tau20": 0, "step20": 2, "log2N": 3, "c2": 6, "seed": 1}
	k := theorems.Defaults()
	v, err := st.Check(lab, scale, p, k)
	if err != nil || !v.Holds() {
		t.Fatalf("MonotoneInTau(flat) = %v (err %v), want holds", v, err)
	}
	if g := v.MinGap(); !(math.Abs(g-k.MonoTol) <= 1e-12) {
		t.Errorf("MonotoneInTau(flat) min gap = %g, want MonoTol = %g (equal errors)", g, k.MonoTol)
	}
	k.MonoTol = -0.01
	if v, err := st.Check(lab, scale, p, k); err != nil || v.Holds() {
		t.Errorf("MonotoneInTau(flat, MonoTol=−0.01) = %v (err %v), want FAILS", v, err)
	}
}

func TestMonotoneInTauControl(t *testing.T) {
	k := theorems.Defaults()
	_, err := theorems.MonotoneInTau([]float64{0.2, 0.1}, []float64{0, 0}, k)
	wantHypothesis(t, "MonotoneInTau(decreasing τ)", err, "increasing")
	if v, err := theorems.MonotoneInTau([]float64{0.1, 0.2}, []float64{0.3, 0.2}, k); err != nil || v.Holds() {
		t.Errorf("MonotoneInTau(error falls by 0.1) = %v (err %v), want FAILS", v, err)
	}
}

// --- P12: OverfittingIsReal [ABS]/[PROP] ---------------------------------

func TestOverfittingIsReal(t *testing.T) {
	t.Parallel()
	checkProperty(t, "P12", narrow{"log2N": {3, 4}, "c2": {6, 8}, "seed": {1, 1}})
}

func TestOverfittingIsRealTight(t *testing.T) {
	t.Parallel()
	n, c := benignCorner(theorems.Defaults())
	r := cell(t, n, c, 1)
	// Pinned: every sample memorizes its noise: fraction 1 = 2·1/2, the bound's edge.
	tightBand(t, "OverfittingIsReal(corner)", 2, func(k theorems.Consts) (theorems.Verdict, error) {
		return theorems.OverfittingIsReal(lab, r, k)
	})
}

func TestOverfittingIsRealControl(t *testing.T) {
	t.Parallel()
	k := theorems.Defaults()
	_, err := theorems.OverfittingIsReal(lab, cellTau(t, 16, 16, 0.3, 1), k)
	wantHypothesis(t, "OverfittingIsReal(τ=0.3‖μ‖)", err, "C1")
	r, err := lab.Train(scale.Cell(16, 16, 0, 1).Fixed(2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = theorems.OverfittingIsReal(lab, r, k)
	wantHypothesis(t, "OverfittingIsReal(2 steps)", err, "converged")
}
