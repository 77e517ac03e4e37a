package attack_test

import (
	"fmt"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/data"
)

// BenchmarkStrongAttack times one Strong.Perturb (DefaultStrong) on the 16
// points of the corpus's adversarially trained models (tiny: d = 64, M = 4;
// ci: d = 128, M = 8), per set and budget τ/‖μ‖, and reports the time per
// point; BenchmarkStrongAttack/…/protocol=ci is the ci CSVs' protocol
// (PGD-10 × 1, APGD-50, midpoint, erase) on the same points for
// comparison. A point the early stages break costs less: the cost depends
// on how many points stay unbroken.
func BenchmarkStrongAttack(b *testing.B) {
	for _, name := range []string{"tiny-at", "ci-at"} {
		var r hardRecipe
		for _, h := range hardRecipes {
			if h.Name == name {
				r = h
			}
		}
		in, err := loadHard(r)
		if err != nil {
			b.Fatal(err)
		}
		n, M := in.pts.N, in.pts.M
		size := name[:len(name)-3]
		for _, set := range attack.Sets() {
			for _, tom := range []float64{0.05, 0.2} {
				tau := tom * in.pts.Mu
				b.Run(fmt.Sprintf("size=%s/set=%s/tau=%g/protocol=strong", size, set, tom), func(b *testing.B) {
					st, err := attack.NewStrong(attack.DefaultStrong(set, tau, 1), in.sig, in.m.Arch, M, n)
					if err != nil {
						b.Fatal(err)
					}
					xadv := make([]float64, len(in.pts.X))
					b.ReportAllocs()
					for b.Loop() {
						st.Perturb(in.m, in.pts.X, in.pts.Y, n, xadv)
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*n), "ms/point")
				})
				b.Run(fmt.Sprintf("size=%s/set=%s/tau=%g/protocol=ci", size, set, tom), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := ciProtocol.RobustEval(in.m, in.pts, in.sig, set, tau, 1); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*n), "ms/point")
				})
			}
		}
	}
}

// BenchmarkProtocolCISweep times the robust evaluation of one cell of the
// ci τ sweep (200 test points, Frobenius ball) on the corpus's ci-at model
// (d = 128, M = 8, d_h = d_v = 64, trained at τ = 0.15‖μ‖), under the ci
// CSVs' protocol, under StrongProtocol of it and under its Cascade (the
// certificate of package certify included in the time; certify alone is
// its own line), at the sweep's budgets τ/‖μ‖ = 0.05, 0.15 and 0.4: the
// cost of switching the ci job. undecided is the fraction of points the
// cascade's strong stage attacked.
func BenchmarkProtocolCISweep(b *testing.B) {
	r := hardRecipes[0]
	for _, h := range hardRecipes {
		if h.Name == "ci-at" {
			r = h
		}
	}
	in, err := loadHard(r)
	if err != nil {
		b.Fatal(err)
	}
	dc := r.dataConfig()
	dc.NTest = 200
	_, test, err := data.Draw(dc, r.Seed+1)
	if err != nil {
		b.Fatal(err)
	}
	for _, tom := range []float64{0.05, 0.15, 0.4} {
		for _, p := range []struct {
			name string
			p    attack.Protocol
		}{{"ci", ciProtocol}, {"strong", attack.StrongProtocol(ciProtocol)}} {
			b.Run(fmt.Sprintf("tau=%g/protocol=%s", tom, p.name), func(b *testing.B) {
				if p.name == "strong" && testing.Short() {
					b.Skip("strong on every point under -short")
				}
				var rob attack.Robust
				for b.Loop() {
					rob, err = p.p.RobustEval(in.m, test, in.sig, attack.Frobenius, tom*in.pts.Mu, 1)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(rob.Error, "robust_err")
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*test.N), "ms/point")
			})
		}
		tau := tom * in.pts.Mu
		b.Run(fmt.Sprintf("tau=%g/protocol=certify", tom), func(b *testing.B) {
			var ub float64
			for b.Loop() {
				ub = certifyMask(b, in, test, tau, nil)
			}
			b.ReportMetric(ub, "robust_err_ub")
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*test.N), "ms/point")
		})
		b.Run(fmt.Sprintf("tau=%g/protocol=cascade", tom), func(b *testing.B) {
			var rob attack.Robust
			var st attack.CascadeStats
			mask := make([]bool, test.N)
			for b.Loop() {
				certifyMask(b, in, test, tau, mask)
				rob, st, err = ciProtocol.Cascade(in.m, test, in.sig, attack.Frobenius, tau, 1, mask)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rob.Error, "robust_err")
			b.ReportMetric(float64(st.Undecided)/float64(st.N), "undecided")
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*test.N), "ms/point")
		})
	}
}

// certifyMask certifies the points of test on the Frobenius ball at tau
// with in's model, fills mask (if non-nil) with bound > 0, and returns
// robust_err_ub.
func certifyMask(b *testing.B, in hardInstance, test *data.Set, tau float64, mask []bool) float64 {
	c, err := certify.New(in.m, test.M)
	if err != nil {
		b.Fatal(err)
	}
	cr, err := c.Evaluate(test, attack.Frobenius, tau)
	if err != nil {
		b.Fatal(err)
	}
	for i := range mask {
		mask[i] = cr.Bounds[i] > 0
	}
	return cr.ErrUB
}
