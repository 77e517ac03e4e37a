package experiment

import (
	"testing"
)

// TestCellSeeds: a cell's seed depends on its index only, so that shards
// and resumed runs draw the same data.
func TestCellSeeds(t *testing.T) {
	a := PhasePreset(Smoke, 0).Job("a").Cells
	cfg := PhasePreset(Smoke, 0)
	cfg.N = append(cfg.N, 6)
	b := cfg.Job("b").Cells
	for i := range a {
		if a[i].Seed != b[i].Seed {
			t.Errorf("cell %d: seed %d in one grid, %d in a larger one", i, a[i].Seed, b[i].Seed)
		}
	}
	seen := map[uint64]bool{}
	for _, c := range b {
		if seen[c.Seed] {
			t.Errorf("seed %d used twice", c.Seed)
		}
		seen[c.Seed] = true
	}
}

// TestPresetsValid: every preset builds a valid configuration, and the
// paper phase diagram has Jiang et al.'s 10 × 100 grid with 10 replicates.
func TestPresetsValid(t *testing.T) {
	for _, p := range Presets() {
		for _, c := range []struct {
			name string
			err  error
		}{
			{"phase clean", PhasePreset(p, 0).Validate()},
			{"phase AT", PhasePreset(p, 0.1).Validate()},
			{"tau", TauPreset(p).Validate()},
			{"dynamics", DynamicsPreset(p).Validate()},
			{"mnist", MNISTPreset(p).Validate()},
		} {
			if c.err != nil {
				t.Errorf("preset=%s %s: %v", p, c.name, c.err)
			}
		}
	}
	if n := len(PhasePreset(Paper, 0).Job("x").Cells); n != 10*100*10 {
		t.Errorf("paper phase diagram has %d cells, want 10 000", n)
	}
	if err := Preset("huge").Validate(); err == nil {
		t.Errorf(`Preset("huge").Validate() = nil, want an error`)
	}
}
