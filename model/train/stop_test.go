package train

import (
	"math"
	"testing"
	"time"

	"vitadv/model/attack"
	"vitadv/model/vit"
)

// sameParams reports whether two models hold bit-identical parameters.
func sameParams(a, b *vit.Model) bool {
	for _, p := range [][2][]float64{{a.WQK, b.WQK}, {a.Wv, b.Wv}, {a.Wo, b.Wo}} {
		if len(p[0]) != len(p[1]) {
			return false
		}
		for i := range p[0] {
			if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
				return false
			}
		}
	}
	return true
}

// afterCalls returns a Stop that fires on its (k+1)-th call, i.e. after k
// updates, and a reset for reuse.
func afterCalls(k int) (stop func() bool, reset func()) {
	calls := 0
	return func() bool { calls++; return calls > k }, func() { calls = 0 }
}

// TestStopAfterK: a Stop that fires after k updates stops Run at step k
// with Stopped set, and the model is bit for bit the model of a run of
// exactly k updates (clean and adversarial). obs sees steps 0..k, the last
// one at the returned state.
func TestStopAfterK(t *testing.T) {
	for _, adv := range []bool{false, true} {
		for _, k := range []int{0, 1, 7} {
			m, tr, _, cfg := smallCell(t, 6, 8, 2)
			ref := m.Clone()
			var atk, refAtk Attacker
			if adv {
				tau := 0.1 * cfg.Mu()
				p1, err := attack.NewPGD(attack.TrainConfig(tau), m.Arch, tr.M, tr.N)
				if err != nil {
					t.Fatal(err)
				}
				p2, _ := attack.NewPGD(attack.TrainConfig(tau), m.Arch, tr.M, tr.N)
				atk, refAtk = p1, p2
			}
			tn, err := New(m, tr, Config{Eta: 0.1, MaxSteps: 1000}, atk)
			if err != nil {
				t.Fatal(err)
			}
			tn.Stop, _ = afterCalls(k)
			var seen []int
			res := tn.Run(func(step int, loss float64) { seen = append(seen, step) })
			if !res.Stopped || res.Converged || res.Steps != k || tn.Steps() != k {
				t.Errorf("adv=%v k=%d: Run = %+v (Steps() %d), want Stopped at step %d", adv, k, res, tn.Steps(), k)
			}
			if len(seen) != k+1 || seen[len(seen)-1] != k {
				t.Errorf("adv=%v k=%d: obs saw steps %v, want 0..%d", adv, k, seen, k)
			}
			if k == 0 {
				if !sameParams(m, ref) {
					t.Errorf("adv=%v: a Stop firing at once changed the model", adv)
				}
				continue
			}
			rt, err := New(ref, tr, Config{Eta: 0.1, MaxSteps: k}, refAtk)
			if err != nil {
				t.Fatal(err)
			}
			want := rt.Run(nil)
			if want.Stopped || want.Steps != k {
				t.Fatalf("reference run = %+v, want %d steps, not stopped", want, k)
			}
			if !sameParams(m, ref) {
				t.Errorf("adv=%v k=%d: stopped model differs from the %d-step model", adv, k, k)
			}
			if math.Float64bits(res.Loss) != math.Float64bits(want.Loss) {
				t.Errorf("adv=%v k=%d: stopped loss %v, want %v", adv, k, res.Loss, want.Loss)
			}
		}
	}
}

// TestStopNeverChangesNothing: a Stop that never fires (or a deadline
// far away) leaves the run bit for bit as without one: same result, same
// losses, same parameters — on a run ending by the stop rule and on one
// ending at MaxSteps, clean and adversarial.
func TestStopNeverChangesNothing(t *testing.T) {
	far := time.Now().Add(time.Hour)
	for _, c := range []struct {
		name string
		cfg  Config
		adv  bool
	}{
		{"stop rule", Script(), false},
		{"max steps", Config{Eta: 0.1, MaxSteps: 40}, false},
		{"adversarial", Config{Eta: 0.1, MaxSteps: 30, Target: 0.01}, true},
	} {
		for _, stop := range []func() bool{
			func() bool { return false },
			func() bool { return !time.Now().Before(far) },
		} {
			type out struct {
				res    Result
				losses []float64
				m      *vit.Model
			}
			runOnce := func(stop func() bool) out {
				m, tr, _, cfg := smallCell(t, 20, 20, 1)
				var atk Attacker
				if c.adv {
					p, err := attack.NewPGD(attack.TrainConfig(0.1*cfg.Mu()), m.Arch, tr.M, tr.N)
					if err != nil {
						t.Fatal(err)
					}
					atk = p
				}
				tn, err := New(m, tr, c.cfg, atk)
				if err != nil {
					t.Fatal(err)
				}
				tn.Stop = stop
				var o out
				o.res = tn.Run(func(_ int, loss float64) { o.losses = append(o.losses, loss) })
				o.m = m
				return o
			}
			a, b := runOnce(nil), runOnce(stop)
			if c.name == "stop rule" && !a.res.Converged || c.name == "max steps" && a.res.Steps != 40 {
				t.Fatalf("%s: control run = %+v, does not end the way the case names", c.name, a.res)
			}
			if b.res.Stopped || a.res.Steps != b.res.Steps || a.res.Converged != b.res.Converged ||
				math.Float64bits(a.res.Loss) != math.Float64bits(b.res.Loss) {
				t.Errorf("%s: with a Stop that never fires Run = %+v, without %+v", c.name, b.res, a.res)
			}
			if len(a.losses) != len(b.losses) {
				t.Fatalf("%s: %d losses with the Stop, %d without", c.name, len(b.losses), len(a.losses))
			}
			for i := range a.losses {
				if math.Float64bits(a.losses[i]) != math.Float64bits(b.losses[i]) {
					t.Fatalf("%s: loss %d = %v with the Stop, %v without", c.name, i, b.losses[i], a.losses[i])
				}
			}
			if !sameParams(a.m, b.m) {
				t.Errorf("%s: a Stop that never fires changed the final parameters", c.name)
			}
		}
	}
}

// TestRunWithStopAllocs: a clean run checking a Stop before every update
// (a deadline read per step, as theorems.Lab does) allocates nothing per
// step in steady state: 50 updates, 0 allocations.
func TestRunWithStopAllocs(t *testing.T) {
	m, tr, _, _ := smallCell(t, 4, 1, 1)
	tn, _ := New(m, tr, Config{Eta: 0.01, MaxSteps: 1 << 30}, nil)
	far := time.Now().Add(time.Hour)
	stop, reset := afterCalls(50)
	tn.Stop = func() bool { return stop() || !time.Now().Before(far) }
	tn.Run(nil)
	before := tn.Steps()
	if a := testing.AllocsPerRun(5, func() { reset(); tn.Run(nil) }); a != 0 {
		t.Errorf("Run with a Stop allocates %v times per 50 updates, want 0", a)
	}
	if got := tn.Steps() - before; got != 6*50 {
		t.Errorf("the timed runs made %d updates, want %d (AllocsPerRun runs the function 6 times)", got, 6*50)
	}
}
