package certify

import (
	"fmt"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// BenchmarkCertify times the certification of a test set at one budget at
// the ci preset's shape (d = 128, M = 8, d_h = d_v = 64, 200 points) on a
// Gaussian-initialized model (shrink 1, non-uniform attention), per set.
// Frobenius runs branch-and-bound (node budget DefaultNodes) on the points
// the root bound does not decide.
func BenchmarkCertify(b *testing.B) {
	dc := data.Config{D: 128, M: 8, N: 2, NTest: 200, MuNorm: 8, Sigma2: 4, SigmaW: 0.2, Project: true}
	_, te, err := data.Draw(dc, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: 128, Dh: 64, Dv: 64}, vit.Init{Law: vit.Gaussian, Shrink: 1}, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range attack.Sets() {
		for _, tau := range []float64{0.1, 1} {
			b.Run(fmt.Sprintf("%s/tau=%g/n=%d", set, tau, te.N), func(b *testing.B) {
				c, _ := New(m, te.M)
				for b.Loop() {
					if _, err := c.Evaluate(te, set, tau); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(te.N*b.N)/b.Elapsed().Seconds(), "points/s")
			})
		}
	}
}

// BenchmarkRadius times the certified-radius bisection of the ci job's
// radius files (model/cell/radius.go: node budget 16, 12 halvings, upper
// end 2‖μ‖) at the ci preset's shape, per test set of 200 points.
func BenchmarkRadius(b *testing.B) {
	dc := data.Config{D: 128, M: 8, N: 2, NTest: 200, MuNorm: 8, Sigma2: 4, SigmaW: 0.2, Project: true}
	_, te, err := data.Draw(dc, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: 128, Dh: 64, Dv: 64}, vit.Init{Law: vit.Gaussian, Shrink: 1}, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range []attack.Set{attack.Frobenius, attack.PerToken} {
		b.Run(string(set), func(b *testing.B) {
			c, _ := New(m, te.M)
			c.SetNodes(16)
			for b.Loop() {
				for i := 0; i < te.N; i++ {
					c.Radius(te.Sample(i), te.Y[i], set, 2*dc.MuNorm, 12)
				}
			}
			b.ReportMetric(float64(te.N*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// BenchmarkCertifyClean times the certification at τ = 0 of a test set of
// 200 points at the shapes of the ci job's clean phase diagrams (d = 128,
// d_h = 64 and d = 256, d_h = 128; M = 8), where the per-sample
// preparation (q = xW_Q, k = xW_K and their error bounds) dominates.
func BenchmarkCertifyClean(b *testing.B) {
	for _, sh := range []struct{ D, Dh int }{{128, 64}, {256, 128}} {
		b.Run(fmt.Sprintf("d=%d", sh.D), func(b *testing.B) {
			dc := data.Config{D: sh.D, M: 8, N: 2, NTest: 200, MuNorm: 8, Sigma2: 4, SigmaW: 0.2, Project: true}
			_, te, err := data.Draw(dc, 1)
			if err != nil {
				b.Fatal(err)
			}
			m, err := vit.NewInit(vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh}, vit.Init{Law: vit.Gaussian, Shrink: 16}, 1)
			if err != nil {
				b.Fatal(err)
			}
			c, _ := New(m, te.M)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Evaluate(te, attack.Frobenius, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(te.N*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// BenchmarkCertifyDeep times the Frobenius-ball certificate with the joint
// bounds at the branch-and-bound budgets of the evaluation protocol: the
// default (DefaultNodes) and the deep stage of cell.Protocol.DeepNodes
// (4096, flag -cert-deep), on 20 points of the ci shape (d = 128, M = 8)
// and of the MNIST ci shape (d = 784, M = 4, d_h = d_v = 32), at a budget
// where the root bound decides few of them, so that most points spend the
// whole budget: the cost per undecided point of the deep stage.
func BenchmarkCertifyDeep(b *testing.B) {
	for _, sh := range []struct{ D, M, Dh int }{{128, 8, 64}, {784, 4, 32}} {
		dc := data.Config{D: sh.D, M: sh.M, N: 2, NTest: 20, MuNorm: 8, Sigma2: 4, SigmaW: 0.2, Project: true}
		_, te, err := data.Draw(dc, 1)
		if err != nil {
			b.Fatal(err)
		}
		m, err := vit.NewInit(vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh}, vit.Init{Law: vit.Gaussian, Shrink: 1}, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, nodes := range []int{DefaultNodes, 4096} {
			b.Run(fmt.Sprintf("d=%d/M=%d/nodes=%d", sh.D, sh.M, nodes), func(b *testing.B) {
				c, _ := New(m, te.M)
				c.SetJoint(true)
				c.SetNodes(nodes)
				var res Result
				for b.Loop() {
					res, err = c.Evaluate(te, attack.Frobenius, 0.3)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(te.N*b.N)/b.Elapsed().Seconds(), "points/s")
				b.ReportMetric(float64(res.Certified), "certified")
			})
		}
	}
}
