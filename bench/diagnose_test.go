package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"vitadv/experiment"
	"vitadv/model/attack"
	"vitadv/model/cell"
	"vitadv/model/certify"
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
	cfg := experiment.TauPreset(experiment.CI)
	mu := cfg.Setup.MuFor(cfg.N, cfg.C)
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
			seed, err := strconv.ParseUint(tc.seed, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			tau := tc.tauOverM * mu
			r, err := cell.Train(context.Background(), cfg.Setup.Spec(cfg.Setup.Data(cfg.N, mu), tau, seed))
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("cell %d: training loss %.6g (results/tau/ci.csv train_obj %s)", tc.cell, r.Result.Loss, tc.trainObj)
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
