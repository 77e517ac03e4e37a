package experiment

import (
	"errors"
	"math"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestLimits: sizes past the limits are refused before any allocation,
// naming the flag, the value and (for memory) the estimate.
func TestLimits(t *testing.T) {
	base := PhasePreset(Smoke, 0)
	for _, c := range []struct {
		field string
		edit  func(*PhaseConfig)
		want  string
	}{
		{"d", func(p *PhaseConfig) { p.D = 2000000000 }, "2000000000"},
		{"d", func(p *PhaseConfig) { p.D = math.MaxInt }, "9223372036854775807"},
		{"m", func(p *PhaseConfig) { p.M = 1e9 }, "1000000000"},
		{"n", func(p *PhaseConfig) { p.N = []int{200000000} }, "200000000"},
		{"reps", func(p *PhaseConfig) { p.Reps = 1e9 }, "1000000000"},
		{"n", func(p *PhaseConfig) { p.D, p.N = 60000, []int{100000} }, "GB"},
		{"eta", func(p *PhaseConfig) { p.Eta = 1e300 }, "1e+300"},
		{"sigma2", func(p *PhaseConfig) { p.Sigma2 = 1e300 }, "1e+300"},
		{"init-shrink", func(p *PhaseConfig) { p.Shrink = 1e-300 }, "1e-300"},
		{"mu", func(p *PhaseConfig) { p.Mu = []float64{1e200} }, "1e+200"},
		{"c", func(p *PhaseConfig) { p.C = []float64{1e300} }, "1e+300"},
		{"tau", func(p *PhaseConfig) { p.TauOverMu = 1e300 }, "1e+300"},
		{"eta", func(p *PhaseConfig) { p.Eta = math.Inf(1) }, "Inf"},
	} {
		p := base
		p.N, p.C = slicesClone(base.N), append([]float64(nil), base.C...)
		c.edit(&p)
		err := p.Validate()
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want *valid.Error on %s mentioning %s", c.field, err, c.field, c.want)
		}
	}
	if err := base.Validate(); err != nil {
		t.Errorf("negative control: the smoke preset is refused: %v", err)
	}
	for _, p := range Presets() {
		if err := PhasePreset(p, 0.1).Validate(); err != nil {
			t.Errorf("preset %s refused: %v", p, err)
		}
		if err := TauPreset(p).Validate(); err != nil {
			t.Errorf("preset %s tau refused: %v", p, err)
		}
		if err := DynamicsPreset(p).Validate(); err != nil {
			t.Errorf("preset %s dynamics refused: %v", p, err)
		}
		if err := MNISTPreset(p).Validate(); err != nil {
			t.Errorf("preset %s mnist refused: %v", p, err)
		}
	}
}

func slicesClone(v []int) []int { return append([]int(nil), v...) }
