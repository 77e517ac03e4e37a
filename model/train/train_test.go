package train

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"

	"vitadv/internal/check"
	"vitadv/model/attack"
	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// smallCell is the CI-scale instance of THEORY §6.5 at d = 64 (σ₂√d = 32)
// with ‖μ‖ chosen so that N·SNR_2² = c.
func smallCell(t testing.TB, n int, c float64, seed uint64) (*vit.Model, *data.Set, *data.Set, data.Config) {
	t.Helper()
	cfg := data.Config{D: 64, M: 4, N: n, NTest: 200, Sigma2: 4, SigmaW: 0.2, Project: true,
		SNR2: math.Sqrt(c / float64(n))}
	tr, te, err := data.Draw(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := vit.NewInit(vit.Arch{D: 64, Dh: 32, Dv: 32}, vit.DefaultInit(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return m, tr, te, cfg
}

// TestCleanBenignFitsAndGeneralizes: deep in the benign regime
// (N·SNR_2² = 20) clean GD reaches the scripts' stop rule and the test
// error is small.
func TestCleanBenignFitsAndGeneralizes(t *testing.T) {
	m, tr, te, _ := smallCell(t, 20, 20, 1)
	tn, err := New(m, tr, Script(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := tn.Run(nil)
	if !res.Converged {
		t.Fatalf("Run = %+v, want training loss < 0.01 within 1000 steps", res)
	}
	ev := Evaluate(m, vit.NewWorkspace(m.Arch, te.M, te.N), te, nil, nil)
	if !(ev.Err <= 0.05) {
		t.Errorf("benign cell test error = %.3f, want <= 0.05", ev.Err)
	}
}

// TestCleanHarmfulFitsButFails: deep in the harmful regime
// (N·SNR_2² = 0.05) clean GD still fits the training set (overfitting) but
// the test error stays ≥ 0.3 (the core issue's threshold).
func TestCleanHarmfulFitsButFails(t *testing.T) {
	m, tr, te, _ := smallCell(t, 4, 0.05, 2)
	tn, _ := New(m, tr, Script(), nil)
	res := tn.Run(nil)
	if !res.Converged {
		t.Fatalf("Run = %+v, want training loss < 0.01 within 1000 steps", res)
	}
	ws := vit.NewWorkspace(m.Arch, tr.M, tr.N)
	if e := Evaluate(m, ws, tr, nil, nil); e.Err != 0 {
		t.Errorf("training error = %g, want 0 (the set is fitted)", e.Err)
	}
	ev := Evaluate(m, vit.NewWorkspace(m.Arch, te.M, te.N), te, nil, nil)
	if !(ev.Err >= 0.3) {
		t.Errorf("harmful cell test error = %.3f, want >= 0.3", ev.Err)
	}
}

// trajectory trains for a few steps and returns every probe record.
func trajectory(t *testing.T) []Record {
	m, tr, te, cfg := smallCell(t, 8, 2, 7)
	tn, _ := New(m, tr, Config{Eta: 0.1, MaxSteps: 20}, nil)
	p := NewProber(m.Arch, tr, te, data.SignalsOf(cfg), nil)
	var recs []Record
	tn.Run(func(step int, loss float64) { recs = append(recs, p.Record(m, step)) })
	return recs
}

// TestDeterministicAcrossGOMAXPROCS: same seed → bit-identical trajectory at
// GOMAXPROCS = 1 and 2.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	a := trajectory(t)
	runtime.GOMAXPROCS(2)
	b := trajectory(t)
	if len(a) != len(b) {
		t.Fatalf("trajectory lengths %d and %d", len(a), len(b))
	}
	for i := range a {
		if !sameBits(a[i], b[i]) {
			t.Fatalf("step %d differs:\n%+v\n%+v", i, a[i], b[i])
		}
	}
}

func sameBits(a, b Record) bool {
	fa, fb := a.floats(), b.floats()
	for i := range fa {
		if math.Float64bits(fa[i]) != math.Float64bits(fb[i]) {
			return false
		}
	}
	return a.Step == b.Step
}

func TestConfigErrors(t *testing.T) {
	m, tr, _, _ := smallCell(t, 4, 1, 1)
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{Config{Eta: -1, MaxSteps: 1}, "Eta"},
		{Config{Eta: math.NaN(), MaxSteps: 1}, "Eta"},
		{Config{Eta: 0.1, MaxSteps: 0}, "MaxSteps"},
		{Config{Eta: 0.1, MaxSteps: 1, Target: -1}, "Target"},
	} {
		_, err := New(m, tr, c.cfg, nil)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("New(%+v) error = %v, want *valid.Error on %s", c.cfg, err, c.field)
		}
	}
}

// TestStepAllocs: a clean GD step allocates nothing in steady state at
// small shapes (where the GEMM runs serially).
func TestStepAllocs(t *testing.T) {
	m, tr, _, _ := smallCell(t, 4, 1, 1)
	tn, _ := New(m, tr, Config{Eta: 0.01, MaxSteps: 1000}, nil)
	tn.Step()
	if a := testing.AllocsPerRun(10, func() { tn.Step() }); a != 0 {
		t.Errorf("Step allocates %v times per call, want 0", a)
	}
}

// TestAdversarialBenignFits: adversarial training (PGD-10 on the Frobenius
// ball, THEORY §3.2 defaults) with a small budget τ = 0.05‖μ‖ in a benign
// cell reaches robust training loss < 0.01 (the core issue's requirement),
// and the fitted model is robust on the training set under PGD-20.
func TestAdversarialBenignFits(t *testing.T) {
	m, tr, _, cfg := smallCell(t, 20, 20, 3)
	tau := 0.05 * cfg.Mu()
	pgd, err := attack.NewPGD(attack.TrainConfig(tau), m.Arch, tr.M, tr.N)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := New(m, tr, Config{Eta: 0.1, MaxSteps: 2000, Target: 0.01}, pgd)
	if err != nil {
		t.Fatal(err)
	}
	res := tn.Run(nil)
	if !res.Converged || !(res.Loss < 0.01) {
		t.Fatalf("Run = %+v, want robust training loss < 0.01", res)
	}
	eval, _ := attack.NewPGD(attack.EvalConfig(attack.Frobenius, tau, 1), m.Arch, tr.M, tr.N)
	rob, err := attack.Evaluate(m, tr, tr.N, eval)
	if err != nil {
		t.Fatal(err)
	}
	if rob.Error != 0 {
		t.Errorf("robust training error under PGD-20 = %g, want 0", rob.Error)
	}
	t.Logf("converged after %d steps, robust loss %.4g, PGD-20 robust train loss %.4g", res.Steps, res.Loss, rob.Loss)
}

// TestDeterministicLargeAT: at a size where the GEMMs are split across
// threads (N·M = 320 rows, d = 512, d_h = 256), three adversarial-training
// steps give bit-identical parameters at GOMAXPROCS = 1 and 2.
func TestDeterministicLargeAT(t *testing.T) {
	if testing.Short() {
		t.Skip("large instance")
	}
	run := func(procs int) *vit.Model {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		cfg := data.Config{D: 512, M: 16, N: 20, NTest: 2, Sigma2: 4, SigmaW: 0.2, SNR2: 0.5}
		tr, _, err := data.Draw(cfg, 5)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := vit.NewInit(vit.Arch{D: 512, Dh: 256, Dv: 256}, vit.DefaultInit(), 5)
		pc := attack.TrainConfig(0.1 * cfg.Mu())
		pc.Steps = 2
		pgd, err := attack.NewPGD(pc, m.Arch, tr.M, tr.N)
		if err != nil {
			t.Fatal(err)
		}
		tn, _ := New(m, tr, Config{Eta: 0.1, MaxSteps: 3}, pgd)
		tn.Run(nil)
		return m
	}
	a, b := run(1), run(2)
	for name, pair := range map[string][2][]float64{"WQK": {a.WQK, b.WQK}, "Wv": {a.Wv, b.Wv}} {
		for i := range pair[0] {
			if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
				t.Fatalf("%s[%d] = %v at GOMAXPROCS=1, %v at 2", name, i, pair[0][i], pair[1][i])
			}
		}
	}
}

// TestStopRule pins the stop rule of Run: exactly MaxSteps updates when the
// target is off, and, with a target, a stop before the first update whose
// (pre-update) loss is strictly below it — the step count, the returned
// loss and the observer calls all agree with an unstopped reference run.
func TestStopRule(t *testing.T) {
	const T = 12
	m, tr, _, _ := smallCell(t, 8, 4, 3)
	ref := m.Clone()
	tn, err := New(ref, tr, Config{Eta: 0.1, MaxSteps: T}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	var losses []float64
	res := tn.Run(func(step int, loss float64) { steps = append(steps, step); losses = append(losses, loss) })
	if res.Steps != T || tn.Steps() != T || res.Converged {
		t.Fatalf("Run(MaxSteps=%d, Target=0) = %+v (Steps() = %d), want exactly %d updates, not converged", T, res, tn.Steps(), T)
	}
	if len(steps) != T+1 {
		t.Fatalf("observer called %d times, want %d (before each update and once at the end)", len(steps), T+1)
	}
	for i, s := range steps {
		if s != i {
			t.Fatalf("observer call %d saw step %d, want %d", i, s, i)
		}
	}
	if math.Float64bits(res.Loss) != math.Float64bits(losses[T]) {
		t.Errorf("Result.Loss = %v, want the loss at the final θ %v", res.Loss, losses[T])
	}
	for i := 1; i <= T; i++ {
		if !(losses[i] < losses[i-1]) {
			t.Fatalf("reference losses not strictly decreasing at step %d: %v", i, losses)
		}
	}
	// A target between the losses at steps k−1 and k stops before update
	// k+1: k updates, converged, the loss at step k.
	for _, k := range []int{1, 5, T} {
		target := (losses[k-1] + losses[k]) / 2
		for _, target := range []float64{target, math.Nextafter(losses[k], math.Inf(1))} {
			mk := m.Clone()
			tk, _ := New(mk, tr, Config{Eta: 0.1, MaxSteps: T, Target: target}, nil)
			calls := 0
			r := tk.Run(func(int, float64) { calls++ })
			if r.Steps != k || !r.Converged || calls != k+1 || math.Float64bits(r.Loss) != math.Float64bits(losses[k]) {
				t.Errorf("Run(Target=%v) = %+v after %d observer calls, want %d updates, converged, loss %v, %d calls", target, r, calls, k, losses[k], k+1)
			}
		}
	}
	// Loss < Target is strict: a target equal to the loss at step k does
	// not stop there.
	k := 5
	mk := m.Clone()
	tk, _ := New(mk, tr, Config{Eta: 0.1, MaxSteps: T, Target: losses[k]}, nil)
	if r := tk.Run(nil); r.Steps != k+1 {
		t.Errorf("Run(Target = loss at step %d) stopped after %d updates, want %d (the rule is loss < Target)", k, r.Steps, k+1)
	}
	// MaxSteps binds before the target: a target reached only after T
	// updates is not reached.
	mk = m.Clone()
	tk, _ = New(mk, tr, Config{Eta: 0.1, MaxSteps: 3, Target: (losses[4] + losses[5]) / 2}, nil)
	if r := tk.Run(nil); r.Steps != 3 || r.Converged {
		t.Errorf("Run(MaxSteps=3, target reached at step 5) = %+v, want 3 updates, not converged", r)
	}
}

// shiftAttack is a deterministic stand-in attacker: xadv = x + 1/4 in every
// entry, whatever the model.
type shiftAttack struct{ calls int }

func (a *shiftAttack) Perturb(m *vit.Model, x, y []float64, n int, xadv []float64) {
	a.calls++
	for i := range x[:len(xadv)] {
		xadv[i] = x[i] + 0.25
	}
}

// TestAdversarialStepUsesAttackedInputs pins the robust objective
// (Danskin, docs/THEORY.md §3.2): with an attacker, Gradient returns the
// loss at the attacked inputs and the update is −η times the gradient
// there, not at the clean inputs. The reference is computed independently
// with vit.Model.LossGrad on x + 1/4.
// It kills mutant train-attack-discarded of mutate/catalogue.txt.
func TestAdversarialStepUsesAttackedInputs(t *testing.T) {
	m, tr, _, _ := smallCell(t, 6, 4, 3)
	ref := m.Clone()
	atk := &shiftAttack{}
	tn, err := New(m, tr, Config{Eta: 0.5, MaxSteps: 1}, atk)
	if err != nil {
		t.Fatal(err)
	}
	xadv := slices.Clone(tr.X)
	for i := range xadv {
		xadv[i] += 0.25
	}
	ws := vit.NewWorkspace(ref.Arch, tr.M, tr.N)
	g := vit.NewGrads(ref.Arch)
	want := ref.LossGrad(ws, xadv, tr.Y, tr.N, g)
	clean := ref.Loss(ws, tr.X, tr.Y, tr.N)
	if !(math.Abs(want-clean) > 1e-6) {
		t.Fatalf("control: the shift does not change the loss (%g vs %g)", want, clean)
	}
	got := tn.Step()
	check.Near(t, "robust loss", got, want, 1e-14, 0)
	if atk.calls != 1 {
		t.Errorf("attacker called %d times for one step, want 1", atk.calls)
	}
	ref.Step(g, 0.5)
	check.AllNear(t, "W_QK after one robust step", m.WQK, ref.WQK, 1e-14, 1e-15)
	check.AllNear(t, "W_V after one robust step", m.Wv, ref.Wv, 1e-14, 1e-15)
}
