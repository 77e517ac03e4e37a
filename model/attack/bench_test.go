package attack

import (
	"fmt"
	"testing"

	"vitadv/model/vit"
)

// BenchmarkAPGD times one Perturb of APGD-K (Frobenius) on a batch, at a
// small shape and at the CI-scale shape of docs/THEORY.md §6.5 (d = 256,
// d_h = d_v = 128, M = 8). PGD's Perturb has one home, BenchmarkAttackPGD
// in bench/ (the cross-package kernels that `make bench` records), whose
// mid size (N = 50, M = 8, d = 256, PGD-10) is comparable at equal steps.
func BenchmarkAPGD(b *testing.B) {
	for _, sh := range []struct{ D, Dh, M, n, K int }{
		{8, 4, 4, 4, 10},
		{256, 128, 8, 20, 10},
	} {
		b.Run(fmt.Sprintf("d=%d/M=%d/n=%d/steps=%d", sh.D, sh.M, sh.n, sh.K), func(b *testing.B) {
			a := vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh}
			in := newInstance(a, sh.M, sh.n, 0.05, 1, 1, false)
			p, err := NewAPGD(APGDConfig{Set: Frobenius, Tau: 1, Steps: sh.K}, a, sh.M, sh.n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(sh.K*sh.n)/benchPerturb(b, p, in), "samplegrads/s")
		})
	}
}

// BenchmarkFMN times one Perturb of the minimum-norm attack with the ci
// job's radius budget (100 steps) on a batch of 20 at the ci shape (d =
// 128, d_h = d_v = 64, M = 8), per perturbation set.
func BenchmarkFMN(b *testing.B) {
	a := vit.Arch{D: 128, Dh: 64, Dv: 64}
	in := newInstance(a, 8, 20, 0.05, 1, 1, false)
	for _, set := range Sets() {
		b.Run(string(set), func(b *testing.B) {
			f, err := NewFMN(FMNConfig{Set: set, Steps: 100}, a, in.M, in.n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(100*in.n)/benchPerturb(b, f, in), "samplegrads/s")
		})
	}
}

// BenchmarkUnitTo times the steepest-ascent direction g/‖g‖ of one sample
// (the division is divTo's kernel) at a token (d = 128) and a whole ci
// sample (M·d = 1024).
func BenchmarkUnitTo(b *testing.B) {
	for _, n := range []int{128, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			g := make([]float64, n)
			for i := range g {
				g[i] = float64(i%7) - 3.5
			}
			dst := make([]float64, n)
			for b.Loop() {
				unitTo(dst, g)
			}
		})
	}
}

// BenchmarkRowFlip times one Perturb of the row attack (DefaultRowFlip:
// 8 candidates and a 10-step refinement) on a batch of 20 at the ci shape
// (d = 128, d_h = d_v = 64, M = 8), per perturbation set, against the
// cheap stage's APGD-50 on the same batch (steps=50 below).
func BenchmarkRowFlip(b *testing.B) {
	a := vit.Arch{D: 128, Dh: 64, Dv: 64}
	in := newInstance(a, 8, 20, 0.05, 1, 1, false)
	for _, set := range Sets() {
		b.Run(string(set), func(b *testing.B) {
			r, err := NewRowFlip(DefaultRowFlip(set, 1), a, in.M, in.n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(1e6*benchPerturb(b, r, in)/float64(in.n), "µs/point")
		})
	}
	b.Run("apgd/steps=50", func(b *testing.B) {
		p, err := NewAPGD(APGDConfig{Set: Frobenius, Tau: 1, Steps: 50}, a, in.M, in.n)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(1e6*benchPerturb(b, p, in)/float64(in.n), "µs/point")
	})
}

// benchPerturb times p.Perturb on the batch of in (allocations reported)
// and returns the seconds per call, for the caller's metric.
func benchPerturb(b *testing.B, p Attacker, in instance) (secPerCall float64) {
	b.Helper()
	xadv := make([]float64, len(in.x))
	b.ReportAllocs()
	for b.Loop() {
		p.Perturb(in.m, in.x, in.y, in.n, xadv)
	}
	return b.Elapsed().Seconds() / float64(b.N)
}
