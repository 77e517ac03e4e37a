package certify

import (
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// pinnedJointFingerprint is the FNV-64a hash of the bits of every bound and
// radius jointResults computes, recorded on the default amd64 build and
// checked equal under -tags purego and GOAMD64=v3 on the same machine: the
// joint bounds, like the interval bound, must give the same bits on every
// kernel path and CPU (the committed CSVs would depend on them once
// DefaultJoint is switched on).
const pinnedJointFingerprint = 0x2c86be22cbc1e585

// jointResults certifies samples of three shapes (M = 3, 8, 16), score
// scales and initialization widths with the joint bounds on, in every set
// at a ladder of budgets and both node budgets of the ci job, plus bisected
// radii, and returns every result in order.
func jointResults(tb testing.TB) []float64 {
	var out []float64
	type shape struct {
		D, M, Dh int
		scale    bool
		shrink   float64
		mu       float64
	}
	shapes := []shape{
		{32, 3, 16, false, 1, 6},
		{64, 8, 32, true, 0.25, 12},
		{32, 16, 16, false, 4, 10},
	}
	for si, sh := range shapes {
		dc := data.Config{D: sh.D, M: sh.M, N: 2, NTest: 4, MuNorm: sh.mu, Sigma2: 4, SigmaW: 0.2, Project: true}
		_, te, err := data.Draw(dc, uint64(30+si))
		if err != nil {
			tb.Fatal(err)
		}
		m, err := vit.NewInit(vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh, ScaleScores: sh.scale}, vit.Init{Law: vit.Gaussian, Shrink: sh.shrink}, uint64(40+si))
		if err != nil {
			tb.Fatal(err)
		}
		c, err := New(m, sh.M)
		if err != nil {
			tb.Fatal(err)
		}
		c.SetJoint(true)
		for _, nodes := range []int{radiusNodesPin, DefaultNodes} {
			c.SetNodes(nodes)
			for _, set := range attack.Sets() {
				for i := 0; i < te.N; i++ {
					x, y := te.Sample(i), te.Y[i]
					for _, f := range []float64{0.05, 0.2, 0.7} {
						out = append(out, c.Margin(x, y, set, f*sh.mu))
					}
					out = append(out, c.Radius(x, y, set, 2*sh.mu, 12))
				}
			}
		}
	}
	return out
}

// TestJointFingerprintPinned: the joint bounds give the pinned bits (on
// this build and every other kernel path), and a one-ulp change of any
// result changes the fingerprint (negative control).
func TestJointFingerprintPinned(t *testing.T) {
	v := jointResults(t)
	if got := fingerprint(v); got != pinnedJointFingerprint {
		t.Errorf("fingerprint of %d joint bounds and radii = %#x, pinned %#x: the joint bounds' results changed", len(v), got, uint64(pinnedJointFingerprint))
	}
	for _, k := range []int{0, len(v) / 2, len(v) - 1} {
		w := append([]float64(nil), v...)
		w[k] = up(w[k])
		if fingerprint(w) == fingerprint(v) {
			t.Fatalf("negative control: result %d moved by one ulp leaves the fingerprint unchanged", k)
		}
	}
}
