package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"

	"vitadv/experiment"
	"vitadv/model/attack"
	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// BenchmarkDiagnoseCommitted retrains the undecided rows of the committed
// tau/ci file at τ = 0.15‖μ‖ (cells 6 and 7: brackets [0.105, 1] and
// [0, 1]) from their specs and seeds (experiment.TauPreset(CI), the seeds
// of results/tau/ci.csv; the training loss is printed beside the file's
// train_obj as the check that it is the same model), and counts on the 200
// test points at the cell's τ: certified by the interval bound, certified
// by the joint bounds (certify.Certifier.SetJoint, DefaultNodes), broken
// by the strong ensemble (attack.DefaultStrong) among the points the joint
// bounds leave, and undecided. Diagnosis only (it asserts nothing); run
// with -benchtime=1x -v.
func BenchmarkDiagnoseCommitted(b *testing.B) {
	for _, tc := range []struct {
		cell     int
		seed     string
		tauOverM float64
		trainObj string
	}{
		{6, "10451216379200822465", 0.15, "0.00517487"},
		{7, "13757245211066428519", 0.15, "0.00722302"},
	} {
		b.Run(fmt.Sprintf("cell=%d", tc.cell), func(b *testing.B) {
			r, seed, tau := trainCommittedCI(b, tc.cell, tc.seed, tc.tauOverM, tc.trainObj)
			te, m := r.Test, r.Model
			sig, err := te.Signals()
			if err != nil {
				b.Fatal(err)
			}
			ci, _ := certify.New(m, te.M)
			cj, _ := certify.New(m, te.M)
			cj.SetJoint(true)
			ws := vit.NewWorkspace(m.Arch, te.M, 1)
			st, err := attack.NewStrong(attack.DefaultStrong(attack.Frobenius, tau, seed), sig, m.Arch, te.M, 1)
			if err != nil {
				b.Fatal(err)
			}
			var nInt, nJoint, nBroken int
			xa := make([]float64, te.M*te.D)
			for b.Loop() {
				nInt, nJoint, nBroken = 0, 0, 0
				for i := 0; i < te.N; i++ {
					x, y := te.Sample(i), te.Y[i]
					if ci.Margin(x, y, attack.Frobenius, tau) > 0 {
						nInt++
					}
					if cj.Margin(x, y, attack.Frobenius, tau) > 0 {
						nJoint++
						continue
					}
					st.Perturb(m, x, []float64{y}, 1, xa)
					if y*m.Forward(ws, xa, 1)[0] <= 0 {
						nBroken++
					}
				}
			}
			n := te.N
			b.Logf("cell %d τ = %g‖μ‖: certified interval %d, joint %d; broken by the strong attack %d; undecided %d of %d: bracket [%.3f, %.3f]",
				tc.cell, tc.tauOverM, nInt, nJoint, nBroken, n-nJoint-nBroken, n, float64(nBroken)/float64(n), 1-float64(nJoint)/float64(n))
		})
	}
}

// trainCommittedCI retrains cell of the committed tau/ci file from its spec
// (experiment.TauPreset(CI)), its seed and its τ/‖μ‖, logs the training loss
// beside the file's train_obj (the check that it is the same model), and
// returns the run, the seed and τ.
func trainCommittedCI(b *testing.B, cellNo int, seedText string, tauOverMu float64, trainObj string) (*cell.Run, uint64, float64) {
	b.Helper()
	cfg := experiment.TauPreset(experiment.CI)
	mu := cfg.Setup.MuFor(cfg.N, cfg.C)
	seed, err := strconv.ParseUint(seedText, 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	tau := tauOverMu * mu
	r, err := cell.Train(context.Background(), cfg.Setup.Spec(cfg.Setup.Data(cfg.N, mu), tau, seed))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("cell %d: training loss %.6g (results/tau/ci.csv train_obj %s)", cellNo, r.Result.Loss, trainObj)
	return r, seed, tau
}

// BenchmarkDiagnoseLinearRadius measures, on the first 50 test points of
// cells 4 and 5 of the committed tau/ci file (τ_train = 0.1‖μ‖, brackets
// [0, 0.73]: no point broken, a quarter certified), how far a first-order
// certificate could reach at all. Per point, in units of ‖μ‖:
//
//   - r_lin = y f(X) / ‖∇_X y f(X)‖_F, the radius at which the margin's
//     tangent plane reaches 0: the most that any bound of the form
//     "margin − τ‖∇‖ − (curvature term ≥ 0)" can certify (relax.go's
//     first-order bound is one);
//   - r_att, the FMN-200 radius (an upper bound of the true radius);
//   - r_cert, the certified radius with the joint bounds (bisection to r_att).
//
// It logs the medians of r_lin/r_att and r_cert/r_att. Diagnosis only (it
// asserts nothing); run with -benchtime=1x -v.
func BenchmarkDiagnoseLinearRadius(b *testing.B) {
	for _, tc := range []struct {
		cell     int
		seed     string
		trainObj string
	}{
		{4, "10451216379200822465", "0.00304448"},
		{5, "13757245211066428519", "0.00263934"},
	} {
		b.Run(fmt.Sprintf("cell=%d", tc.cell), func(b *testing.B) {
			r, _, _ := trainCommittedCI(b, tc.cell, tc.seed, 0.1, tc.trainObj)
			te, m := r.Test, r.Model
			mu := te.Mu
			cj, _ := certify.New(m, te.M)
			cj.SetJoint(true)
			fmn, err := attack.NewFMN(attack.FMNConfig{Set: attack.Frobenius, Steps: 200}, m.Arch, te.M, 1)
			if err != nil {
				b.Fatal(err)
			}
			ws := vit.NewWorkspace(m.Arch, te.M, 1)
			dx := make([]float64, te.M*te.D)
			xa := make([]float64, te.M*te.D)
			const points = 50
			var lin, cert []float64
			for b.Loop() {
				lin, cert = lin[:0], cert[:0]
				for i := range points {
					x, y := te.Sample(i), te.Y[i]
					m0 := y * m.Forward(ws, x, 1)[0]
					m.Backward(ws, x, 1, []float64{y}, nil, dx)
					g := math.Sqrt(linalg.Dot(dx, dx))
					fmn.Perturb(m, x, []float64{y}, 1, xa)
					ra := fmn.Radii()[0]
					if !(m0 > 0) || math.IsInf(ra, 1) {
						continue
					}
					rc := cj.Radius(x, y, attack.Frobenius, ra, 14)
					lin = append(lin, m0/g/ra)
					cert = append(cert, rc/ra)
				}
			}
			b.Logf("cell %d, %d points with an attack radius (‖μ‖ = %.4g): median r_lin/r_att %.3f, median r_cert/r_att %.3f", tc.cell, len(lin), mu, median(lin), median(cert))
		})
	}
}
