package certify

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"vitadv/internal/check"
	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// jointHooks selects a planted bug of the joint bounds (negative controls).
type jointHooks struct {
	flip   bool // first-order bound: add the linear term instead of subtracting it
	noRem  bool // first-order bound: drop the curvature remainder
	noPerp bool // split bound: forget the component of δ_t orthogonal to u
	lowL1  bool // ℓ∞ bound: second-order term a hundred times too small
	lowA   bool // ‖W_Q W_Kᵀ‖₂ bound a hundred times too small (what a wrong specA would do)
	// row-share bound (rowshare.go): every row's query side dropped
	// (noQuery), or the value radius added instead of subtracted (flipValue)
	noQuery, flipValue bool
}

// jointSoundness is the soundness property of the joint bounds, each on
// its own (not hidden behind the larger interval bound) and combined
// (Margin with SetJoint(true)): every bound at the largest measured attack
// norm is ≤ the clean margin and ≤ the margin Forward computes at every
// attack point of attackPoints (PGD, FGSM, APGD, the closed-form linear
// worst case, midpoint, erase, uniform points), on the six instance
// families of drawInst, in every set.
func jointSoundness(h jointHooks) func(*rapid.T) {
	return func(t *rapid.T) {
		in := drawInst(t)
		set := rapid.SampledFrom(attack.Sets()).Draw(t, "set")
		tau := math.Ldexp(1, rapid.IntRange(-8, 2).Draw(t, "log2tau"))
		teff, margins, clean := measuredAttack(t, in, set, tau, rapid.Uint64().Draw(t, "aseed"))
		c, err := New(in.m, in.M)
		if err != nil {
			t.Fatal(err)
		}
		c.SetJoint(true)
		c.jt.flip, c.jt.noRem, c.jt.noPerp, c.jt.lowL1 = h.flip, h.noRem, h.noPerp, h.lowL1
		if h.lowA {
			c.normA *= 0.01
		}
		bounds := map[string]float64{}
		c.prepare(in.x)
		bounds["first-order"] = c.joint(in.y, set, teff)
		c.prepare(in.x)
		switch set {
		case attack.PerToken, attack.SignalToken:
			bounds["split"] = c.split(in.y, set, teff)
		case attack.Linf:
			bounds["linf"] = c.linfBound(in.y, teff)
		case attack.Frobenius:
			c.jt.rs = newRowShare(in.M)
			c.jt.rs.noQuery, c.jt.rs.flipValue = h.noQuery, h.flipValue
			bounds["row-share"] = c.rowShare(in.y, teff)
		}
		bounds["combined"] = c.Margin(in.x, in.y, set, teff)
		for name, lb := range bounds {
			if !check.LE(lb, clean) {
				t.Fatalf("%s bound %v above the clean margin %v (set %s, τ %v)", name, lb, clean, set, teff)
			}
			for k, mg := range margins {
				if !check.LE(lb, mg) {
					t.Fatalf("unsound: %s bound %v > margin %v of attack point %d (set %s, τ %v)", name, lb, mg, k, set, teff)
				}
			}
		}
	}
}

// TestJointSoundness is the soundness property of the joint bounds at
// rapid's default 100 checks (`make certify-soundness` runs it at 10 000).
func TestJointSoundness(t *testing.T) {
	rapid.Check(t, jointSoundness(jointHooks{}))
}

// TestJointSoundnessNegativeControls: the same property must fail on each
// planted bug — the first-order term's sign flipped, the curvature
// remainder dropped, the split bound forgetting the part of δ_t
// orthogonal to u, the ℓ∞ bound's second-order term shrunk a hundredfold,
// the spectral-norm bound of W_Q W_Kᵀ shrunk a hundredfold — so it can
// tell a sound bound from an unsound one.
// A control that one rapid run misses is retried with fresh seeds (at
// most 20 runs; the count each needed is in the log).
func TestJointSoundnessNegativeControls(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    jointHooks
	}{
		{"flip", jointHooks{flip: true}},
		{"no-remainder", jointHooks{noRem: true}},
		{"no-perp", jointHooks{noPerp: true}},
		{"low-l1", jointHooks{lowL1: true}},
		{"low-spectral", jointHooks{lowA: true}},
		{"row-share-no-query", jointHooks{noQuery: true}},
		{"row-share-flip-value", jointHooks{flipValue: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireControlCaught(t, "JointNegativeControl", tc.name, jointSoundness(tc.h))
		})
	}
}

// TestJointExactLinearCollapse: with W_Q = 0 (uniform attention, every
// score constant) the model is linear in X, the remainder vanishes up to
// rounding, and the first-order bound must equal the closed form
// attack.LinearWorstMargin (THEORY §3.3) within the rounding allowance
// tolExact of TestExactLinearCollapse, and never exceed it — in every
// set. A wrong constant (the gradient's 1/M, a dual norm) fails it.
func TestJointExactLinearCollapse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInst(t)
		clear(in.m.WQK)
		set := rapid.SampledFrom(attack.Sets()).Draw(t, "set")
		tau := math.Ldexp(1, rapid.IntRange(-8, 2).Draw(t, "log2tau"))
		c, err := New(in.m, in.M)
		if err != nil {
			t.Fatal(err)
		}
		c.SetJoint(true)
		c.prepare(in.x)
		lb := c.joint(in.y, set, tau)
		want := attack.LinearWorstMargin(in.m, in.x, in.y, set, tau)
		if !check.LE(lb, want) || !check.Close(lb, want, 0, tolExact*linearScale(in, tau)) {
			t.Fatalf("set %s τ %v: first-order bound %v, closed form %v", set, tau, lb, want)
		}
	})
}

// linearScale is the scale of the margin that tolExact is relative to
// (as in TestExactLinearCollapse).
func linearScale(in inst, tau float64) float64 {
	u := in.m.ValueVector(make([]float64, in.m.D))
	scale := 0.0
	for _, v := range in.x {
		scale = math.Max(scale, math.Abs(v))
	}
	return (scale + tau) * (attack.Frobenius.Norm(u, 1) + 1e-300) * float64(in.m.D)
}

// TestJointExactControl: the exactness check fails when the gradient
// loses its 1/M (the first-order term of a two-token model doubled): the
// tolerance cannot hide a wrong constant.
func TestJointExactControl(t *testing.T) {
	a := vit.Arch{D: 2, Dh: 1, Dv: 2}
	m, _ := vit.New(a)
	m.Wv[0], m.Wv[3] = 1, 1
	m.Wo[0], m.Wo[1] = 1, -1
	x := []float64{1, 0, 0.1, 0.2}
	in := inst{m: m, x: x, y: 1, M: 2}
	for _, set := range attack.Sets() {
		c, _ := New(m, 2)
		c.SetJoint(true)
		c.prepare(x)
		tau := 0.25
		lb := c.joint(1, set, tau)
		want := attack.LinearWorstMargin(m, x, 1, set, tau)
		if !check.Close(lb, want, 0, tolExact*linearScale(in, tau)) {
			t.Fatalf("set %s: first-order bound %v, closed form %v (control set-up)", set, lb, want)
		}
		// The planted bug: a linear term twice as large.
		wrong := c.jt.m0 - 2*(c.jt.m0-lb)
		if check.Close(wrong, want, 0, tolExact*linearScale(in, tau)) {
			t.Fatalf("set %s: a doubled first-order term %v passes against %v", set, wrong, want)
		}
	}
}

// TestJointNeverBelowInterval: SetJoint(true) never lowers a certificate
// (the result is the larger of the interval and joint bounds), and
// SetJoint(false) gives the interval bound bit for bit.
func TestJointNeverBelowInterval(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInst(t)
		set := rapid.SampledFrom(attack.Sets()).Draw(t, "set")
		tau := math.Ldexp(1, rapid.IntRange(-8, 2).Draw(t, "log2tau"))
		c, err := New(in.m, in.M)
		if err != nil {
			t.Fatal(err)
		}
		c.SetJoint(false) // whatever DefaultJoint says
		old := c.Margin(in.x, in.y, set, tau)
		c.SetJoint(true)
		joint := c.Margin(in.x, in.y, set, tau)
		c.SetJoint(false)
		again := c.Margin(in.x, in.y, set, tau)
		if !(joint >= old) {
			t.Fatalf("joint %v below interval %v", joint, old)
		}
		if math.Float64bits(again) != math.Float64bits(old) {
			t.Fatalf("SetJoint(false) gives %v, interval bound %v", again, old)
		}
	})
}

// ExampleCertifier_SetJoint shows the switch; the numbers are the
// certified margin of one sample of a uniform-attention model at τ = 0.25
// in the Frobenius ball (where both bounds are exact).
func ExampleCertifier_SetJoint() {
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 2})
	m.Wv[0], m.Wv[3] = 1, 1
	m.Wo[0], m.Wo[1] = 1, -1
	c, _ := New(m, 2)
	x := []float64{1, 0, 0.1, 0.2}
	c.SetJoint(false)
	fmt.Printf("interval %.6f\n", c.Margin(x, 1, attack.Frobenius, 0.25))
	c.SetJoint(true)
	fmt.Printf("joint    %.6f\n", c.Margin(x, 1, attack.Frobenius, 0.25))
	// Output:
	// interval 0.200000
	// joint    0.200000
}

// msgRecorder is a recorder that keeps the first failure message, so that
// a negative control can show what it caught.
type msgRecorder struct {
	recorder
	msg string
}

func (r *msgRecorder) note(s string) {
	if r.msg == "" {
		r.msg = s
	}
	r.failed = true
}

func (r *msgRecorder) Fatalf(format string, args ...any) { r.note(fmt.Sprintf(format, args...)) }
func (r *msgRecorder) Errorf(format string, args ...any) { r.note(fmt.Sprintf(format, args...)) }
func (r *msgRecorder) Fatal(args ...any)                 { r.note(fmt.Sprint(args...)) }
func (r *msgRecorder) Error(args ...any)                 { r.note(fmt.Sprint(args...)) }

// checkFailsMsg is checkFails that also returns the first failure message.
func checkFailsMsg(t *testing.T, name string, prop func(*rapid.T)) (bool, string) {
	dir := filepath.Join("testdata", "rapid", name)
	clean := func() {
		os.RemoveAll(dir)
		os.Remove(filepath.Join("testdata", "rapid")) // only if empty
		os.Remove("testdata")
	}
	clean()
	defer clean()
	rec := &msgRecorder{recorder: recorder{TB: t, name: name}}
	rapid.Check(rec, prop)
	return rec.failed, rec.msg
}

// requireControlCaught runs prop, a soundness property with a planted
// bug, until it fails (at most 20 runs with fresh seeds: a control one
// rapid run misses is retried; the run that caught it is logged) and fails
// t if it never does, or if it failed for another reason than a bound
// (its message must name one).
func requireControlCaught(t *testing.T, name, bug string, prop func(*rapid.T)) {
	t.Helper()
	for k := 1; k <= 20; k++ {
		if ok, msg := checkFailsMsg(t, name, prop); ok {
			t.Logf("caught in run %d: %s", k, msg)
			if !strings.Contains(msg, "bound") {
				t.Fatalf("the control failed for another reason: %s", msg)
			}
			return
		}
	}
	t.Fatalf("the soundness property accepted the planted bug %s in 20 runs", bug)
}

// BenchmarkCertifyJoint is BenchmarkCertify with the joint bounds on
// (SetJoint(true)): the cost per point of the larger of the interval and
// joint bounds at the ci preset's shape, per set and budget; compare with
// BenchmarkCertify's points/s for the cost of switching.
func BenchmarkCertifyJoint(b *testing.B) {
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
				c.SetJoint(true)
				b.ReportAllocs()
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
