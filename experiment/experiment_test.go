package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"vitadv/internal/check"
	"vitadv/theorems"
)

// TestLogTornTail: OpenLog drops a torn last line and an incomplete last
// cell, keeps every complete cell, and appends after them.
func TestLogTornTail(t *testing.T) {
	header := []string{"cell", "x"}
	path := filepath.Join(t.TempDir(), "log.csv")
	l, _, err := OpenLog(path, header, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		c := strconv.Itoa(i)
		if err := l.Append(i, []Row{{c, "1"}, {c, "2"}}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	full, _ := os.ReadFile(path)
	// Cell 2 is the last 8 bytes ("2,1\n2,2\n"). Cutting anywhere inside it
	// must leave cells 0 and 1 and nothing else.
	for cut := len(full) - 8; cut < len(full); cut++ {
		os.WriteFile(path, full[:cut], 0o644)
		l, dropped, err := OpenLog(path, header, 2)
		if err != nil {
			t.Fatalf("cut=%d: %v", cut, err)
		}
		if l.Len() != 2 || l.Done(2) || !l.Done(1) {
			t.Errorf("cut=%d: cells = %d (done(2) = %v), want cells 0, 1", cut, l.Len(), l.Done(2))
		}
		if want := int64(cut - (len(full) - 8)); dropped != want {
			t.Errorf("cut=%d: dropped %d bytes, want %d", cut, dropped, want)
		}
		if err := l.Append(2, []Row{{"2", "1"}, {"2", "2"}}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if got, _ := os.ReadFile(path); !bytes.Equal(got, full) {
			t.Errorf("cut=%d: after re-appending cell 2 the file is\n%s\nwant\n%s", cut, got, full)
		}
	}
}

// TestLogCorrupt: damage before the last line is not silently dropped.
func TestLogCorrupt(t *testing.T) {
	header := []string{"cell", "x"}
	for _, c := range []struct{ name, body string }{
		{"other header", "cell,y\n0,1\n"},
		{"bad middle row", "cell,x\n0,1\nzzz\n1,1\n"},
		{"duplicate cell", "cell,x\n0,1\n0,1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.csv")
			os.WriteFile(path, []byte(c.body), 0o644)
			_, _, err := OpenLog(path, header, 1)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenLog(%q) err = %v, want *CorruptError", c.body, err)
			}
		})
	}
}

// synthetic returns grid points whose replicates are benign exactly when
// c ≥ cstar(N), on a log grid of c.
func synthetic(cstar func(n int) float64) []GridPoint {
	var pts []GridPoint
	for _, n := range []int{2, 4, 8, 16, 32} {
		for k := -8; k <= 8; k++ {
			c := math.Pow(2, float64(k)/2)
			p := GridPoint{N: n, C: c, SNR2: math.Sqrt(c / float64(n))}
			for r := 0; r < 3; r++ {
				p.Vals = append(p.Vals, 0)
				p.Benign = append(p.Benign, c >= cstar(n))
			}
			pts = append(pts, p)
		}
	}
	return pts
}

// TestFitBoundary: a boundary at constant N·SNR² has slope −1/2 and C_b at
// the constant; a boundary at constant SNR (c* ∝ N) has slope 0 — the
// negative control that the fit can leave the P2 band.
func TestFitBoundary(t *testing.T) {
	// The logistic midpoint of perfectly separated outcomes lies between
	// the grid points 2^(1/4) apart in c around the boundary (the ridge
	// keeps it finite), so C_b is located within a factor 1.2.
	k := theorems.Defaults()
	b := FitBoundary(synthetic(func(int) float64 { return 1.5 }), 1)
	check.Near(t, "constant N·SNR²: slope", b.Slope, -0.5, 0, 0.05)
	check.AtLeast(t, "constant N·SNR²: C_b", b.CB, 1.5/1.2)
	check.AtMost(t, "constant N·SNR²: C_b", b.CB, 1.5*1.2)
	if in, ok := theorems.Contains(b.SlopeLo, b.SlopeHi, b.Slope); !in || !ok {
		t.Errorf("interval [%.3f, %.3f] does not contain the estimate %.3f", b.SlopeLo, b.SlopeHi, b.Slope)
	}
	if b.SlopeErr != nil || b.CBErr != nil {
		t.Errorf("bootstrap refused: %v, %v", b.SlopeErr, b.CBErr)
	}
	for i, c := range b.CStar {
		check.Near(t, fmt.Sprintf("c*(N=%d)", b.N[i]), c, 1.5, 0.2, 0)
	}
	ctl := FitBoundary(synthetic(func(n int) float64 { return 0.1 * float64(n) }), 1)
	check.Near(t, "constant SNR: slope", ctl.Slope, 0, 0, 0.05)
	if c := theorems.CheckP2(ctl.Outcomes, ctl.SlopeBoot, ctl.SlopeErr, k); c.Status != theorems.NotReproduced {
		t.Errorf("negative control: slope %.3f gives P2 %q, want not reproduced", ctl.Slope, c.Status)
	}
	// Censoring: everything benign leaves no boundary, and the bootstrap
	// refuses (every resample undefined) instead of inventing an interval.
	all := FitBoundary(synthetic(func(int) float64 { return 0 }), 1)
	if !math.IsNaN(all.Slope) || !math.IsNaN(all.CB) || !math.IsNaN(all.SlopeLo) || all.SlopeErr == nil {
		t.Errorf("all benign: slope %v [%v, %v] (err %v), C_b %v; want NaN and a refused bootstrap", all.Slope, all.SlopeLo, all.SlopeHi, all.SlopeErr, all.CB)
	}
}

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
