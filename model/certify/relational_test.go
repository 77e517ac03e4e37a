package certify

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"pgregory.net/rapid"

	"vitadv/internal/check"
	"vitadv/internal/golden"
	"vitadv/model/attack"
)

// frobHooks selects a planted bug of the Frobenius joint bounds of
// relational.go (negative controls).
type frobHooks struct {
	noPerp  bool // frobSplit: forget the component of δ_t orthogonal to u
	lowPair bool // pair widths: ρ_lj² = τ² − Σ_{k≠l,j} hi_k² (upper ends) instead of lo_k²
}

// frobBounds returns the three Frobenius joint bounds of relational.go,
// each on its own, and the combined Margin, for instance in at tau with
// the node budget nodes and the planted bugs h.
func frobBounds(t interface{ Fatal(...any) }, in inst, tau float64, nodes int, h frobHooks) map[string]float64 {
	c, err := New(in.m, in.M)
	if err != nil {
		t.Fatal(err)
	}
	c.SetJoint(true)
	c.SetNodes(nodes)
	c.jt.noPerp, c.jt.lowPair = h.noPerp, h.lowPair
	out := map[string]float64{}
	c.prepare(in.x)
	c.firstOrder()
	out["pair"] = c.pairBranch(in.y, tau)
	c.prepare(in.x)
	out["value-split"] = c.frobSplit(in.y, tau)
	out["combined"] = c.Margin(in.x, in.y, attack.Frobenius, tau)
	return out
}

// frobSoundness is the soundness property of the Frobenius joint bounds
// (pair widths, value split), each on its own (not hidden
// behind the larger interval bound) and combined: at the largest measured
// attack norm every bound is ≤ the clean margin and ≤ the margin Forward
// computes at every point of attackPoints (PGD, FGSM, APGD, the
// closed-form linear worst case, midpoint, erase, uniform points), on the
// instance families of drawInst, at node budgets 1 to 64.
func frobSoundness(h frobHooks) func(*rapid.T) {
	return func(t *rapid.T) {
		in := drawInst(t)
		checkFrobeniusBounds(t, in, func(teff float64, nodes int) map[string]float64 {
			return frobBounds(t, in, teff, nodes, h)
		})
	}
}

// checkFrobeniusBounds is the core of the Frobenius soundness properties:
// it draws τ = 2^k (k in [−8, 2]), a node budget 2^j (j in [0, 6]) and
// the attack points of in in the Frobenius ball of radius τ
// (attackPoints), and fails t when a bound that bounds returns at the
// largest measured attack norm teff (≥ τ, with normSlack) is above the
// clean margin or above the margin Forward computes at an attack point.
func checkFrobeniusBounds(t *rapid.T, in inst, bounds func(teff float64, nodes int) map[string]float64) {
	set := attack.Frobenius
	tau := math.Ldexp(1, rapid.IntRange(-8, 2).Draw(t, "log2tau"))
	nodes := 1 << rapid.IntRange(0, 6).Draw(t, "log2nodes")
	teff, margins, clean := measuredAttack(t, in, set, tau, rapid.Uint64().Draw(t, "aseed"))
	for name, lb := range bounds(teff, nodes) {
		if !check.LE(lb, clean) {
			t.Fatalf("%s bound %v above the clean margin %v (τ %v)", name, lb, clean, teff)
		}
		for k, mg := range margins {
			if !check.LE(lb, mg) {
				t.Fatalf("unsound: %s bound %v > margin %v of attack point %d (τ %v)", name, lb, mg, k, teff)
			}
		}
	}
}

// TestFrobeniusJointSoundness is the soundness property of the Frobenius
// joint bounds at rapid's default 100 checks (`make certify-soundness`
// runs the package's properties at 10 000).
func TestFrobeniusJointSoundness(t *testing.T) {
	rapid.Check(t, frobSoundness(frobHooks{}))
}

// TestFrobeniusJointSoundnessNegativeControls: the same property must
// fail on each planted bug — the value split forgetting the part of δ_t
// orthogonal to u, the pair widths leaving two tokens τ² minus the other
// tokens' upper radii (not their lower ones) — so it can tell a sound
// bound from an unsound one. A control that one rapid run
// misses is retried with fresh seeds (at most 20 runs).
func TestFrobeniusJointSoundnessNegativeControls(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    frobHooks
	}{
		{"no-perp", frobHooks{noPerp: true}},
		{"pair-upper-ends", frobHooks{lowPair: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireControlCaught(t, "FrobeniusNegativeControl", tc.name, frobSoundness(tc.h))
		})
	}
}

// frobeniusResults evaluates the three Frobenius joint bounds of
// relational.go, each on its own, on the samples, shapes and budgets of
// jointResults (both node budgets of the ci job), and returns every
// result in order (with the planted bugs h).
func frobeniusResults(tb testing.TB, h frobHooks) *golden.Values {
	var out golden.Values
	forGoldenBudgets(tb, goldenShapes, func(key string, in inst, tau float64, nodes int) {
		b := frobBounds(tb, in, tau, nodes, h)
		for _, name := range []string{"pair", "value-split"} {
			out.Float(key+" "+name, b[name])
		}
	})
	return &out
}

// TestFrobeniusGolden: the Frobenius joint bounds reproduce, bit for bit,
// testdata/frobenius.golden on this build and every other kernel path
// (default asm, -tags purego, GOAMD64=v3). Regenerate only for an
// intended change:
//
//	go test ./model/certify -run TestFrobeniusGolden -update
func TestFrobeniusGolden(t *testing.T) {
	golden.Check(t, "frobenius", frobeniusResults(t, frobHooks{}).Bytes())
}

// TestFrobeniusGoldenControl: each planted bug of the negative controls
// moves some line of testdata/frobenius.golden (the golden cannot hide a
// changed bound).
func TestFrobeniusGoldenControl(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "frobenius.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []frobHooks{{noPerp: true}, {lowPair: true}} {
		if got := frobeniusResults(t, h).Bytes(); bytes.Equal(got, want) {
			t.Errorf("planted bug %+v leaves testdata/frobenius.golden unchanged", h)
		}
	}
}

// forGoldenBudgets calls fn on every test point of every shape of shapes
// (goldenShape.instance), at both node budgets of the ci job and at
// τ = 0.05, 0.2, 0.7 ‖μ‖, in that nesting order, with the golden line key
// "shape=… nodes=… i=… tau=…·mu" of the call.
func forGoldenBudgets(tb testing.TB, shapes []goldenShape, fn func(key string, in inst, tau float64, nodes int)) {
	for si, sh := range shapes {
		m, te := sh.instance(tb, si)
		for _, nodes := range []int{radiusNodesCI, DefaultNodes} {
			for i := 0; i < te.N; i++ {
				in := inst{m: m, x: te.Sample(i), y: te.Y[i], M: sh.M}
				for _, f := range []float64{0.05, 0.2, 0.7} {
					fn(fmt.Sprintf("shape=%d nodes=%d i=%d tau=%g·mu", si, nodes, i, f), in, f*sh.mu, nodes)
				}
			}
		}
	}
}
