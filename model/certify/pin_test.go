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
// container/heap, one linalg.Exp call per enclosure, sort.Slice, the
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

// TestSkipFirstOrderAtZero: a bound at τ = 0 without the first-order
// coefficients (prepare's shortcut) has the bits of the bound with them, on
// instances across the float range (W_Q, W_K and the inputs scaled by
// powers of two up to overflow), where prepare's finiteness guard takes
// both sides. Negative control: a shortcut standing in an overflowed
// (infinite) coefficient changes the bounds (0·∞ = NaN): the coefficients
// must be finite, which is what the guard ensures, and the comparison sees
// a change.
func TestSkipFirstOrderAtZero(t *testing.T) {
	differ := func(a, b float64) bool {
		return math.Float64bits(a) != math.Float64bits(b) && !(math.IsNaN(a) && math.IsNaN(b))
	}
	checked, guarded, unguardedDiffer := 0, 0, 0
	for _, M := range []int{2, 5} {
		dc := data.Config{D: 8, M: M, N: 2, NTest: 4, MuNorm: 3, Sigma2: 2, SigmaW: 0.2, Project: true}
		_, te, err := data.Draw(dc, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, kw := range []int{0, 100, 200, 250, 300, 400, 500, 505, 510} {
			for _, kx := range []int{0, 100, -200, -400, -600} {
				m, err := vit.NewInit(vit.Arch{D: 8, Dh: 4, Dv: 4}, vit.Init{Law: vit.Gaussian, Shrink: 1}, 5)
				if err != nil {
					t.Fatal(err)
				}
				for i := range m.WQK {
					m.WQK[i] = math.Ldexp(m.WQK[i], kw)
				}
				var cs [3]*Certifier
				for h, mode := range []int{0, 1, -1} {
					if cs[h], err = New(m, M); err != nil {
						t.Fatal(err)
					}
					cs[h].skip0 = mode
				}
				for i := 0; i < te.N; i++ {
					x := append([]float64(nil), te.Sample(i)...)
					for k := range x {
						x[k] = math.Ldexp(x[k], kx)
					}
					for _, set := range attack.Sets() {
						got, want, bare := cs[0].Margin(x, te.Y[i], set, 0), cs[1].Margin(x, te.Y[i], set, 0), cs[2].Margin(x, te.Y[i], set, 0)
						checked++
						if !cs[0].pt.finite0 {
							guarded++
						}
						if differ(got, want) {
							t.Errorf("M=%d, W_QK·2^%d, x·2^%d, point %d, %s: bound at τ=0 %v with the shortcut, %v without", M, kw, kx, i, set, got, want)
						}
						if differ(bare, want) {
							unguardedDiffer++
						}
					}
				}
			}
		}
	}
	t.Logf("%d bounds, %d with the guard refusing the shortcut, %d changed by infinite coefficients", checked, guarded, unguardedDiffer)
	if guarded == 0 || guarded == checked {
		t.Errorf("the guard refused the shortcut on %d of %d instances: the sweep does not exercise both sides", guarded, checked)
	}
	if unguardedDiffer == 0 {
		t.Error("negative control: infinite first-order coefficients never changed a bound at τ = 0; the comparison cannot fail")
	}
}
