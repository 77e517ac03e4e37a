package theorems_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"vitadv/model/vit"
	"vitadv/theorems"
)

// tauRow is one row of a committed τ sweep (results/tau/*.csv): the
// RunFacts of its run and its budget.
type tauRow struct {
	facts theorems.RunFacts
	tau   float64
	seed  uint64
	attn  theorems.AttnState // final attention on clean test inputs
}

// readTauFacts reads the RunFacts of every row of a τ-sweep CSV, with
// ‖w_O‖² from the initialization the experiment draws (vit.NewInit with
// the Gaussian law at the row's init_shrink and seed, as
// experiment.Setup.TrainCell does).
func readTauFacts(path string) ([]tauRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var rows []tauRow
	wo2 := map[string]float64{} // rows of one seed share the initialization
	for _, r := range recs[1:] {
		num := func(name string) float64 {
			v, perr := strconv.ParseFloat(r[col[name]], 64)
			if perr != nil && err == nil {
				err = fmt.Errorf("%s: column %s: %v", path, name, perr)
			}
			return v
		}
		seed, perr := strconv.ParseUint(r[col["seed"]], 10, 64)
		if perr != nil {
			return nil, perr
		}
		fc := theorems.RunFacts{N: int(num("n")), D: int(num("d")), M: int(num("m")), Dh: int(num("dh")),
			Mu: num("mu"), Sigma2: num("sigma2"), SigmaW: num("sigma_w"), TauOverMu: num("tau_over_mu"),
			Eta: num("eta"), Steps: int(num("steps")), InitShrink: num("init_shrink")}
		arch := vit.Arch{D: fc.D, Dh: fc.Dh, Dv: int(num("dv"))}
		if err != nil {
			return nil, err
		}
		key := fmt.Sprint(arch, fc.InitShrink, seed)
		if _, ok := wo2[key]; !ok {
			if wo2[key], err = theorems.InitWoNorm2(arch, vit.Init{Law: vit.Gaussian, Shrink: fc.InitShrink}, seed); err != nil {
				return nil, err
			}
		}
		fc.WoNorm2 = wo2[key]
		rows = append(rows, tauRow{facts: fc, tau: fc.TauOverMu, seed: seed,
			attn: theorems.AttnState{Eta: fc.Eta, Steps: fc.Steps, A1: num("a1"), Entropy: num("entropy")}})
	}
	return rows, nil
}

// violations returns the names of the conditions a scope violates, or
// "inside".
func violations(sc theorems.Scope) string {
	if sc.Inside() {
		return "inside"
	}
	var names []string
	for _, c := range sc.Violated {
		names = append(names, strings.SplitN(c.Name, " ", 2)[0])
	}
	return "outside (" + strings.Join(names, ", ") + ")"
}

// ExampleScopeP6 applies the scopes, read-only, to the committed τ sweeps
// (results/tau/*.csv; their JSON sidecars record the producing command,
// the shard and the machine, no training parameter the CSV lacks): for each
// file, the conditions of the training hypotheses with their values, THEORY
// §4.1's step-size limit and how far each η of issue 17's axis is from it,
// and the scope of each statement's rows. Run it with
// `go test ./theorems -run ExampleScopeP6 -v`.
func ExampleScopeP6() {
	k, s := theorems.Defaults(), theorems.DefaultScope()
	paths := etaOneTauFiles()
	for _, p := range paths {
		rows, err := readTauFacts(p)
		if err != nil {
			fmt.Println(err)
			return
		}
		var side struct{ Command string }
		if b, err := os.ReadFile(strings.TrimSuffix(p, ".csv") + ".json"); err == nil {
			json.Unmarshal(b, &side)
		}
		f0 := rows[0].facts
		var taus []float64
		seen := map[float64]bool{}
		curvLo, curvHi := math.Inf(1), math.Inf(-1)
		for _, r := range rows {
			if !seen[r.tau] {
				seen[r.tau] = true
				taus = append(taus, r.tau)
			}
			sc, _ := theorems.ScopeP6(r.facts, k, s)
			c, _ := sc.Find("η·R²")
			curvLo, curvHi = math.Min(curvLo, c.Value), math.Max(curvHi, c.Value)
		}
		sort.Float64s(taus)
		fmt.Printf("%s (%s): d=%d M=%d d_h=%d N=%d ‖μ‖=%.4g η=%g T=%d η·T=%g, %d rows\n", filepath.Base(p), side.Command, f0.D, f0.M, f0.Dh, f0.N, f0.Mu, f0.Eta, f0.Steps, f0.EtaT(), len(rows))
		sc, _ := theorems.ScopeP7(f0, taus, k, s)
		for _, c := range sc.Conditions {
			if strings.HasPrefix(c.Name, "η·R²") {
				fmt.Printf("  %s: %.3g–%.3g over the seeds, limit %g\n", c.Name, curvLo, curvHi, c.Limit)
				continue
			}
			fmt.Printf("  %v\n", c)
		}
		lim := f0.StepLimitTheory(s)
		fmt.Printf("  THEORY step limit %.4g: η = 0.1 is ×%.4g, 0.01 ×%.4g, 0.001 ×%.4g\n", lim, 0.1/lim, 0.01/lim, 0.001/lim)
		fam := map[string][]string{}
		for _, r := range rows {
			f := r.facts
			switch {
			case theorems.InRegime1(r.tau, f.Dh, k):
				sc, _ := theorems.ScopeP5(f, k, s)
				fam["P5"] = append(fam["P5"], fmt.Sprintf("τ=%g %s", r.tau, violations(sc)))
			case theorems.InRegime2(r.tau, f.Dh, k):
				sc, _ := theorems.ScopeP6(f, k, s)
				fam["P6"] = append(fam["P6"], fmt.Sprintf("τ=%g %s", r.tau, violations(sc)))
			case r.tau >= 1/math.Sqrt2:
				fam["P8"] = append(fam["P8"], fmt.Sprintf("τ=%g %s", r.tau, violations(theorems.ScopeP8(r.tau))))
			}
		}
		for _, id := range []string{"P5", "P6", "P8"} {
			fmt.Printf("  %s: %s\n", id, strings.Join(dedup(fam[id]), "; "))
		}
		fmt.Printf("  P7: %s\n  P9: %s\n", violations(sc), violations(theorems.ScopeP9(taus)))
	}
	// Output:
	// ci-long.csv (vitadv tau -reps 5 -steps 400 -out results/tau/ci-long -preset ci -results results): d=128 M=8 d_h=64 N=20 ‖μ‖=45.25 η=0.1 T=400 η·T=40, 55 rows
	//   M ≥ 2: 8 ≥ 2 (×0.25)
	//   d ≥ Cd·N^DExp: 128 ≥ 40 (×0.3125)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.1667 ≤ 0.5 (×0.3333)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 7.67–9.58 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 64 ≥ 4.852 (×0.07581)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)
	//   N·SNR² ≥ Cb: 20 ≥ 7.5 (×0.375)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1.2 ≥ 0.4809 (×0.4007)
	//   THEORY step limit 0.0004883: η = 0.1 is ×204.8, 0.01 ×20.48, 0.001 ×2.048
	//   P5: τ=0.05 outside (η); τ=0.1 outside (η)
	//   P6: τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside; τ=1.2 inside
	//   P7: outside (η)
	//   P9: inside
	// ci-per-token.csv (vitadv tau -set per-token -out results/tau/ci-per-token -preset ci -results results): d=128 M=8 d_h=64 N=20 ‖μ‖=45.25 η=0.1 T=150 η·T=15, 22 rows
	//   M ≥ 2: 8 ≥ 2 (×0.25)
	//   d ≥ Cd·N^DExp: 128 ≥ 40 (×0.3125)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.1667 ≤ 0.5 (×0.3333)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 8.02–9.16 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 64 ≥ 4.852 (×0.07581)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)
	//   N·SNR² ≥ Cb: 20 ≥ 7.5 (×0.375)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1.2 ≥ 0.4809 (×0.4007)
	//   THEORY step limit 0.0004883: η = 0.1 is ×204.8, 0.01 ×20.48, 0.001 ×2.048
	//   P5: τ=0.05 outside (η); τ=0.1 outside (η)
	//   P6: τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside; τ=1.2 inside
	//   P7: outside (η)
	//   P9: inside
	// ci-signal-token.csv (vitadv tau -set signal-token -out results/tau/ci-signal-token -preset ci -results results): d=128 M=8 d_h=64 N=20 ‖μ‖=45.25 η=0.1 T=150 η·T=15, 22 rows
	//   M ≥ 2: 8 ≥ 2 (×0.25)
	//   d ≥ Cd·N^DExp: 128 ≥ 40 (×0.3125)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.1667 ≤ 0.5 (×0.3333)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 8.02–9.16 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 64 ≥ 4.852 (×0.07581)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)
	//   N·SNR² ≥ Cb: 20 ≥ 7.5 (×0.375)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1.2 ≥ 0.4809 (×0.4007)
	//   THEORY step limit 0.0004883: η = 0.1 is ×204.8, 0.01 ×20.48, 0.001 ×2.048
	//   P5: τ=0.05 outside (η); τ=0.1 outside (η)
	//   P6: τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside; τ=1.2 inside
	//   P7: outside (η)
	//   P9: inside
	// ci.csv (vitadv tau -preset ci -results results): d=128 M=8 d_h=64 N=20 ‖μ‖=45.25 η=0.1 T=150 η·T=15, 22 rows
	//   M ≥ 2: 8 ≥ 2 (×0.25)
	//   d ≥ Cd·N^DExp: 128 ≥ 40 (×0.3125)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.1667 ≤ 0.5 (×0.3333)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 8.02–9.16 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 64 ≥ 4.852 (×0.07581)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)
	//   N·SNR² ≥ Cb: 20 ≥ 7.5 (×0.375)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1.2 ≥ 0.4809 (×0.4007)
	//   THEORY step limit 0.0004883: η = 0.1 is ×204.8, 0.01 ×20.48, 0.001 ×2.048
	//   P5: τ=0.05 outside (η); τ=0.1 outside (η)
	//   P6: τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside; τ=1.2 inside
	//   P7: outside (η)
	//   P9: inside
	// paper-s400-dh64.csv (vitadv tau -preset paper -dh 64 -steps 400 -reps 2 -taus 0,0.05,0.1,0.15,0.25,0.4,0.55,0.7,0.85,1 -eval-cascade -cert-joint -out results/tau/paper-s400-dh64): d=1024 M=16 d_h=64 N=20 ‖μ‖=90 η=0.1 T=400 η·T=40, 20 rows
	//   M ≥ 2: 16 ≥ 2 (×0.125)
	//   d ≥ Cd·N^DExp: 1024 ≥ 40 (×0.03906)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.1667 ≤ 0.5 (×0.3333)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 34.2–36.4 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 64 ≥ 6.931 (×0.1083)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 6.104e-05 (×1638)
	//   N·SNR² ≥ Cb: 9.888 ≥ 7.5 (×0.7585)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1 ≥ 0.4809 (×0.4809)
	//   THEORY step limit 6.104e-05: η = 0.1 is ×1638, 0.01 ×163.8, 0.001 ×16.38
	//   P5: τ=0.05 outside (η); τ=0.1 outside (η)
	//   P6: τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside
	//   P7: outside (η)
	//   P9: inside
	// paper-s400.csv (vitadv tau -preset paper -steps 400 -reps 2 -taus 0,0.05,0.1,0.15,0.25,0.4,0.55,0.7,0.85,1 -eval-cascade -cert-joint -out results/tau/paper-s400): d=1024 M=16 d_h=512 N=20 ‖μ‖=90 η=0.1 T=400 η·T=40, 20 rows
	//   M ≥ 2: 16 ≥ 2 (×0.125)
	//   d ≥ Cd·N^DExp: 1024 ≥ 40 (×0.03906)
	//   κ₀ = σ₀²R²√d_h ≤ Csig: 0.4714 ≤ 0.5 (×0.9428)
	//   η·R²·‖w_O‖²/M ≤ Ceta: 31.8–32 over the seeds, limit 400
	//   d_h ≥ Cdh·ln d: 512 ≥ 6.931 (×0.01354)
	//   η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 6.104e-05 (×1638)
	//   N·SNR² ≥ Cb: 9.888 ≥ 7.5 (×0.7585)
	//   max τ/‖μ‖ of the sweep ≥ C1Hi/log d_h: 1 ≥ 0.3206 (×0.3206)
	//   THEORY step limit 6.104e-05: η = 0.1 is ×1638, 0.01 ×163.8, 0.001 ×16.38
	//   P5: τ=0.05 outside (η)
	//   P6: τ=0.4 outside (η); τ=0.55 outside (η)
	//   P8: τ=0.85 inside; τ=1 inside
	//   P7: outside (η)
	//   P9: inside
}

// etaOneTauFiles are the committed τ sweeps of one step size η = 0.1 that
// the examples print (results/tau; sorted): the η-axis and small-η sweeps
// of issue 17 (ci-eta, paper-eta0.01*) are judged per η by the report
// (report.splitSweeps) and printed in REPORT's step-size section.
func etaOneTauFiles() []string {
	var paths []string
	for _, name := range []string{"ci-long", "ci-per-token", "ci-signal-token", "ci", "paper-s400-dh64", "paper-s400"} {
		paths = append(paths, filepath.Join("..", "results", "tau", name+".csv"))
	}
	return paths
}

// dedup drops repeated strings (the seeds of one budget), keeping order.
func dedup(v []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range v {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ExampleRelativeCollapse applies P6's relative collapse rule, read-only,
// to the regime-2 budgets of the committed τ sweeps: each adversarial run
// against the τ = 0 run of its seed (same η, same T), the two fractions
// of the way to uniform, the rule's decision, and the verdict Judge
// reports with the run's scope.
func ExampleRelativeCollapse() {
	k, s := theorems.Defaults(), theorems.DefaultScope()
	paths := etaOneTauFiles()
	for _, p := range paths {
		rows, err := readTauFacts(p)
		if err != nil {
			fmt.Println(err)
			return
		}
		clean := map[uint64]theorems.AttnState{}
		for _, r := range rows {
			if r.tau == 0 {
				clean[r.seed] = r.attn
			}
		}
		for _, r := range rows {
			if !theorems.InRegime2(r.tau, r.facts.Dh, k) {
				continue
			}
			v, err := theorems.RelativeCollapse(clean[r.seed], r.attn, r.facts.M, k, s)
			if err != nil {
				fmt.Println(err)
				return
			}
			dec := "holds"
			switch {
			case v.Undecided():
				dec = "undecided"
			case v.Refuted():
				dec = "fails"
			}
			obs := map[string]theorems.Status{"holds": theorems.Reproduced, "fails": theorems.NotReproduced, "undecided": theorems.Inconclusive}[dec]
			sc, _ := theorems.ScopeP6(r.facts, k, s)
			fmt.Printf("%s τ=%g a₁ %.3f→%.3f (fraction %.2f), H/ln M %.3f→%.3f (fraction %.2f): %s; reported: %s\n",
				filepath.Base(p), r.tau, clean[r.seed].A1, r.attn.A1, v.Bounds[0].RHS,
				clean[r.seed].Entropy/math.Log(float64(r.facts.M)), r.attn.Entropy/math.Log(float64(r.facts.M)), v.Bounds[1].RHS,
				dec, theorems.Judge(obs, sc).Status())
		}
	}
	// Output:
	// ci-long.csv τ=0.55 a₁ 0.278→0.477 (fraction -1.30), H/ln M 0.955→0.752 (fraction -4.51): fails; reported: outside the hypotheses
	// ci-long.csv τ=0.55 a₁ 0.294→0.487 (fraction -1.15), H/ln M 0.947→0.557 (fraction -7.39): fails; reported: outside the hypotheses
	// ci-long.csv τ=0.55 a₁ 0.279→0.487 (fraction -1.35), H/ln M 0.955→0.665 (fraction -6.50): fails; reported: outside the hypotheses
	// ci-long.csv τ=0.55 a₁ 0.278→0.502 (fraction -1.47), H/ln M 0.955→0.661 (fraction -6.58): fails; reported: outside the hypotheses
	// ci-long.csv τ=0.55 a₁ 0.279→0.500 (fraction -1.43), H/ln M 0.955→0.691 (fraction -5.87): fails; reported: outside the hypotheses
	// ci-per-token.csv τ=0.55 a₁ 0.270→0.540 (fraction -1.86), H/ln M 0.960→0.644 (fraction -7.84): fails; reported: outside the hypotheses
	// ci-per-token.csv τ=0.55 a₁ 0.284→0.410 (fraction -0.79), H/ln M 0.953→0.653 (fraction -6.35): fails; reported: outside the hypotheses
	// ci-signal-token.csv τ=0.55 a₁ 0.270→0.423 (fraction -1.05), H/ln M 0.960→0.851 (fraction -2.70): fails; reported: outside the hypotheses
	// ci-signal-token.csv τ=0.55 a₁ 0.284→0.413 (fraction -0.81), H/ln M 0.953→0.861 (fraction -1.95): fails; reported: outside the hypotheses
	// ci.csv τ=0.55 a₁ 0.270→0.465 (fraction -1.34), H/ln M 0.960→0.748 (fraction -5.26): fails; reported: outside the hypotheses
	// ci.csv τ=0.55 a₁ 0.284→0.489 (fraction -1.29), H/ln M 0.953→0.568 (fraction -8.16): fails; reported: outside the hypotheses
	// paper-s400-dh64.csv τ=0.55 a₁ 0.203→0.494 (fraction -2.07), H/ln M 0.957→0.383 (fraction -13.32): fails; reported: outside the hypotheses
	// paper-s400-dh64.csv τ=0.55 a₁ 0.201→0.526 (fraction -2.35), H/ln M 0.956→0.501 (fraction -10.39): fails; reported: outside the hypotheses
	// paper-s400.csv τ=0.4 a₁ 0.189→0.523 (fraction -2.65), H/ln M 0.965→0.386 (fraction -16.46): fails; reported: outside the hypotheses
	// paper-s400.csv τ=0.4 a₁ 0.183→0.458 (fraction -2.28), H/ln M 0.967→0.468 (fraction -15.14): fails; reported: outside the hypotheses
	// paper-s400.csv τ=0.55 a₁ 0.189→0.500 (fraction -2.47), H/ln M 0.965→0.257 (fraction -20.12): fails; reported: outside the hypotheses
	// paper-s400.csv τ=0.55 a₁ 0.183→0.487 (fraction -2.52), H/ln M 0.967→0.376 (fraction -17.92): fails; reported: outside the hypotheses
}
