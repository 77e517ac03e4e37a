package bench

import (
	"fmt"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// The benchmarks in this file go through the attack and train packages
// (the code the experiments run), on the training sets of data.Draw at the
// same shapes as vit_test.go. Their GFLOP/s use the same nominal counts as
// the kernel-level benchmarks (K input gradients per PGD, plus one
// parameter gradient per training step); whatever the packages do on top
// (best-iterate tracking, stop rules) shows up as a lower rate.

// dataFor draws a training set of shape s (μ on the signal token with
// ‖μ‖ = 40, σ₂ = 4, σ_w = 0.2, as the peer's data) and a test set of nTest.
func dataFor(b *testing.B, s size, nTest int) (trainSet, testSet *data.Set) {
	b.Helper()
	cfg := data.Config{D: s.D, M: s.M, N: s.N, NTest: nTest, MuNorm: 40, Sigma2: 4, SigmaW: 0.2}
	tr, te, err := data.Draw(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	return tr, te
}

func modelFor(b *testing.B, s size) *vit.Model {
	b.Helper()
	m, err := vit.NewInit(vit.Arch{D: s.D, Dh: s.Dh, Dv: s.Dv}, vit.Init{Law: vit.TorchUniform, Shrink: 16}, 1)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func pgdFor(b *testing.B, s size, capacity int) *attack.PGD {
	b.Helper()
	p, err := attack.NewPGD(attack.TrainConfig(pgdTau), vit.Arch{D: s.D, Dh: s.Dh, Dv: s.Dv}, s.M, capacity)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkAttackPGD: attack.PGD.Perturb, PGD-10 on the Frobenius ball —
// the one benchmark of the attack's Perturb (model/attack has none of its
// own; its BenchmarkAPGD compares with this one at equal steps).
func BenchmarkAttackPGD(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.String(), func(b *testing.B) {
			set, _ := dataFor(b, s, 2)
			m := modelFor(b, s)
			p := pgdFor(b, s, s.N)
			xadv := make([]float64, len(set.X))
			settle(func() { p.Perturb(m, set.X, set.Y, set.N, xadv) })
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				p.Perturb(m, set.X, set.Y, set.N, xadv)
			}
			reportGFLOPS(b, pgdSteps*s.pgdStepFlops())
			cpu.report(b, (pgdSteps*s.pgdStepFlops())*float64(b.N))
		})
	}
}

// BenchmarkTrainStep: train.Trainer.Step with the PGD-10 attacker, one
// adversarial-training step through the packages.
func BenchmarkTrainStep(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.String(), func(b *testing.B) {
			set, _ := dataFor(b, s, 2)
			m := modelFor(b, s)
			tr, err := train.New(m, set, train.Config{Eta: eta, MaxSteps: 1 << 30}, pgdFor(b, s, s.N))
			if err != nil {
				b.Fatal(err)
			}
			settle(func() { tr.Step() })
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				tr.Step()
			}
			reportGFLOPS(b, s.atStepFlops(pgdSteps))
			cpu.report(b, (s.atStepFlops(pgdSteps))*float64(b.N))
		})
	}
}

// sweepSteps is the number of AT steps of a benchmarked sweep cell: the
// scripts run up to 1000 (THEORY §3.1), which at the paper's size would
// take minutes per sample; the per-step cost is what scales.
const sweepSteps = 20

// BenchmarkSweepCell: one cell of a phase-diagram sweep at the theory-small
// sizes: draw the data, initialize, sweepSteps AT steps (PGD-10), then the
// robust test error under a fresh PGD-10 over 100 test points.
func BenchmarkSweepCell(b *testing.B) {
	const nTest = 100
	for _, s := range sizes[1:] {
		b.Run(fmt.Sprintf("%v/steps=%d", s, sweepSteps), func(b *testing.B) {
			cell := func() {
				set, test := dataFor(b, s, nTest)
				m := modelFor(b, s)
				tr, err := train.New(m, set, train.Config{Eta: eta, MaxSteps: sweepSteps}, pgdFor(b, s, s.N))
				if err != nil {
					b.Fatal(err)
				}
				tr.Run(nil)
				if _, err := attack.Evaluate(m, test, s.N, pgdFor(b, s, s.N)); err != nil {
					b.Fatal(err)
				}
			}
			cell()
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				cell()
			}
			tst := size{N: nTest, M: s.M, D: s.D, Dh: s.Dh, Dv: s.Dv}
			reportGFLOPS(b, sweepSteps*s.atStepFlops(pgdSteps)+s.lossGradFlops()+pgdSteps*tst.pgdStepFlops())
			cpu.report(b, (sweepSteps*s.atStepFlops(pgdSteps)+s.lossGradFlops()+pgdSteps*tst.pgdStepFlops())*float64(b.N))
		})
	}
}
