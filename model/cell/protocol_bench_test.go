package cell_test

import (
	"context"
	"fmt"
	"testing"

	"vitadv/experiment"
	"vitadv/internal/machine"
	"vitadv/model/cell"
	"vitadv/model/rng"
)

// BenchmarkEvalProtocol measures what the robust evaluation of one cell of
// the committed ci τ sweep (results/tau/ci.csv: N = 20, N·SNR² = 20,
// d = 128, M = 8, d_h = d_v = 64, 200 test points, Frobenius ball, PGD-5
// adversarial training for 150 steps, replicate 0) costs per test point
// under three protocols (cell.Run.Evaluate, the certificate included in
// each, since the bracket needs it):
//
//	protocol=cheap          PGD-10 × 1, APGD-50, midpoint, erase; the
//	                        interval certificate
//	protocol=cascade        the same, then the strong attack on the points
//	                        neither broken nor certified (cell.Protocol.Cascade)
//	protocol=cascade-joint  the cascade with the joint certificate
//	                        (cell.Protocol.Joint): the committed ci files'
//
// at the budgets τ/‖μ‖ where the two differ in cost (0.1 and 0.15: the
// certificate is loose and the cheap attacks break little; 0.25 and 0.4:
// the cheap attacks break most points). After the loop it reports
//
//	cpu-s/point  process CPU seconds (user + system, every thread) per test point
//	s/point      wall seconds per test point
//	lb, ub       the bracket [robust_err_lb, robust_err_ub] of the last iteration
//
// Training runs once per budget, outside the timed loop; run with
// -benchtime=1x. results/bench/eval-protocol.txt is its committed output,
// which results/REPORT.md quotes ("Protocol cost").
func BenchmarkEvalProtocol(b *testing.B) {
	tc := experiment.TauPreset(experiment.CI)
	for _, tauOverMu := range []float64{0.1, 0.15, 0.25, 0.4} {
		var run *cell.Run
		for _, p := range []struct {
			name           string
			cascade, joint bool
		}{{"cheap", false, false}, {"cascade", true, false}, {"cascade-joint", true, true}} {
			b.Run(fmt.Sprintf("tau=%g/protocol=%s", tauOverMu, p.name), func(b *testing.B) {
				s := tc.Setup
				s.Cascade, s.Joint = p.cascade, p.joint
				mu := s.MuFor(tc.N, tc.C)
				spec := s.Spec(s.Data(tc.N, mu), float64(tauOverMu*mu), rng.Derive(tc.Seed, 0))
				if run == nil {
					var err error
					if run, err = cell.Train(context.Background(), spec); err != nil {
						b.Fatal(err)
					}
				}
				r := *run
				r.Spec = spec
				n := r.Test.N
				var ev cell.Eval
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := machine.ProcessCPU()
				for b.Loop() {
					var err error
					if ev, err = r.Evaluate(); err != nil {
						b.Fatal(err)
					}
				}
				cpu := machine.ProcessCPU() - cpu0
				pts := float64(b.N * n)
				if cpu > 0 {
					b.ReportMetric(cpu.Seconds()/pts, "cpu-s/point")
				}
				b.ReportMetric(b.Elapsed().Seconds()/pts, "s/point")
				b.ReportMetric(ev.Robust.Error, "lb")
				b.ReportMetric(ev.Cert.ErrUB, "ub")
			})
		}
	}
}
