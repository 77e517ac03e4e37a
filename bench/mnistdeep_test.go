package bench

import (
	"context"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"vitadv/experiment"
	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/data/mnist"
	"vitadv/model/linalg"
	"vitadv/model/vit"
)

// BenchmarkDiagnoseMNISTDeep retrains cell 108 of the committed
// results/mnist/ci-at-0.1.csv (N = 64, σ₂ = 0.5; its training loss is
// logged beside the file's train_obj 0.00995743 as the check that it is
// the same model), evaluates it with the committed protocol but without
// the deep stage (the signal-free cascade and the joint bounds at the
// default 64 nodes: bracket [0.006, 0.114] in the file before the deep
// stage), and asks where the certificate loses on the points left
// undecided (issue 18). It logs, per undecided point, the certified and
// attack radii in units of τ (cell.Run.Radii) and r_lin = margin ÷
// ‖∇_X margin‖, the radius where the margin's tangent plane reaches 0; then
// how many of the undecided points the same bounds certify with 1024 to
// 16384 branch-and-bound nodes, and how long that takes: the
// measurement behind cell.Protocol.DeepNodes. It needs the MNIST files
// (mnist.Find) and about 1.5 minutes. Diagnosis only (it asserts nothing);
// run with -benchtime=1x -v.
func BenchmarkDiagnoseMNISTDeep(b *testing.B) {
	dir, err := mnist.Find(os.Getenv)
	if err != nil {
		b.Skip(err)
	}
	c := experiment.MNISTPreset(experiment.CI)
	c.TauOverMu, c.Cascade, c.Joint = 0.1, true, true
	spec, err := c.CellSpec(dir, 64, 0.5, 15639245678970769260)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		run, err := cell.Train(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("cell 108: training loss %.7g (results/mnist/ci-at-0.1.csv train_obj 0.00995743)", run.Result.Loss)
		tau := spec.Tau
		rob, cert, err := run.Bracket(true, spec.Eval, spec.Set, tau)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("bracket at %d nodes: [%.3f, %.3f]", certify.DefaultNodes, rob.Error, cert.ErrUB)
		rad, err := run.Radii(cell.Eval{Robust: rob, Cert: cert}, spec.Set, tau, c.Mu)
		if err != nil {
			b.Fatal(err)
		}
		te, m := run.Test, run.Model
		ws := vit.NewWorkspace(m.Arch, te.M, 1)
		dx := make([]float64, te.M*te.D)
		var undecided []int
		var certT, attT, linT, ratio, linRatio []float64
		for i, r := range rad {
			if cert.Bounds[i] > 0 || !(rob.Margins[i] > 0) {
				continue
			}
			undecided = append(undecided, i)
			x := te.Sample(i)
			m.Forward(ws, x, 1)
			m.Backward(ws, x, 1, []float64{r.Y}, nil, dx)
			rl := r.CleanMargin / math.Sqrt(linalg.Dot(dx, dx))
			certT, attT, linT = append(certT, r.Cert/tau), append(attT, r.Attack/tau), append(linT, rl/tau)
			ratio, linRatio = append(ratio, r.Cert/r.Attack), append(linRatio, rl/r.Attack)
		}
		b.Logf("%d undecided points, in units of τ: certified radius %s, attack radius %s, r_lin %s; medians: certified ÷ attack %.3f, r_lin ÷ attack %.3f",
			len(undecided), span(certT), span(attT), span(linT), median(ratio), median(linRatio))
		cj, err := certify.New(m, te.M)
		if err != nil {
			b.Fatal(err)
		}
		cj.SetJoint(spec.Eval.Joint)
		for _, nodes := range []int{1024, 2048, 4096, 8192, 16384} {
			cj.SetNodes(nodes)
			n, t0 := 0, time.Now()
			for _, i := range undecided {
				if cj.Margin(te.Sample(i), te.Y[i], spec.Set, tau) > 0 {
					n++
				}
			}
			b.Logf("%5d nodes: %d of the %d undecided points certified, %.1f s", nodes, n, len(undecided), time.Since(t0).Seconds())
		}
	}
}

// span formats the range of v as "lo–hi" (three decimals).
func span(v []float64) string {
	if len(v) == 0 {
		return "(none)"
	}
	return ftoa(slices.Min(v)) + "–" + ftoa(slices.Max(v))
}
