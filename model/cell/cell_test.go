package cell_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// small is a cell of a few milliseconds: d = 16, M = 3, 8 training and 20
// test points, adversarial training at τ = 0.3‖μ‖ with PGD-5.
func small() cell.Spec {
	dc := data.Config{D: 16, M: 3, N: 8, NTest: 20, MuNorm: 4, Sigma2: 1, SigmaW: 0.1, Project: true}
	return cell.Spec{
		Data: dc, Arch: vit.Arch{D: 16, Dh: 4, Dv: 4}, Init: vit.DefaultInit(),
		Train: train.Config{Eta: 0.5, MaxSteps: 40, Target: 0.01},
		Tau:   0.3 * dc.Mu(), Set: attack.Frobenius, PGDSteps: 5, Seed: 7, Probe: 10,
		Eval: cell.Protocol{PGDSteps: 5, PGDRestarts: 2, APGDSteps: 5},
	}
}

func mustTrain(t *testing.T, s cell.Spec) *cell.Run {
	t.Helper()
	r, err := cell.Train(context.Background(), s)
	if err != nil {
		t.Fatalf("Train(%s) = %v", s.Key(), err)
	}
	return r
}

// sameBits reports whether a and b hold the same float64 bits.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestTrainIsTheReferencePipeline rebuilds the pipeline by hand from the
// model packages (data.Draw → vit.NewInit → PGD-K → train.Trainer) and
// requires Train to give the same bits: Train adds no arithmetic of its
// own, so the committed results of every caller stay what they were.
func TestTrainIsTheReferencePipeline(t *testing.T) {
	for _, tau := range []float64{0, 1.2} {
		s := small()
		s.Tau = tau
		got := mustTrain(t, s)

		tr, _, err := data.Draw(s.Data, s.Seed)
		if err != nil {
			t.Fatal(err)
		}
		m, err := vit.NewInit(s.Arch, s.Init, s.Seed)
		if err != nil {
			t.Fatal(err)
		}
		var atk train.Attacker
		if tau > 0 {
			cfg := attack.TrainConfig(tau)
			cfg.Steps, cfg.Set = s.PGDSteps, s.Set
			if atk, err = attack.NewPGD(cfg, s.Arch, s.Data.M, s.Data.N); err != nil {
				t.Fatal(err)
			}
		}
		want, err := train.New(m, tr, s.Train, atk)
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		res := want.Run(func(_ int, l float64) { losses = append(losses, l) })
		if got.Result != res {
			t.Errorf("tau=%g: Result = %+v, want %+v", tau, got.Result, res)
		}
		if !sameBits(got.Losses, losses) {
			t.Errorf("tau=%g: losses differ from the reference pipeline:\n got %v\nwant %v", tau, got.Losses, losses)
		}
		if !sameBits(got.Model.WQK, m.WQK) || !sameBits(got.Model.Wv, m.Wv) {
			t.Errorf("tau=%g: final weights differ from the reference pipeline", tau)
		}
	}
}

// TestTrainControlSeed is the negative control of the reference test: a
// different seed must give different losses, so equal bits are not an
// accident of a constant pipeline.
func TestTrainControlSeed(t *testing.T) {
	a := mustTrain(t, small())
	s := small()
	s.Seed++
	if b := mustTrain(t, s); sameBits(a.Losses, b.Losses) {
		t.Errorf("seeds %d and %d gave the same losses %v", small().Seed, s.Seed, a.Losses)
	}
}

// TestTrainProbes checks the probe schedule: every Probe steps and once at
// the end, at the steps recorded, each equal to a fresh probe of the final
// model at the end; and none when Probe = 0.
func TestTrainProbes(t *testing.T) {
	s := small().Fixed(25)
	r := mustTrain(t, s)
	var steps []int
	for _, rec := range r.Records {
		steps = append(steps, rec.Step)
	}
	if want := []int{0, 10, 20, 25}; !slices.Equal(steps, want) {
		t.Errorf("probe steps = %v, want %v", steps, want)
	}
	if len(r.Losses) != 26 {
		t.Errorf("len(Losses) = %d, want 26 (steps 0..25)", len(r.Losses))
	}
	if !sameBits(r.Record().Floats(), r.Records[len(r.Records)-1].Floats()) {
		t.Errorf("Record() = %v, want the last probe %v", r.Record().Floats(), r.Records[len(r.Records)-1].Floats())
	}
	s.Probe = 0
	if r0 := mustTrain(t, s); len(r0.Records) != 0 || !sameBits(r0.Losses, r.Losses) {
		t.Errorf("Probe = 0: %d records (want 0), losses equal %v (want true)", len(r0.Records), sameBits(r0.Losses, r.Losses))
	}
}

// TestStepsTo checks the first step below eps on a hand-made loss list,
// with the two conventions (0 for eps = 0, −1 for never).
func TestStepsTo(t *testing.T) {
	r := &cell.Run{Losses: []float64{1, 0.5, 0.2, 0.05, 0.01}}
	for _, c := range []struct {
		eps  float64
		want int
	}{{0, 0}, {2, 0}, {0.5, 2}, {0.1, 3}, {0.01, -1}, {math.NaN(), -1}} {
		if got := r.StepsTo(c.eps); got != c.want {
			t.Errorf("StepsTo(%g) = %d, want %d", c.eps, got, c.want)
		}
	}
}

// TestTrainDiverged: a step size that overflows the weights gives a
// *DivergedError, unless the spec allows non-finite losses (the sweeps,
// which write NaN into their files); the control is the same spec at a
// sane step size, which trains.
func TestTrainDiverged(t *testing.T) {
	s := small()
	s.Train = train.Config{Eta: 1e300, MaxSteps: 5}
	_, err := cell.Train(context.Background(), s)
	var de *cell.DivergedError
	if !errors.As(err, &de) || !(math.IsNaN(de.Loss) || math.IsInf(de.Loss, 0)) {
		t.Fatalf("Train(η = 1e300) error = %v, want a *DivergedError with a non-finite loss", err)
	}
	s.AllowNonFinite = true
	if r, err := cell.Train(context.Background(), s); err != nil || r.Result.Steps != 5 {
		t.Errorf("AllowNonFinite: Train = %v, %v; want the 5-step run", r, err)
	}
	s.AllowNonFinite, s.Train.Eta = false, 0.5
	if _, err := cell.Train(context.Background(), s); err != nil {
		t.Errorf("control (η = 0.5): Train error %v, want nil", err)
	}
}

// TestTrainStops: a done context ends the training between two updates
// with a *StoppedError wrapping the context's error; progress reports every
// step until then.
func TestTrainStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []int
	ctx = cell.WithProgress(ctx, func(step int) {
		seen = append(seen, step)
		if step == 3 {
			cancel()
		}
	})
	s := small().Fixed(40)
	r, err := cell.Train(ctx, s)
	var se *cell.StoppedError
	if !errors.As(err, &se) || !errors.Is(err, context.Canceled) || se.Steps != 3 {
		t.Fatalf("Train under a cancelled context: error %v, want a *StoppedError at 3 steps wrapping context.Canceled", err)
	}
	if r == nil || !r.Result.Stopped || !slices.Equal(seen, []int{0, 1, 2, 3}) {
		t.Errorf("partial run %v, progress %v; want Stopped and steps 0..3", r, seen)
	}
}

type fixedSource struct{ train, test *data.Set }

func (f fixedSource) Draw(uint64) (*data.Set, *data.Set, error) { return f.train, f.test, nil }

// TestTrainSource trains on the sets a Source gives (here the synthetic
// draw, so the run must equal the Data run), refuses probes with a
// Source, and refuses Evaluate on the Source run (it has no signal
// vectors to probe: a *valid.Error naming Run.Sig, not a panic) while
// Bracket evaluates it; the control is Evaluate on the Data run.
func TestTrainSource(t *testing.T) {
	s := small()
	s.Probe = 0
	want := mustTrain(t, s)
	tr, te, err := data.Draw(s.Data, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	s.Source = fixedSource{tr, te}
	got := mustTrain(t, s)
	if !sameBits(got.Losses, want.Losses) {
		t.Errorf("Source run losses %v, want the Data run's %v", got.Losses, want.Losses)
	}
	var ve *valid.Error
	if _, err := got.Evaluate(); !errors.As(err, &ve) || ve.Field != "Run.Sig" {
		t.Errorf("Evaluate on a Source run: err = %v, want a *valid.Error on Run.Sig", err)
	}
	free := s.Eval
	free.NoSignals = true
	if _, _, err := got.Bracket(true, free, s.Set, s.Tau); err != nil {
		t.Errorf("Bracket on a Source run: %v", err)
	}
	if _, err := want.Evaluate(); err != nil {
		t.Errorf("control: Evaluate on the Data run: %v", err)
	}
	s.Probe = 1
	if _, err := cell.Train(context.Background(), s); !errors.Is(err, cell.ErrProbeWithSource) {
		t.Errorf("Source with Probe = 1: error %v, want ErrProbeWithSource", err)
	}
}

// TestEvaluateBracket: the bracket of Evaluate is ordered (a certified
// point is never broken: lb ≤ ub), equals the separate Robust and Certify
// calls, and at τ = 0 both ends equal the clean error.
func TestEvaluateBracket(t *testing.T) {
	r := mustTrain(t, small())
	ev, err := r.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if !(ev.Robust.Error <= ev.Cert.ErrUB) {
		t.Errorf("bracket [%g, %g] is not ordered", ev.Robust.Error, ev.Cert.ErrUB)
	}
	rob, err := r.Robust(true, r.Spec.Eval, r.Spec.Set, r.Spec.Tau)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(rob.Margins, ev.Robust.Margins) {
		t.Errorf("Evaluate's margins differ from Robust's")
	}
	c0, err := r.Certify(true, r.Spec.Set, 0)
	if err != nil {
		t.Fatal(err)
	}
	r0, err := r.Robust(true, r.Spec.Eval, r.Spec.Set, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(c0.ErrUB == r0.CleanError && r0.Error == r0.CleanError) {
		t.Errorf("τ = 0: ub %g, lb %g, clean %g; want all equal", c0.ErrUB, r0.Error, r0.CleanError)
	}
}

// TestProtocolDefaultAndPGDOnly: the zero Protocol is DefaultProtocol
// (same margins), DefaultProtocol is attack.DefaultProtocol, and PGDOnly
// runs one attacker where the full protocol runs four (PGD, APGD,
// midpoint, erase).
func TestProtocolDefaultAndPGDOnly(t *testing.T) {
	r := mustTrain(t, small())
	tau := r.Spec.Tau
	def, err := r.Robust(true, cell.DefaultProtocol(), cell.Frobenius, tau)
	if err != nil {
		t.Fatal(err)
	}
	zero, err := r.Robust(true, cell.Protocol{}, cell.Frobenius, tau)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(def.Margins, zero.Margins) {
		t.Errorf("zero Protocol margins differ from DefaultProtocol's")
	}
	if a, c := attack.DefaultProtocol(), cell.DefaultProtocol(); a.PGDSteps != c.PGDSteps || a.PGDRestarts != c.PGDRestarts || a.APGDSteps != c.APGDSteps || c.PGDOnly {
		t.Errorf("DefaultProtocol = %+v, want attack.DefaultProtocol %+v", c, a)
	}
	only, err := r.Robust(true, cell.Protocol{PGDSteps: 20, PGDRestarts: 5, PGDOnly: true}, cell.Frobenius, tau)
	if err != nil {
		t.Fatal(err)
	}
	if len(only.Wins) != 1 || len(def.Wins) != 4 {
		t.Errorf("attackers: PGDOnly %d, default %d; want 1 and 4", len(only.Wins), len(def.Wins))
	}
	if !(only.Error <= def.Error) {
		t.Errorf("PGD alone found more errors (%g) than the protocol that includes it (%g)", only.Error, def.Error)
	}
}

// TestRadiiBracket: every point's radius bracket is ordered (certified ≤
// attack radius), and a point the attacks broke at τ has an attack radius
// ≤ τ.
func TestRadiiBracket(t *testing.T) {
	r := mustTrain(t, small())
	ev, err := r.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	radii, err := r.Radii(ev, r.Spec.Set, r.Spec.Tau, r.Spec.Data.Mu())
	if err != nil {
		t.Fatal(err)
	}
	if len(radii) != r.Test.N {
		t.Fatalf("%d radii, want %d", len(radii), r.Test.N)
	}
	for i, rd := range radii {
		if !(rd.Cert <= rd.Attack) {
			t.Errorf("point %d: bracket [%g, %g] not ordered", i, rd.Cert, rd.Attack)
		}
		if ev.Robust.Margins[i] <= 0 && !(rd.Attack <= r.Spec.Tau) {
			t.Errorf("point %d broken at τ = %g but attack radius %g", i, r.Spec.Tau, rd.Attack)
		}
	}
}

// TestSpecJSONCompatible: a spec with none of the fields added with the
// cell package (pgd_steps, eval, allow_non_finite) marshals to exactly the
// keys of theorems.Instance's older JSON, so committed counterexample
// files read back to equal specs; the control sets them and sees the keys.
func TestSpecJSONCompatible(t *testing.T) {
	s := small()
	s.PGDSteps, s.Eval = 0, cell.Protocol{}
	key := s.Key()
	for _, k := range []string{`"pgd_steps"`, `"eval"`, `"allow_non_finite"`, `"Source"`} {
		if strings.Contains(key, k) {
			t.Errorf("Key() = %s contains %s", key, k)
		}
	}
	var back cell.Spec
	if err := json.Unmarshal([]byte(key), &back); err != nil || back.Key() != key {
		t.Errorf("round trip: %v, %s, want %s", err, back.Key(), key)
	}
	s.PGDSteps, s.AllowNonFinite, s.Eval = 3, true, cell.DefaultProtocol()
	for _, k := range []string{`"pgd_steps":3`, `"eval"`, `"allow_non_finite":true`} {
		if !strings.Contains(s.Key(), k) {
			t.Errorf("control: Key() = %s lacks %s", s.Key(), k)
		}
	}
}

// TestJitterMovesOneULP: Jittered(1) starts from weights at most one ulp
// from the nominal ones, at least one of them moved.
func TestJitterMovesOneULP(t *testing.T) {
	s := small().Fixed(1)
	a, b := mustTrain(t, s), mustTrain(t, s.Jittered(1))
	moved := 0
	for i, v := range a.Init.WQK {
		w := b.Init.WQK[i]
		if w != v {
			moved++
		}
		if w != math.Nextafter(v, math.Inf(1)) && w != math.Nextafter(v, math.Inf(-1)) {
			t.Fatalf("WQK[%d]: %v → %v, not one ulp", i, v, w)
		}
	}
	if moved == 0 {
		t.Errorf("Jittered(1) moved no weight")
	}
}

// TestProtocolJoint: Protocol.Joint selects the certificate of the upper
// end and of the radius files. Without it the bounds are the interval
// bound's bit for bit (certify with SetJoint(false)); with it they are
// the joint bounds' bit for bit (SetJoint(true)), never below the
// interval bound point by point, and so are the certified radii. Control:
// the joint bounds are strictly larger on some point, so a Joint that
// did not reach the certifier would fail.
func TestProtocolJoint(t *testing.T) {
	r := mustTrain(t, small())
	tau := r.Spec.Tau
	want := func(joint bool) []float64 {
		c, err := certify.New(r.Model, r.Test.M)
		if err != nil {
			t.Fatal(err)
		}
		c.SetJoint(joint)
		res, err := c.Evaluate(r.Test, r.Spec.Set, tau)
		if err != nil {
			t.Fatal(err)
		}
		return res.Bounds
	}
	var got [2][]float64
	var radii [2][]cell.Radius
	for k, joint := range []bool{false, true} {
		p := r.Spec.Eval
		p.Joint = joint
		_, cert, err := r.Bracket(true, p, r.Spec.Set, tau)
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(cert.Bounds, want(joint)) {
			t.Errorf("joint %v: the bracket's certificate is not certify's with SetJoint(%v)", joint, joint)
		}
		got[k] = cert.Bounds
		rr := *r
		rr.Spec.Eval = p
		ev, err := rr.Evaluate()
		if err != nil {
			t.Fatal(err)
		}
		if radii[k], err = rr.Radii(ev, r.Spec.Set, tau, r.Spec.Data.Mu()); err != nil {
			t.Fatal(err)
		}
	}
	larger := 0
	for i := range got[0] {
		if !(got[1][i] >= got[0][i]) {
			t.Errorf("point %d: joint bound %g below the interval bound %g", i, got[1][i], got[0][i])
		}
		if got[1][i] > got[0][i] {
			larger++
		}
		if !(radii[1][i].Cert >= radii[0][i].Cert) {
			t.Errorf("point %d: joint certified radius %g below the interval one %g", i, radii[1][i].Cert, radii[0][i].Cert)
		}
	}
	if larger == 0 {
		t.Errorf("the joint bounds are nowhere larger than the interval bound: Joint did not reach the certifier")
	}
}
