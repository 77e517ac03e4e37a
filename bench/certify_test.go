package bench

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/theorems"
)

// certPoints is the number of test points per radius measurement: enough
// for a median, few enough that the ci-scale run stays within minutes.
const certPoints = 40

// Bisection of the certified radius as the tau sweeps' radius files do it
// (model/cell/radius.go: 12 halvings below the attack radius, node budget
// 16) and the FMN budget of those files (100 steps).
const (
	certIters = 12
	certNodes = 16
	certFMN   = 100
)

// BenchmarkCertifiedRadius measures how close the certificate comes to the
// attack: for each scale (tiny, ci), model (clean GD and PGD-10
// adversarial training at τ = 0.1‖μ‖ and at τ = 0.25‖μ‖ in the Frobenius
// ball, the latter like the committed tau sweeps' adversarially trained
// cells; N = 20, N·SNR² = 20, seed 1), set and method (interval: the per-entry interval
// bound alone; joint: the larger of it and the joint bounds of
// certify.Certifier.SetJoint), on the first certPoints test points it
// reports
//
//	ratio      median over the points of radius_cert / radius_attack
//	           (radius_attack the FMN-100 minimum-norm radius)
//	decided    fraction of the points decided at τ = ½·median radius_attack
//	           (certified there, or broken by FMN within it)
//	ms/point   wall time of one point's radius bisection
//
// Training runs once per scale and model, outside the timed loop; run
// with -benchtime=1x (each iteration repeats the whole measurement).
func BenchmarkCertifiedRadius(b *testing.B) {
	lab := theorems.NewLab()
	for _, sc := range []theorems.Scale{theorems.Tiny(), theorems.CI()} {
		for _, mdl := range []struct {
			name string
			tau  float64
		}{{"clean", 0}, {"at0.1", 0.1}, {"at0.25", 0.25}} {
			for _, set := range attack.Sets() {
				for _, joint := range []bool{false, true} {
					method := "interval"
					if joint {
						method = "joint"
					}
					name := fmt.Sprintf("scale=%s/model=%s/set=%s/method=%s", sc.Name, mdl.name, set, method)
					b.Run(name, func(b *testing.B) {
						run, err := lab.Train(sc.Cell(20, 20, mdl.tau, 1))
						if err != nil {
							b.Fatal(err)
						}
						m, te := run.Model, run.Test
						n := min(certPoints, te.N)
						f, err := attack.NewFMN(attack.FMNConfig{Set: set, Steps: certFMN}, m.Arch, te.M, n)
						if err != nil {
							b.Fatal(err)
						}
						xadv := make([]float64, n*te.M*te.D)
						f.Perturb(m, te.X[:n*te.M*te.D], te.Y[:n], n, xadv)
						ra := append([]float64(nil), f.Radii()[:n]...)
						c, err := certify.New(m, te.M)
						if err != nil {
							b.Fatal(err)
						}
						c.SetNodes(certNodes)
						c.SetJoint(joint)
						mu := run.Inst.Data.Mu()
						ratios := make([]float64, n)
						var elapsed time.Duration
						for b.Loop() {
							t0 := time.Now()
							for i := 0; i < n; i++ {
								hi := ra[i]
								if math.IsInf(hi, 1) {
									hi = 2 * mu
								}
								rc := c.Radius(te.Sample(i), te.Y[i], set, hi, certIters)
								ratios[i] = rc / hi
							}
							elapsed = time.Since(t0)
						}
						med := median(ra)
						tau := med / 2
						decided := 0
						for i := 0; i < n; i++ {
							if ra[i] <= tau || c.Margin(te.Sample(i), te.Y[i], set, tau) > 0 {
								decided++
							}
						}
						b.ReportMetric(median(ratios), "ratio")
						b.ReportMetric(float64(decided)/float64(n), "decided")
						b.ReportMetric(float64(elapsed.Microseconds())/1e3/float64(n), "ms/point")
						b.ReportMetric(med/mu, "radius_attack/mu")
					})
				}
			}
		}
	}
}

// median returns the median of v (the mean of the two middle values for
// an even length) without modifying v; +Inf entries sort last.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1] + float64((s[n/2]-s[n/2-1])/2)
}
