package theorems

import (
	"math"
	"strings"
	"testing"

	"vitadv/model/cell"
)

// TestScaleStepFrac: a scale with StepFrac in (0, 1] trains every cell
// inside THEORY §4.1's step-size hypothesis (ScopeP5's condition reads
// inside, at StepFrac·the limit), with its step cap, mechanism horizon and
// probe interval at the flow times of the scale's steps at η = 0.1 (the
// first T with η·T ≥ 0.1·steps). Negative control: the same cells at
// StepFrac = 0 train at η = 0.1 and violate the condition.
func TestScaleStepFrac(t *testing.T) {
	k, s := Defaults(), DefaultScope()
	for _, base := range []Scale{Tiny(), CI()} {
		for _, pt := range []struct {
			n      int
			c, tau float64
		}{{4, 16, 0.05}, {32, 2, 0.1}, {8, 1024, 0}} {
			plain := base.Cell(pt.n, pt.c, pt.tau, 1)
			if plain.Train.Eta != ScriptsEta || plain.Train.MaxSteps != base.MaxSteps || plain.Probe != base.ProbeEvery {
				t.Errorf("%s %v, StepFrac 0: η %v, cap %d, probe %d; want the scale's 0.1, %d, %d", base.Name, pt, plain.Train.Eta, plain.Train.MaxSteps, plain.Probe, base.MaxSteps, base.ProbeEvery)
			}
			if sc := stepScope(t, plain, k, s); !violates(t, sc, "η ≤ CetaTheory") {
				t.Errorf("%s %v at η = 0.1: step-size condition not violated (control): %s", base.Name, pt, sc.Short())
			}
			for _, frac := range []float64{0.5, 0.9, 1} {
				sc := base
				sc.StepFrac = frac
				inst := sc.Cell(pt.n, pt.c, pt.tau, 1)
				f, err := FactsOf(inst)
				if err != nil {
					t.Fatal(err)
				}
				limit := f.StepLimitTheory(ScopeConsts{CetaTheory: 1})
				if eta := inst.Train.Eta; !(math.Abs(eta-frac*limit) <= 1e-15*limit) {
					t.Errorf("%s %v frac %v: η = %v, want %v·%v", base.Name, pt, frac, eta, frac, limit)
				}
				if scope := stepScope(t, inst, k, s); violates(t, scope, "η ≤ CetaTheory") {
					t.Errorf("%s %v frac %v: step-size condition violated: %s", base.Name, pt, frac, scope.Short())
				}
				for _, c := range []struct {
					what  string
					steps int
					at01  int
				}{{"cap", inst.Train.MaxSteps, base.MaxSteps}, {"probe", inst.Probe, base.ProbeEvery}, {"mech", sc.Mech(inst).Train.MaxSteps, base.MechSteps}} {
					want := ScriptsEta * float64(c.at01)
					if eta := inst.Train.Eta; !(float64(c.steps)*eta >= want && float64(c.steps-1)*eta < want) {
						t.Errorf("%s %v frac %v %s: %d steps at η = %v reach flow time %v, want the first ≥ %v", base.Name, pt, frac, c.what, c.steps, eta, float64(c.steps)*eta, want)
					}
				}
				if m := sc.Mech(inst); m.Train.Target != 0 || m.Train.Eta != inst.Train.Eta {
					t.Errorf("%s %v frac %v: Mech gives target %v, η %v", base.Name, pt, frac, m.Train.Target, m.Train.Eta)
				}
			}
		}
	}
	if got := Tiny().Steps(500, ScriptsEta); got != 500 {
		t.Errorf("Steps(500, 0.1) = %d, want 500", got)
	}
	if got := Tiny().Steps(10, 1e-12); got != 0 {
		t.Errorf("Steps(10, 1e-12) = %d, want 0 (beyond cell.MaxFlowSteps = %d)", got, cell.MaxFlowSteps)
	}
}

// stepScope returns ScopeP5 of inst's facts.
func stepScope(t *testing.T, inst Instance, k Consts, s ScopeConsts) Scope {
	t.Helper()
	f, err := FactsOf(inst)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ScopeP5(f, k, s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// violates reports whether sc's condition named with prefix is violated
// (and fails the test when sc did not evaluate it).
func violates(t *testing.T, sc Scope, prefix string) bool {
	t.Helper()
	if _, ok := sc.Find(prefix); !ok {
		t.Fatalf("scope %s has no condition %q", sc.Statement, prefix)
	}
	for _, c := range sc.Violated {
		if strings.HasPrefix(c.Name, prefix) {
			return true
		}
	}
	return false
}
