package attack_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"vitadv/model/attack"
	"vitadv/model/cell"
	"vitadv/model/certify"
	"vitadv/model/data"
	"vitadv/model/rng"
	"vitadv/model/train"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

// reducedInstance is the one hard-corpus instance the signal-free tests
// run under -short and under the pure-Go kernels without -hard-all (where
// the four tiny instances cost 72 s of the package's time, measured on an
// idle 2-core machine): the near one-hot tiny-at3-onehot, where 71 of the
// 94 breaks only the signal-free strong attack finds are.
const reducedInstance = "tiny-at3-onehot"

// reducedNoSignals reports whether the signal-free tests run on
// reducedInstance only.
func reducedNoSignals() bool { return testing.Short() || (pureGoKernels() && !*hardAll) }

// noSig is the signal-free protocol's argument: data without signal
// tokens hand the zero data.Signals (Protocol.NoSignals).
var noSig data.Signals

// mnistProtocol is the protocol of `vitadv mnist -preset ci -eval-cascade`
// (experiment.MNISTConfig.protocol): the ci PGD-10 × 1 and APGD-50,
// signal-free.
var mnistProtocol = attack.Protocol{PGDSteps: 10, PGDRestarts: 1, APGDSteps: 50, NoSignals: true}

// mnistLike is an MNIST-like instance at the hard corpus's tiny size
// (d = 64, M = 4, d_h = d_v = 32): token 1 is an 8×8 "digit" — a ring
// (label −1, a zero) or a bar (label +1, a one) plus pixel noise of
// deviation 1/2, centred on the mean of the two prototypes and rescaled to
// norm ‖μ‖ = 8, as experiment.MNISTConfig.token does with the images —
// token 2 is N(0, 1) noise and tokens 3, 4 are N(0, 1/20²) (the MNIST
// experiment's law at SNR₂ = ‖μ‖/(σ₂√d) = 1). There are no signal vectors
// (the Set's Mu is 0): only the signal-free protocol evaluates it. The
// model is trained as the corpus's (trainHard: Gaussian init c = 16,
// PGD-5 adversarial training on the Frobenius ball at τ = 0.3‖μ‖, 150 GD
// steps of η = 0.1) on 20 samples; qk multiplies W_Q (16: the near one-hot
// variant, as hardRecipes' QK).
func mnistLike(t *testing.T, qk float64) (*vit.Model, *data.Set) {
	t.Helper()
	const (
		side, M, dh = 8, 4, 32
		mu          = 8.0
		seed        = 21
	)
	D := side * side
	ring, bar := make([]float64, D), make([]float64, D)
	for i := 0; i < side; i++ {
		for j := 0; j < side; j++ {
			r := math.Hypot(float64(i)-3.5, float64(j)-3.5)
			if r >= 2 && r <= 3.6 {
				ring[i*side+j] = 1
			}
			if j == 3 || j == 4 {
				bar[i*side+j] = 1
			}
		}
	}
	draw := func(n int, stream rng.Stream) *data.Set {
		r := rng.New(seed, stream)
		s := &data.Set{N: n, M: M, D: D, X: make([]float64, n*M*D), Y: make([]float64, n), Clean: make([]float64, n)}
		for i := 0; i < n; i++ {
			x := s.Sample(i)
			proto, y := ring, -1.0
			if i%2 == 0 {
				proto, y = bar, 1
			}
			ss := 0.0
			for k := 0; k < D; k++ {
				x[k] = proto[k] - (ring[k]+bar[k])/2 + 0.5*r.NormFloat64()
				ss += float64(x[k] * x[k])
			}
			for k := 0; k < D; k++ {
				x[k] *= mu / math.Sqrt(ss)
			}
			for l := 1; l < M; l++ {
				sd := 1.0 / 20
				if l == 1 {
					sd = 1
				}
				for k := l * D; k < (l+1)*D; k++ {
					x[k] = sd * r.NormFloat64()
				}
			}
			s.Y[i], s.Clean[i] = y, y
		}
		return s
	}
	tr, te := draw(20, rng.TrainData), draw(hardPoints*2, rng.TestData)
	arch := vit.Arch{D: D, Dh: dh, Dv: dh}
	m, err := vit.NewInit(arch, vit.Init{Law: vit.Gaussian, Shrink: 16}, seed)
	if err != nil {
		t.Fatal(err)
	}
	cfg := attack.TrainConfig(0.3 * mu)
	cfg.Steps = 5
	pgd, err := attack.NewPGD(cfg, arch, M, tr.N)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := train.New(m, tr, train.Config{Eta: 0.1, MaxSteps: 150}, pgd)
	if err != nil {
		t.Fatal(err)
	}
	tn.Run(nil)
	for row := 0; row < m.D; row++ {
		for c := 0; c < m.Dh; c++ {
			m.WQK[row*2*m.Dh+c] *= qk
		}
	}
	return m, te
}

// cascadeViolations lists what makes a cascade result unsound: a lower
// end outside [cheap lower end, certified upper end], a point's margin
// above its cheap margin, a certified point broken. ub and certified come
// from the certificate; the negative control feeds it a false one.
func cascadeViolations(cheap, casc attack.Robust, ub float64, certified []bool) []string {
	var out []string
	if !(casc.Error >= cheap.Error) || !(casc.Error <= ub) {
		out = append(out, fmt.Sprintf("lower end %g outside [cheap %g, certified upper end %g]", casc.Error, cheap.Error, ub))
	}
	for i := range casc.Margins {
		if !(casc.Margins[i] <= cheap.Margins[i]) {
			out = append(out, fmt.Sprintf("point %d: margin %g above the cheap %g", i, casc.Margins[i], cheap.Margins[i]))
		}
		if certified[i] && casc.Margins[i] <= 0 {
			out = append(out, fmt.Sprintf("point %d: certified but broken (margin %g)", i, casc.Margins[i]))
		}
	}
	return out
}

// TestCascadeNoSignals: the signal-free cascade (Protocol.NoSignals: no
// midpoint attack, DefaultStrong without its midpoint start) is sound as
// TestCascadeFindsHardBreaks checks the cascade, on instances without
// signal vectors: the MNIST-like instance (mnistLike, the trained model and
// its near one-hot variant) and the tiny instances of the hard corpus with
// their signals withheld (token 1 then plays the image), all four sets at
// τ/‖μ‖ ∈ {0.1, 0.2, 0.3}. Its lower end lies between the cheap stage's
// (the same protocol with the row attack) and the certificate's upper
// end, no margin rises above the cheap one, no certified point is broken,
// no strong witness is rejected, the PGD-only protocol of the committed
// MNIST files breaks nothing the cascade misses; and every point the
// strong stage moved is re-checked as a reader would (the strong attack
// rerun on the undecided points, each witness inside the ball by
// Set.Norm(xadv − x) ≤ τ and each counted break ≤ 0 by Forward on a batch
// of one). The strong stage must add some break over all combinations
// (on the MNIST-like instance the cheap stage already finds every break
// it finds; the corpus instances are where it works). Under -short and the
// pure-Go kernels only reducedInstance of the corpus runs.
//
// Negative controls: the violation check fed a false certificate (upper
// end below the cascade's lower end; a strong break marked certified)
// must report it, and a witness pushed to 1.01τ must fail the norm
// re-check.
func TestCascadeNoSignals(t *testing.T) {
	type inst struct {
		name string
		m    *vit.Model
		pts  *data.Set
	}
	var insts []inst
	for _, qk := range []float64{1, 16} {
		m, pts := mnistLike(t, qk)
		insts = append(insts, inst{fmt.Sprintf("mnist-like qk=%g", qk), m, pts})
	}
	for _, r := range hardRecipes {
		if r.D > 64 || (reducedNoSignals() && r.Name != reducedInstance) {
			continue // tiny instances only: the test must stay fast
		}
		in, err := loadHard(r)
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, inst{r.Name, in.m, in.pts})
	}
	const mnistLikeMu = 8.0
	var strongBroken, controls, brokeControls, points int
	for _, it := range insts {
		m, pts := it.m, it.pts
		n, M, S := pts.N, pts.M, pts.M*pts.D
		mu := pts.Mu
		if mu == 0 {
			mu = mnistLikeMu
		}
		cert, err := certify.New(m, M)
		if err != nil {
			t.Fatal(err)
		}
		cheapP := mnistProtocol
		cheapP.Row = true
		for si, set := range attack.Sets() {
			for ti, tom := range []float64{0.1, 0.2, 0.3} {
				name := fmt.Sprintf("%s set=%s tau/mu=%g", it.name, set, tom)
				tau, seed := tom*mu, rng.Derive(21, uint64(100*si+ti))
				cr, err := cert.Evaluate(pts, set, tau)
				if err != nil {
					t.Fatal(err)
				}
				mask := make([]bool, n)
				for i, b := range cr.Bounds {
					mask[i] = b > 0
				}
				casc, st, err := mnistProtocol.Cascade(m, pts, noSig, set, tau, seed, mask)
				if err != nil {
					t.Fatal(err)
				}
				cheap, err := cheapP.RobustEval(m, pts, noSig, set, tau, seed)
				if err != nil {
					t.Fatal(err)
				}
				pgdOnly, err := pgdOnlyEval(m, pts, set, tau, seed)
				if err != nil {
					t.Fatal(err)
				}
				points += n
				strongBroken += st.StrongBroken
				for _, v := range cascadeViolations(cheap, casc, cr.ErrUB, mask) {
					t.Errorf("%s: %s", name, v)
				}
				if st.Rejected != 0 {
					t.Errorf("%s: %d strong witnesses rejected by the cascade's re-check", name, st.Rejected)
				}
				for i := range pgdOnly.Margins {
					if pgdOnly.Margins[i] <= 0 && !(casc.Margins[i] <= 0) {
						t.Errorf("%s point=%d: the PGD alone broke it (margin %g), the cascade did not (%g)", name, i, pgdOnly.Margins[i], casc.Margins[i])
					}
				}
				// Re-check the strong stage's witnesses: rerun it on the
				// undecided points as Cascade does (same seed, same batch).
				var und []int
				for i, mg := range cheap.Margins {
					if mg > 0 && !mask[i] {
						und = append(und, i)
					}
				}
				if len(und) == 0 {
					continue
				}
				x, y := make([]float64, len(und)*S), make([]float64, len(und))
				for j, i := range und {
					copy(x[j*S:(j+1)*S], pts.Sample(i))
					y[j] = pts.Y[i]
				}
				sc := attack.DefaultStrong(set, tau, seed)
				sc.NoSignals = true
				sa, err := attack.NewStrong(sc, noSig, m.Arch, M, len(und))
				if err != nil {
					t.Fatal(err)
				}
				xadv := make([]float64, len(x))
				sa.Perturb(m, x, y, len(und), xadv)
				strongIdx := len(casc.Wins) - 1
				for j, i := range und {
					wm, wn := witness(m, x[j*S:(j+1)*S], xadv[j*S:(j+1)*S], y[j], set, M)
					if !(wn <= tau) {
						t.Errorf("%s point=%d: strong witness at distance %g > τ = %g", name, i, wn, tau)
					}
					if casc.Worst[i] == strongIdx && casc.Margins[i] <= 0 && !(wm <= 0) {
						t.Errorf("%s point=%d: the cascade counts a strong break (margin %g), its witness re-checks to %g", name, i, casc.Margins[i], wm)
					}
					if casc.Worst[i] != strongIdx || (controls > 0 && (brokeControls > 0 || casc.Margins[i] > 0)) {
						continue
					}
					// Negative controls, on the first point the strong stage
					// moved and on the first it broke.
					controls++
					bad := append([]float64(nil), xadv[j*S:(j+1)*S]...)
					for k := range bad {
						bad[k] = x[j*S+k] + (bad[k]-x[j*S+k])*1.01*tau/wn
					}
					if _, bn := witness(m, x[j*S:(j+1)*S], bad, y[j], set, M); bn <= tau {
						t.Errorf("control: a witness at 1.01τ passed the norm re-check (%g ≤ %g)", bn, tau)
					}
					if len(cascadeViolations(cheap, casc, casc.Error-1/float64(n), mask)) == 0 {
						t.Errorf("control: an upper end below the lower end passed the check")
					}
					if casc.Margins[i] <= 0 {
						brokeControls++
						fake := append([]bool(nil), mask...)
						fake[i] = true
						if len(cascadeViolations(cheap, casc, cr.ErrUB, fake)) == 0 {
							t.Errorf("control: a broken point marked certified passed the check")
						}
					}
				}
			}
		}
	}
	t.Logf("strong stage broke %d of %d points", strongBroken, points)
	if strongBroken == 0 {
		t.Error("the strong stage broke no point on the MNIST-like instances: the test does not exercise it")
	}
	if controls == 0 || brokeControls == 0 {
		t.Errorf("negative controls ran on %d moved and %d broken points, want ≥ 1 each", controls, brokeControls)
	}
}

// pgdOnlyEval is the PGD-only protocol of the committed MNIST files:
// cell.Protocol with PGDOnly at the ci preset's PGD-10 × 1 run, the
// evaluation `vitadv mnist` runs without -eval-cascade.
func pgdOnlyEval(m *vit.Model, s *data.Set, set attack.Set, tau float64, seed uint64) (attack.Robust, error) {
	p := cell.Protocol{PGDSteps: mnistProtocol.PGDSteps, PGDRestarts: mnistProtocol.PGDRestarts, PGDOnly: true}
	return p.Robust(m, s, data.Signals{}, set, tau, seed)
}

// TestNoSignalsRule: the one rule of Protocol.NoSignals and
// StrongConfig.NoSignals — signal-free exactly when the signals are the
// zero data.Signals — is enforced both ways with a *valid.Error naming
// Signals; with it the ensemble is PGD, APGD, erase (no midpoint).
func TestNoSignalsRule(t *testing.T) {
	in, err := loadHard(hardRecipes[0])
	if err != nil {
		t.Fatal(err)
	}
	tau := 0.1 * in.pts.Mu
	for _, c := range []struct {
		name string
		p    attack.Protocol
		sig  data.Signals
	}{
		{"NoSignals with signals", mnistProtocol, in.sig},
		{"signals missing", ciProtocol, noSig},
	} {
		_, err := c.p.RobustEval(in.m, in.pts, c.sig, attack.Frobenius, tau, 1)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "Signals" {
			t.Errorf("%s: RobustEval err = %v, want a *valid.Error on Signals", c.name, err)
		}
		sc := attack.DefaultStrong(attack.Frobenius, tau, 1)
		sc.NoSignals = c.p.NoSignals
		if _, err := attack.NewStrong(sc, c.sig, in.m.Arch, in.pts.M, 1); !errors.As(err, &ve) || ve.Field != "Signals" {
			t.Errorf("%s: NewStrong err = %v, want a *valid.Error on Signals", c.name, err)
		}
	}
	atk, err := mnistProtocol.Attackers(in.m.Arch, in.pts.M, in.pts.N, noSig, attack.Frobenius, tau, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(atk) != 3 {
		t.Errorf("signal-free ensemble has %d attackers, want 3 (PGD, APGD, erase)", len(atk))
	}
	if _, ok := atk[2].(*attack.Erase); !ok {
		t.Errorf("third signal-free attacker is %T, want *attack.Erase", atk[2])
	}
}

// TestStrongNoSignalsFindsHardBreaks: on the tiny instances of the hard
// corpus (loadHard; their signals withheld), the signal-free strong
// attack (DefaultStrong with NoSignals, the corpus seed) finds breaks the
// PGD-only protocol of the committed MNIST files misses (pgdOnlyEval),
// asserted on the totals over every (instance, set, τ) where the
// reference broke a point, and it misses no break the PGD alone finds;
// each strong break is re-checked as a reader would (witness). How many
// of the reference's breaks it finds is logged: without the midpoint
// start it may miss some the reference found with it. Under -short and the
// pure-Go kernels only reducedInstance runs.
func TestStrongNoSignalsFindsHardBreaks(t *testing.T) {
	var strongBreaks, pgdBreaks, strongOnly, refBreaks, refFound int
	for _, r := range hardRecipes {
		if r.D > 64 || (reducedNoSignals() && r.Name != reducedInstance) {
			continue // the tiny instances only: the test must stay fast
		}
		t.Run(r.Name, func(t *testing.T) {
			in, err := loadHard(r)
			if err != nil {
				t.Fatal(err)
			}
			n, M, S := in.pts.N, in.pts.M, in.pts.M*in.pts.D
			only0 := strongOnly
			defer func() { t.Logf("%d breaks only by the signal-free strong attack", strongOnly-only0) }()
			for _, c := range hardCombos(t, in) {
				if c.refBreaks == 0 {
					continue
				}
				seed := hardSeed(in.hardRecipe, c.si, c.ti)
				sc := attack.DefaultStrong(c.set, c.tau, seed)
				sc.NoSignals = true
				st, err := attack.NewStrong(sc, noSig, in.m.Arch, M, n)
				if err != nil {
					t.Fatal(err)
				}
				xadv := make([]float64, n*S)
				st.Perturb(in.m, in.pts.X, in.pts.Y, n, xadv)
				pgd, err := pgdOnlyEval(in.m, in.pts, c.set, c.tau, seed)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < n; i++ {
					mg, nrm := witness(in.m, in.pts.Sample(i), xadv[i*S:(i+1)*S], in.pts.Y[i], c.set, M)
					broken := mg <= 0 && nrm <= c.tau
					if mg <= 0 && !(nrm <= c.tau) {
						t.Errorf("set=%s tau/mu=%g point=%d: witness at distance %g > τ = %g", c.set, c.tom, i, nrm, c.tau)
					}
					if broken {
						strongBreaks++
					}
					if pgd.Margins[i] <= 0 {
						pgdBreaks++
						if !broken {
							t.Errorf("set=%s tau/mu=%g point=%d: the PGD alone broke it (%g), the signal-free strong attack did not (%g)", c.set, c.tom, i, pgd.Margins[i], mg)
						}
					} else if broken {
						strongOnly++
					}
					if c.ref[i] <= 0 {
						refBreaks++
						if broken {
							refFound++
						}
					}
				}
			}
		})
	}
	t.Logf("signal-free strong attack: %d breaks (%d the PGD alone missed); PGD alone: %d; reference breaks found %d of %d",
		strongBreaks, strongOnly, pgdBreaks, refFound, refBreaks)
	if refBreaks == 0 {
		t.Fatal("no reference break was checked: the corpus is empty or unread")
	}
	if strongOnly == 0 || !(strongBreaks > pgdBreaks) {
		t.Errorf("the signal-free strong attack found %d breaks, %d beyond the PGD alone's %d: want more", strongBreaks, strongOnly, pgdBreaks)
	}
}
