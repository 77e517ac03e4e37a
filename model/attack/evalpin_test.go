package attack

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"testing"

	"vitadv/model/data"
	"vitadv/model/vit"
)

// pinnedEvalFingerprint is the FNV-64a hash of the bits of every output
// evalResults computes (APGD points and margins, FMN points and radii),
// recorded before the evaluation attacks were sped up (APGD re-evaluated
// the forward pass at the top of every step, FMN measured ‖Δ‖_B every
// step): the committed robust_err_lb columns and radius files depend on
// these bits.
const pinnedEvalFingerprint = 0xe4476cbdfe1e2912

// evalResults runs APGD (with restarts and checkpoint restarts) and FMN on
// every perturbation set at the ci shape and on a small one, and returns
// their outputs in order.
func evalResults(tb testing.TB) []float64 {
	var out []float64
	for si, sh := range []struct{ D, M, Dh int }{{128, 8, 64}, {8, 3, 4}} {
		dc := data.Config{D: sh.D, M: sh.M, N: 2, NTest: 16, MuNorm: 6, Sigma2: 4, SigmaW: 0.2, Project: true}
		_, te, err := data.Draw(dc, uint64(30+si))
		if err != nil {
			tb.Fatal(err)
		}
		arch := vit.Arch{D: sh.D, Dh: sh.Dh, Dv: sh.Dh}
		m, err := vit.NewInit(arch, vit.Init{Law: vit.Gaussian, Shrink: 1}, uint64(40+si))
		if err != nil {
			tb.Fatal(err)
		}
		xadv := make([]float64, len(te.X))
		for _, set := range Sets() {
			for _, tau := range []float64{0.5, 3} {
				a, err := NewAPGD(APGDConfig{Set: set, Tau: tau, Steps: 50, Restarts: 2, Seed: 7}, arch, te.M, te.N)
				if err != nil {
					tb.Fatal(err)
				}
				a.Perturb(m, te.X, te.Y, te.N, xadv)
				out = append(out, xadv...)
				out = append(out, a.Margins()...)
			}
			f, err := NewFMN(FMNConfig{Set: set, Steps: 100}, arch, te.M, te.N)
			if err != nil {
				tb.Fatal(err)
			}
			f.Perturb(m, te.X, te.Y, te.N, xadv)
			out = append(out, xadv...)
			out = append(out, f.Radii()...)
		}
	}
	return out
}

// TestEvalFingerprintPinned: APGD and FMN reproduce the bits they had
// before they were optimized; negative control: one output moved by one
// ulp changes the fingerprint.
func TestEvalFingerprintPinned(t *testing.T) {
	v := evalResults(t)
	fp := func(v []float64) uint64 {
		h := fnv.New64a()
		var buf [8]byte
		for _, x := range v {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x))
			h.Write(buf[:])
		}
		return h.Sum64()
	}
	if got := fp(v); got != pinnedEvalFingerprint {
		t.Errorf("fingerprint of %d APGD and FMN outputs = %#x, pinned %#x: the attacks' results changed", len(v), got, uint64(pinnedEvalFingerprint))
	}
	w := append([]float64(nil), v...)
	w[len(w)/3] = math.Nextafter(w[len(w)/3], math.Inf(1))
	if fp(w) == fp(v) {
		t.Error("negative control: an output moved by one ulp left the fingerprint unchanged")
	}
}
