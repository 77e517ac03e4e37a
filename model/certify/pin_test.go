package certify

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/vit"
)

// pinnedFingerprint is the FNV-64a hash of the bits of every bound and
// radius certResults computes, recorded from the implementation before
// the speed-ups of the ci job (straightforward branch-and-bound with
// container/heap, one math.Exp-equivalent linalg.Exp per enclosure, the
// threshold configurations summed from scratch). The committed radius files
// (results/tau/*.radii) and the robust_err_ub columns depend on these bits:
// an optimization of the certifier must reproduce them exactly.
const pinnedFingerprint = 0xda4aab0f87d259ac

// certResults certifies samples of several shapes (M = 3, 8, 16 — above
// 12 the index sort is no longer an insertion sort), score scales,
// initialization widths, every perturbation set and a ladder of budgets,
// with both node budgets of the ci job, plus bisected radii, and returns
// every result in order.
func certResults(tb testing.TB) []float64 {
	var out []float64
	type shape struct {
		D, M, Dh int
		scale    bool
		shrink   float64
		mu       float64
	}
	shapes := []shape{
		{32, 3, 16, false, 1, 6},
		{128, 8, 64, false, 1, 8},
		{128, 8, 64, true, 0.25, 12},
		{64, 16, 32, false, 4, 10},
		{16, 8, 8, false, 0.5, 4},
	}
	for si, sh := range shapes {
		dc := data.Config{D: sh.D, M: sh.M, N: 2, NTest: 6, MuNorm: sh.mu, Sigma2: 4, SigmaW: 0.2, Project: true}
		_, te, err := data.Draw(dc, uint64(10+si))
		if err != nil {
			tb.Fatal(err)
		}
		m, err := vit.NewInit(vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh, ScaleScores: sh.scale}, vit.Init{Law: vit.Gaussian, Shrink: sh.shrink}, uint64(20+si))
		if err != nil {
			tb.Fatal(err)
		}
		c, err := New(m, sh.M)
		if err != nil {
			tb.Fatal(err)
		}
		for _, nodes := range []int{radiusNodesPin, DefaultNodes} {
			c.SetNodes(nodes)
			for _, set := range attack.Sets() {
				for i := 0; i < te.N; i++ {
					x, y := te.Sample(i), te.Y[i]
					for _, f := range []float64{0, 0.05, 0.2, 0.7} {
						out = append(out, c.Margin(x, y, set, f*sh.mu))
					}
					out = append(out, c.Radius(x, y, set, 2*sh.mu, 12))
				}
			}
		}
	}
	return out
}

// fingerprint is the FNV-64a hash of the bits of v.
func fingerprint(v []float64) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x))
		h.Write(buf[:])
	}
	return h.Sum64()
}

// radiusNodesPin is the node budget of the ci job's radius bisection
// (experiment.radiusNodes).
const radiusNodesPin = 16

// TestFingerprintPinned: the certifier reproduces the bits it had before
// it was optimized.
func TestFingerprintPinned(t *testing.T) {
	v := certResults(t)
	if got := fingerprint(v); got != pinnedFingerprint {
		t.Errorf("fingerprint of %d certified bounds and radii = %#x, pinned %#x: the certifier's results changed", len(v), got, uint64(pinnedFingerprint))
	}
	// Negative control: one result moved by one ulp changes the
	// fingerprint (the check sees single bits).
	for _, k := range []int{0, len(v) / 2, len(v) - 1} {
		w := append([]float64(nil), v...)
		w[k] = up(w[k])
		if fingerprint(w) == fingerprint(v) {
			t.Errorf("result %d of %d moved by one ulp: fingerprint unchanged", k, len(v))
		}
	}
}
