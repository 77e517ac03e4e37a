package data_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"vitadv/model/data"
	"vitadv/model/valid"
)

// TestDrawFromOutside checks Draw's documented contract through the
// exported API only: the same seed gives the same bits and another seed
// other inputs; labels alternate +1, −1, … with Clean = Y at FlipP = 0;
// token 0 of sample n is exactly μ_{y_n}; with Project the noise tokens
// have no component along μ₊ = ‖μ‖e₁ or μ₋ = ‖μ‖e₂; and the strong-noise
// token's sample standard deviation is σ₂ within 5% (over 400·64
// coordinates the relative standard error is ~0.4%). Negative control:
// without Project the noise does have components along e₁ and e₂, so the
// orthogonality check can fail.
func TestDrawFromOutside(t *testing.T) {
	c := data.Config{D: 64, M: 4, N: 400, NTest: 10, MuNorm: 3, Sigma2: 2, SigmaW: 0.1, Project: true}
	train, test, err := data.Draw(c, 11)
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := data.Draw(c, 11)
	other, _, _ := data.Draw(c, 12)
	if !slices.Equal(train.X, again.X) || !slices.Equal(train.Y, again.Y) {
		t.Error("Draw(c, 11) twice gave different sets")
	}
	if slices.Equal(train.X, other.X) {
		t.Error("Draw with seeds 11 and 12 gave the same inputs")
	}
	if slices.Equal(train.X[:len(test.X)], test.X) {
		t.Error("the test set repeats the training set's first inputs")
	}
	sig := data.SignalsOf(c)
	alongSignals := func(s *data.Set) float64 {
		worst := 0.0
		for n := range s.N {
			x := s.Sample(n)
			for l := 1; l < s.M; l++ {
				worst = math.Max(worst, math.Max(math.Abs(x[l*s.D]), math.Abs(x[l*s.D+1])))
			}
		}
		return worst
	}
	var sum2 float64
	for n := range train.N {
		if want := float64(1 - 2*(n%2)); train.Y[n] != want || train.Clean[n] != want {
			t.Fatalf("label %d = %v (clean %v), want %v", n, train.Y[n], train.Clean[n], want)
		}
		x := train.Sample(n)
		if !slices.Equal(x[:c.D], sig.For(train.Y[n])) {
			t.Fatalf("sample %d: token 0 is not μ_y", n)
		}
		for _, v := range x[c.D : 2*c.D] {
			sum2 += v * v
		}
	}
	if w := alongSignals(train); w != 0 {
		t.Errorf("with Project, a noise token has a component %g along μ₊ or μ₋", w)
	}
	sd := math.Sqrt(sum2 / float64(train.N*c.D))
	if !(math.Abs(sd/c.Sigma2-1) <= 0.05) {
		t.Errorf("strong-noise sample std %g, want σ₂ = %g within 5%%", sd, c.Sigma2)
	}
	c.Project = false
	raw, _, err := data.Draw(c, 11)
	if err != nil {
		t.Fatal(err)
	}
	if alongSignals(raw) == 0 {
		t.Error("negative control: without Project the noise has no component along the signals; the check cannot fail")
	}
}

// TestDrawRejectsBadConfig: every bad field is a *valid.Error naming it,
// and Draw returns no sets.
func TestDrawRejectsBadConfig(t *testing.T) {
	good := data.Config{D: 8, M: 3, N: 4, NTest: 2, MuNorm: 1, Sigma2: 1, SigmaW: 0.1}
	if _, _, err := data.Draw(good, 1); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*data.Config)
	}{
		{"D", func(c *data.Config) { c.D = 1 }},
		{"M", func(c *data.Config) { c.M = 1 }},
		{"N", func(c *data.Config) { c.N = 3 }},
		{"NTest", func(c *data.Config) { c.NTest = 0 }},
		{"Sigma2", func(c *data.Config) { c.Sigma2 = math.NaN() }},
		{"FlipP", func(c *data.Config) { c.FlipP = 0.5 }},
	} {
		cfg := good
		c.edit(&cfg)
		tr, te, err := data.Draw(cfg, 1)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || tr != nil || te != nil {
			t.Errorf("bad %s: sets %v %v, err %v; want a *valid.Error on %s", c.field, tr != nil, te != nil, err, c.field)
		}
	}
}
