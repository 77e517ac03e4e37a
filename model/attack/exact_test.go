package attack

import (
	"errors"
	"math"
	"testing"

	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// tolCost: a cost computed as √(μ²/4 + μ²/4) against ‖μ‖/√2; one rounded
// square, one rounded square root on each side.
const tolCost = 4 * eps

// pairedSet returns a data set whose samples 2k (label +1) and 2k+1
// (label −1) share their noise tokens, drawn from c.
func pairedSet(t *testing.T, c data.Config, seed uint64) *data.Set {
	t.Helper()
	_, test, err := data.Draw(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	S, D := test.M*test.D, test.D
	for k := 0; k+1 < test.N; k += 2 {
		copy(test.X[(k+1)*S+D:(k+2)*S], test.X[k*S+D:(k+1)*S])
	}
	return test
}

func smallData(mu float64) data.Config {
	return data.Config{D: 8, M: 4, N: 2, NTest: 40, MuNorm: mu, Sigma2: 1, SigmaW: 0.2, Project: true}
}

func TestMidpointMergesClasses(t *testing.T) {
	c := smallData(3)
	s := pairedSet(t, c, 1)
	sig := data.SignalsOf(c)
	S := s.M * s.D
	tau := MidpointCost(c.Mu())
	for _, set := range []Set{Frobenius, SignalToken, PerToken} {
		for k := 0; k+1 < s.N; k += 2 {
			plus, minus := make([]float64, S), make([]float64, S)
			cp, okp := MidpointTo(plus, s.Sample(k), s.M, sig, set, tau)
			cm, okm := MidpointTo(minus, s.Sample(k+1), s.M, sig, set, tau)
			if !okp || !okm {
				t.Fatalf("set=%s: MidpointTo(τ = ‖μ‖/√2) ok = %v, %v, want true", set, okp, okm)
			}
			for _, cost := range []float64{cp, cm} {
				if want := c.Mu() / math.Sqrt2; !(math.Abs(cost-want) <= tolCost*want) {
					t.Fatalf("set=%s: MidpointTo cost = %.17g, want ‖μ‖/√2 = %.17g", set, cost, want)
				}
			}
			if !equalBits(plus, minus) {
				t.Fatalf("set=%s pair=%d: midpoint inputs of the +1 and −1 samples differ, want identical", set, k)
			}
			// The midpoint is inside the set's ball and moves only token 0.
			if got := set.Norm(diff(plus, s.Sample(k)), s.M); !(got <= tau*(1+feasSlack)) {
				t.Fatalf("set=%s: %s.Norm(Δ) = %g, want <= τ = %g", set, set, got, tau)
			}
		}
	}
}

func TestMidpointBelowThresholdScales(t *testing.T) {
	c := smallData(3)
	s := pairedSet(t, c, 2)
	sig := data.SignalsOf(c)
	S := s.M * s.D
	tau := 0.9 * MidpointCost(c.Mu())
	plus, minus := make([]float64, S), make([]float64, S)
	_, okp := MidpointTo(plus, s.Sample(0), s.M, sig, Frobenius, tau)
	_, okm := MidpointTo(minus, s.Sample(1), s.M, sig, Frobenius, tau)
	if okp || okm {
		t.Errorf("MidpointTo(τ = 0.9‖μ‖/√2) ok = %v, %v, want false", okp, okm)
	}
	if got := norm2(diff(plus, s.Sample(0))); !(math.Abs(got-tau) <= tolCost*tau) {
		t.Errorf("scaled midpoint: ‖Δ‖ = %.17g, want τ = %.17g (on the boundary)", got, tau)
	}
	if equalBits(plus, minus) {
		t.Errorf("scaled midpoint merged the classes below the threshold, want distinct inputs")
	}
}

func TestEraseCost(t *testing.T) {
	c := smallData(2.5)
	s := pairedSet(t, c, 3)
	S := s.M * s.D
	for _, set := range Sets() {
		for i := 0; i < 4; i++ {
			dst := make([]float64, S)
			cost, ok := EraseTo(dst, s.Sample(i), s.M, set, EraseCost(c.Mu()))
			if cost != c.Mu() || !ok {
				t.Errorf("set=%s: EraseTo cost, ok = %g, %v, want ‖μ‖ = %g, true", set, cost, ok, c.Mu())
			}
			for k := 0; k < s.D; k++ {
				if dst[k] != 0 {
					t.Fatalf("set=%s: erased token 0 [%d] = %g, want 0", set, k, dst[k])
				}
			}
			if !equalBits(dst[s.D:], s.Sample(i)[s.D:]) {
				t.Fatalf("set=%s: EraseTo changed a noise token", set)
			}
		}
	}
	// Just below ‖μ‖ the erase is infeasible and lands on the boundary.
	dst := make([]float64, S)
	tau := 0.5 * c.Mu()
	if _, ok := EraseTo(dst, s.Sample(0), s.M, Frobenius, tau); ok {
		t.Errorf("EraseTo(τ = ‖μ‖/2) ok = true, want false")
	}
	if got := norm2(diff(dst, s.Sample(0))); !(math.Abs(got-tau) <= tolCost*tau) {
		t.Errorf("scaled erase: ‖Δ‖ = %g, want τ = %g", got, tau)
	}
}

func TestExactAttackers(t *testing.T) {
	c := smallData(3)
	s := pairedSet(t, c, 4)
	m, err := vit.NewInit(vit.Arch{D: c.D, Dh: 3, Dv: 3}, vit.DefaultInit(), 1)
	if err != nil {
		t.Fatal(err)
	}
	mid, err := NewMidpoint(data.SignalsOf(c), c.M, Frobenius, MidpointCost(c.Mu()))
	if err != nil {
		t.Fatal(err)
	}
	er, err := NewErase(c.M, Frobenius, 0.5*c.Mu())
	if err != nil {
		t.Fatal(err)
	}
	xadv := make([]float64, len(s.X))
	mid.Perturb(m, s.X, s.Y, s.N, xadv)
	if r := mid.Result(); r.N != s.N || r.Feasible != s.N || !(math.Abs(r.MaxCost-MidpointCost(c.Mu())) <= tolCost*c.Mu()) {
		t.Errorf("Midpoint.Result() = %+v, want N = Feasible = %d, MaxCost = %g", r, s.N, MidpointCost(c.Mu()))
	}
	er.Perturb(m, s.X, s.Y, s.N, xadv)
	if r := er.Result(); r.Feasible != 0 || r.MaxCost != c.Mu() {
		t.Errorf("Erase(τ = ‖μ‖/2).Result() = %+v, want Feasible = 0, MaxCost = %g", r, c.Mu())
	}
	if testing.CoverMode() == "" {
		if a := testing.AllocsPerRun(10, func() { mid.Perturb(m, s.X, s.Y, s.N, xadv) }); a != 0 {
			t.Errorf("allocs per Midpoint.Perturb = %g, want 0", a)
		}
		if a := testing.AllocsPerRun(10, func() { er.Perturb(m, s.X, s.Y, s.N, xadv) }); a != 0 {
			t.Errorf("allocs per Erase.Perturb = %g, want 0", a)
		}
	}
	var ve *valid.Error
	if _, err := NewMidpoint(data.Signals{}, 2, Frobenius, 1); !errors.As(err, &ve) || ve.Field != "Signals" {
		t.Errorf("NewMidpoint(empty signals) = %v, want *valid.Error on Signals", err)
	}
	if _, err := NewMidpoint(data.SignalsOf(c), 2, Frobenius, math.NaN()); !errors.As(err, &ve) || ve.Field != "Tau" {
		t.Errorf("NewMidpoint(τ = NaN) = %v, want *valid.Error on Tau", err)
	}
	if _, err := NewErase(2, "l1", 1); !errors.As(err, &ve) || ve.Field != "Set" {
		t.Errorf(`NewErase(set "l1") = %v, want *valid.Error on Set`, err)
	}
	if _, err := NewErase(0, Frobenius, 1); !errors.As(err, &ve) || ve.Field != "M" {
		t.Errorf("NewErase(M = 0) = %v, want *valid.Error on M", err)
	}
}
