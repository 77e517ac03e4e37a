package experiment

import (
	"errors"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestPresetNames: the presets are smoke, ci and paper, each valid, with
// the sizes their doc comment gives; the former name "tiny" (now the d = 64
// scale of package theorems) is refused with a *valid.Error saying it was
// renamed to smoke; an unknown name gets the plain rule.
func TestPresetNames(t *testing.T) {
	want := map[Preset]int{Smoke: 16, CI: 128, Paper: 1024}
	if got := Presets(); len(got) != len(want) {
		t.Fatalf("Presets() = %v, want smoke, ci, paper", got)
	}
	for _, p := range Presets() {
		if err := p.Validate(); err != nil {
			t.Errorf("preset %s refused: %v", p, err)
		}
		if d, ok := want[p]; !ok || PhasePreset(p, 0).D != d {
			t.Errorf("preset %s: d = %d, want %d", p, PhasePreset(p, 0).D, d)
		}
	}
	if Smoke != "smoke" {
		t.Errorf("Smoke = %q", Smoke)
	}
	for _, c := range []struct {
		p       Preset
		renamed bool
	}{{"tiny", true}, {"Tiny", false}, {"", false}, {"mid", false}} {
		err := c.p.Validate()
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "preset" || ve.Value != string(c.p) {
			t.Errorf("%q: err = %v, want *valid.Error on preset", c.p, err)
			continue
		}
		if got := strings.Contains(ve.Rule, `renamed to "smoke"`) && strings.Contains(ve.Rule, "d = 64"); got != c.renamed {
			t.Errorf("%q: rule %q: says renamed = %v, want %v", c.p, ve.Rule, got, c.renamed)
		}
	}
}
