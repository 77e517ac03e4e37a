package certify

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"pgregory.net/rapid"

	"vitadv/internal/golden"
	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/vit"
)

// topHooks selects a planted bug of the top-shift bound (negative
// controls).
type topHooks struct {
	drop bool // every non-top entry of a shifted row loses its query width (a dropped term)
	flip bool // the pairwise width ‖W_Q(k_j + k_t)‖ instead of ‖W_Q(k_j − k_t)‖ (a flipped sign)
}

// drawATInst draws an adversarially trained instance: the data law of
// the tau sweeps (signal token, one strong noise token, weak noise
// tokens) at a small size, PGD-3 adversarial training in the Frobenius
// ball at 0.25‖μ‖ with a large step, and one test sample.
func drawATInst(t *rapid.T) inst {
	D := 1 << rapid.IntRange(2, 4).Draw(t, "log2D")
	M := rapid.IntRange(2, 5).Draw(t, "M")
	dh := 1 << rapid.IntRange(0, 3).Draw(t, "log2dh")
	seed := rapid.Uint64().Draw(t, "seed")
	mu := float64(rapid.IntRange(2, 12).Draw(t, "mu"))
	dc := data.Config{D: D, M: M, N: 4, NTest: 2, MuNorm: mu, Sigma2: 1, SigmaW: 0.2}
	tr, te, err := data.Draw(dc, seed)
	if err != nil {
		t.Fatal(err)
	}
	a := vit.Arch{D: D, Dh: dh, Dv: dh}
	m, err := vit.NewInit(a, vit.Init{Law: vit.Gaussian, Shrink: 1}, seed)
	if err != nil {
		t.Fatal(err)
	}
	cfg := attack.TrainConfig(0.25 * mu)
	cfg.Steps = 3
	p, err := attack.NewPGD(cfg, a, M, dc.N)
	if err != nil {
		t.Fatal(err)
	}
	eta := math.Ldexp(1, rapid.IntRange(-4, 0).Draw(t, "log2eta"))
	tn, err := train.New(m, tr, train.Config{Eta: eta, MaxSteps: rapid.IntRange(1, 40).Draw(t, "steps")}, p)
	if err != nil {
		t.Fatal(err)
	}
	tn.Run(nil)
	i := rapid.IntRange(0, te.N-1).Draw(t, "point")
	return inst{m: m, x: append([]float64(nil), te.Sample(i)...), y: te.Y[i], M: M, sig: data.SignalsOf(dc)}
}

// topBound returns the top-shift bound alone and the combined Margin of
// the joint bounds for instance in at tau, with the planted bugs h.
func topBound(t interface{ Fatal(...any) }, in inst, tau float64, nodes int, h topHooks) (alone, combined float64) {
	c, err := New(in.m, in.M)
	if err != nil {
		t.Fatal(err)
	}
	c.SetJoint(true)
	c.SetNodes(nodes)
	c.prepare(in.x)
	c.firstOrder()
	c.ts = newTopShift(c.M, c.D)
	c.ts.bad, c.ts.flip = h.drop, h.flip
	alone = c.topBranch(in.y, tau)
	return alone, c.Margin(in.x, in.y, attack.Frobenius, tau)
}

// topSoundness is the soundness property of the top-shift bound on its
// own (not hidden behind the other bounds) and combined: at the largest
// measured attack norm it is ≤ the clean margin and ≤ the margin Forward
// computes at every point of attackPoints, on the instance families of
// drawInst and on adversarially trained instances (drawATInst), at node
// budgets 1 to 64.
func topSoundness(h topHooks) func(*rapid.T) {
	return func(t *rapid.T) {
		var in inst
		if rapid.Bool().Draw(t, "trained") {
			in = drawATInst(t)
		} else {
			in = drawInst(t)
		}
		checkFrobeniusBounds(t, in, func(teff float64, nodes int) map[string]float64 {
			alone, combined := topBound(t, in, teff, nodes, h)
			return map[string]float64{"top-shift": alone, "combined": combined}
		})
	}
}

// TestTopShiftSoundness is the soundness property of the top-shift bound
// at rapid's default 100 checks (`go test ./model/certify -run
// TestTopShiftSoundness -rapid.checks=10000` for a deep run).
func TestTopShiftSoundness(t *testing.T) {
	rapid.Check(t, topSoundness(topHooks{}))
}

// TestTopShiftSoundnessNegativeControls: the same property must fail on
// each planted bug — the query widths of a shifted row dropped, the
// pairwise width taken with a flipped sign — so it can tell a sound bound
// from an unsound one. A control that one rapid run misses is retried
// with fresh seeds (at most 20 runs).
func TestTopShiftSoundnessNegativeControls(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    topHooks
	}{
		{"dropped-query", topHooks{drop: true}},
		{"flipped-sign", topHooks{flip: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireControlCaught(t, "TopShiftNegativeControl", tc.name, topSoundness(tc.h))
		})
	}
}

// TestTopShiftExactPairwise pins the extremal case of the widths: for a
// sample whose key images W_Q k_j are computed exactly (small integers),
// the width of entry (l, j) is ‖W_Q(k_j − k_t)‖ to within its rounding
// allowance, 0 on the top entry, and never below the exact value (a
// width shrunk by 0.1% fails, which the control asserts).
func TestTopShiftExactPairwise(t *testing.T) {
	const D, dh, M = 3, 2, 3
	m, err := vit.New(vit.Arch{D: D, Dh: dh, Dv: 1})
	if err != nil {
		t.Fatal(err)
	}
	wq := []float64{1, 0, 0, 1, 1, 1}
	wk := []float64{1, 2, 0, 1, 2, 0}
	m.JoinQK(wq, wk)
	m.Wv[0], m.Wv[1], m.Wv[2], m.Wo[0] = 1, 0, 0, 1
	x := []float64{3, 0, 0, 0, 1, 0, 0, 0, 2}
	c, err := New(m, M)
	if err != nil {
		t.Fatal(err)
	}
	c.SetJoint(true)
	c.prepare(x)
	c.firstOrder()
	c.ts = newTopShift(M, D)
	c.topPrepare()
	// Exact: k_j = x_j W_K, a_j = W_Q k_j, z_lj = x_l·a_j.
	a := make([][]float64, M)
	for j := 0; j < M; j++ {
		k := make([]float64, dh)
		for r := 0; r < D; r++ {
			for i := 0; i < dh; i++ {
				k[i] += x[j*D+r] * wk[r*dh+i]
			}
		}
		a[j] = make([]float64, D)
		for r := 0; r < D; r++ {
			for i := 0; i < dh; i++ {
				a[j][r] += wq[r*dh+i] * k[i]
			}
		}
	}
	within := func(got, want float64) bool {
		return got >= want && got <= want*(1+1e-12)+1e-300
	}
	for _, shrink := range []float64{1, 0.999} {
		ok := true
		for l := 0; l < M; l++ {
			t0 := c.ts.top[l]
			for j := 0; j < M; j++ {
				d := 0.0
				for r := 0; r < D; r++ {
					d += (a[j][r] - a[t0][r]) * (a[j][r] - a[t0][r])
				}
				want := math.Sqrt(d)
				got := c.ts.q[l*M+j] * shrink
				if j == t0 && got != 0 || j != t0 && !within(got, want) {
					ok = false
					if shrink == 1 {
						t.Errorf("width (l=%d, j=%d, top %d) = %v, want ‖W_Q(k_j − k_t)‖ = %v", l, j, t0, got, want)
					}
				}
			}
		}
		if shrink != 1 && ok {
			t.Errorf("widths shrunk by %v pass the check: it cannot fail", shrink)
		}
	}
}

// topResults evaluates the top-shift bound alone on the samples, shapes
// and budgets of jointResults (both node budgets of the ci job) and a
// paper-like shape (d = 128, M = 16), and returns every result in order.
func topResults(tb testing.TB, h topHooks) *golden.Values {
	var out golden.Values
	shapes := append(append([]goldenShape(nil), goldenShapes...), goldenShape{128, 16, 64, false, 16, 40})
	forGoldenBudgets(tb, shapes, func(key string, in inst, tau float64, nodes int) {
		b, _ := topBound(tb, in, tau, nodes, h)
		out.Float(key+" top-shift", b)
	})
	return &out
}

// TestTopShiftGolden: the top-shift bound reproduces, bit for bit,
// testdata/topshift.golden on this build and every other kernel path
// (default asm, -tags purego, GOAMD64=v3). Regenerate only for an
// intended change:
//
//	go test ./model/certify -run TestTopShiftGolden -update
func TestTopShiftGolden(t *testing.T) {
	golden.Check(t, "topshift", topResults(t, topHooks{}).Bytes())
}

// TestTopShiftGoldenControl: each planted bug of the negative controls
// moves some line of testdata/topshift.golden.
func TestTopShiftGoldenControl(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "topshift.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []topHooks{{drop: true}, {flip: true}} {
		if got := topResults(t, h).Bytes(); bytes.Equal(got, want) {
			t.Errorf("planted bug %+v leaves testdata/topshift.golden unchanged", h)
		}
	}
}
