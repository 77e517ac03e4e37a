package data

import (
	"errors"
	"math"
	"testing"

	"vitadv/model/valid"
)

func small() Config {
	return Config{D: 16, M: 4, N: 6, NTest: 4, MuNorm: 3, Sigma2: 2, SigmaW: 0.1}
}

func TestValidateNamesField(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		mod   func(*Config)
		field string
	}{
		{func(c *Config) { c.D = 1 }, "D"},
		{func(c *Config) { c.M = 1 }, "M"},
		{func(c *Config) { c.N = 3 }, "N"},
		{func(c *Config) { c.N = 0 }, "N"},
		{func(c *Config) { c.NTest = 5 }, "NTest"},
		{func(c *Config) { c.Sigma2 = -1 }, "Sigma2"},
		{func(c *Config) { c.SigmaW = nan }, "SigmaW"},
		{func(c *Config) { c.MuNorm = nan }, "MuNorm"},
		{func(c *Config) { c.MuNorm = 0 }, "MuNorm"},
		{func(c *Config) { c.SNR2 = 1 }, "MuNorm"}, // two strengths given
		{func(c *Config) { c.FlipP = 0.5 }, "FlipP"},
		{func(c *Config) { c.FlipP = -0.1 }, "FlipP"},
		{func(c *Config) { c.MuNorm, c.SNR2, c.Sigma2 = 0, 1, 0 }, "Sigma2"},
	} {
		cfg := small()
		c.mod(&cfg)
		_, _, err := Draw(cfg, 1)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("Draw(%+v) error = %v, want *valid.Error on %s", cfg, err, c.field)
		}
	}
}

// TestSNRConventions: SNR2 = ‖μ‖/(σ₂√d), SNRW = ‖μ‖/(σ_w√d), and giving
// the strength by either SNR resolves to the same ‖μ‖.
func TestSNRConventions(t *testing.T) {
	c := small() // d = 16: √d = 4
	if got, want := c.SNRStrong(), 3/(2*4.0); got != want {
		t.Errorf("SNRStrong = %g, want %g", got, want)
	}
	if got, want := c.SNRWeak(), 3/(0.1*4); math.Abs(got-want) > 1e-15 {
		t.Errorf("SNRWeak = %g, want %g", got, want)
	}
	c2 := c
	c2.MuNorm, c2.SNR2 = 0, c.SNRStrong()
	c3 := c
	c3.MuNorm, c3.SNRW = 0, c.SNRWeak()
	if math.Abs(c2.Mu()-3) > 1e-14 || math.Abs(c3.Mu()-3) > 1e-14 {
		t.Errorf("Mu from SNR2 = %g, from SNRW = %g, want 3", c2.Mu(), c3.Mu())
	}
	// THEORY §1.2: at the script's sizes N·SNR_w² = 1000 ⇔ N·SNR_2² = 2.5.
	s := Script(10, math.Sqrt(40960.0/10))
	if got := 10 * s.SNRWeak() * s.SNRWeak(); math.Abs(got-1000) > 1e-9 {
		t.Errorf("N·SNR_w² = %g, want 1000", got)
	}
	if got := 10 * s.SNRStrong() * s.SNRStrong(); math.Abs(got-2.5) > 1e-12 {
		t.Errorf("N·SNR_2² = %g, want 2.5", got)
	}
}

func TestSampleStructure(t *testing.T) {
	c := small()
	c.Project = true
	tr, te, err := Draw(c, 9)
	if err != nil {
		t.Fatal(err)
	}
	sig := SignalsOf(c)
	pos := 0
	for i := 0; i < tr.N; i++ {
		x := tr.Sample(i)
		mu := sig.For(tr.Y[i])
		for k := 0; k < c.D; k++ {
			if x[k] != mu[k] {
				t.Fatalf("sample %d token 1 coord %d = %g, want %g", i, k, x[k], mu[k])
			}
		}
		for l := 1; l < c.M; l++ {
			if x[l*c.D] != 0 || x[l*c.D+1] != 0 {
				t.Fatalf("sample %d token %d not projected off span(μ₊, μ₋)", i, l)
			}
		}
		if tr.Y[i] > 0 {
			pos++
		}
	}
	if pos != tr.N/2 || te.N != c.NTest {
		t.Errorf("%d positives of %d, test size %d", pos, tr.N, te.N)
	}
}

// TestNoiseScale: the strong and weak tokens have the configured
// deviations (within 5 standard errors of the sample std).
func TestNoiseScale(t *testing.T) {
	c := Config{D: 512, M: 3, N: 40, NTest: 2, MuNorm: 1, Sigma2: 4, SigmaW: 0.2}
	tr, _, _ := Draw(c, 3)
	for l, want := range []float64{0, 4, 0.2} {
		if l == 0 {
			continue
		}
		ss, cnt := 0.0, 0
		for i := 0; i < tr.N; i++ {
			for _, v := range tr.Sample(i)[l*c.D : (l+1)*c.D] {
				ss += v * v
				cnt++
			}
		}
		got := math.Sqrt(ss / float64(cnt))
		if se := want / math.Sqrt(2*float64(cnt)); math.Abs(got-want) > 5*se {
			t.Errorf("token %d std = %g, want %g ± %g", l+1, got, want, 5*se)
		}
	}
}

// TestStreamsIndependent: the test set does not depend on N, the training
// inputs do not depend on FlipP, and the same seed gives the same bits.
func TestStreamsIndependent(t *testing.T) {
	c := small()
	tr1, te1, _ := Draw(c, 5)
	c2 := c
	c2.N, c2.FlipP = 10, 0.3
	tr2, te2, _ := Draw(c2, 5)
	for i := range te1.X {
		if te1.X[i] != te2.X[i] {
			t.Fatal("test set changed with N")
		}
	}
	for i := range tr1.X {
		if tr1.X[i] != tr2.X[i] {
			t.Fatal("first training inputs changed with N or FlipP")
		}
	}
	tr3, _, _ := Draw(c, 5)
	for i := range tr1.X {
		if math.Float64bits(tr1.X[i]) != math.Float64bits(tr3.X[i]) {
			t.Fatal("same seed, different bits")
		}
	}
}

func TestLabelFlipRate(t *testing.T) {
	c := small()
	c.N, c.FlipP, c.D = 4000, 0.2, 2
	tr, _, _ := Draw(c, 11)
	flips := 0
	for i := range tr.Y {
		if tr.Y[i] != tr.Clean[i] {
			flips++
		}
	}
	// Binomial(4000, 0.2): std ≈ 25; allow 5 std.
	if math.Abs(float64(flips)-800) > 5*math.Sqrt(4000*0.2*0.8) {
		t.Errorf("%d flips of 4000, want ≈ 800", flips)
	}
}

// TestSetSignals: both drawn sets record ‖μ‖ = Config.Mu() (also when given
// by an SNR), Set.Signals equals SignalsOf, and a set without a usable ‖μ‖
// gives a *valid.Error on Mu.
func TestSetSignals(t *testing.T) {
	c := small()
	c.MuNorm, c.SNR2 = 0, 0.7
	train, test, err := Draw(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := SignalsOf(c)
	for _, s := range []*Set{train, test} {
		if s.Mu != c.Mu() {
			t.Fatalf("Set.Mu = %v, want %v", s.Mu, c.Mu())
		}
		sig, err := s.Signals()
		if err != nil {
			t.Fatal(err)
		}
		for k := range want.Plus {
			if sig.Plus[k] != want.Plus[k] || sig.Minus[k] != want.Minus[k] {
				t.Fatalf("Signals()[%d] = (%v, %v), want (%v, %v)", k, sig.Plus[k], sig.Minus[k], want.Plus[k], want.Minus[k])
			}
		}
	}
	for _, mu := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		s := &Set{N: 1, M: 2, D: 2, Mu: mu}
		var ve *valid.Error
		if _, err := s.Signals(); !errors.As(err, &ve) || ve.Field != "Mu" {
			t.Errorf("Mu = %v: error %v, want *valid.Error on Mu", mu, err)
		}
	}
}

// TestFlipPLeavesTestLabels pins Config.FlipP's scope ("Test labels
// are never flipped"): with FlipP = 0.4 the test set's observed labels equal
// its clean labels and alternate +1, −1, …, while the training set does
// have flips (the control that FlipP is in force).
// It kills mutant data-flip-test-labels of mutate/catalogue.txt.
func TestFlipPLeavesTestLabels(t *testing.T) {
	c := small()
	c.N, c.NTest, c.FlipP = 200, 200, 0.4
	tr, te, err := Draw(c, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range te.Y {
		want := 1.0
		if i%2 == 1 {
			want = -1
		}
		if te.Y[i] != want || te.Clean[i] != want {
			t.Fatalf("test label %d = %g (clean %g), want %g", i, te.Y[i], te.Clean[i], want)
		}
	}
	flips := 0
	for i := range tr.Y {
		if tr.Y[i] != tr.Clean[i] {
			flips++
		}
	}
	// Binomial(200, 0.4) has mean 80 and std ≈ 7: zero flips is impossible
	// in practice (and the draw is fixed by the seed).
	if flips == 0 {
		t.Error("no training label flipped at FlipP = 0.4")
	}
}
