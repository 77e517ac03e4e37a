package report

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"vitadv/sweep"
	"vitadv/theorems"
)

// sweepTable builds a τ sweep table: every key column 1 except those in
// over, d_h = dh, M = 4, and per replicate r the final a₁ given by a1(r, τ).
func sweepTable(dh float64, taus []float64, reps int, a1 func(r int, tau float64) float64, over map[string]float64) *sweep.Table {
	t := &sweep.Table{Cols: map[string][]float64{}}
	cols := append([]string{"rep", "tau_over_mu", "a1", "dh"}, collapseKeyCols...)
	t.Header = cols
	for r := 0; r < reps; r++ {
		for _, tau := range taus {
			for _, c := range cols {
				v := 1.0
				switch c {
				case "rep":
					v = float64(r)
				case "tau_over_mu":
					v = tau
				case "a1":
					v = a1(r, tau)
				case "dh":
					v = dh
				case "m":
					v = 4
				}
				if x, ok := over[c]; ok {
					v = x
				}
				t.Cols[c] = append(t.Cols[c], v)
			}
			t.Rows++
		}
	}
	return t
}

// linearDrop is a₁ falling linearly from 0.75 at τ = 0 to 1/M = 0.25 at
// τ = 2·star, so that it crosses the midpoint 0.5 exactly at star.
func linearDrop(star float64) func(int, float64) float64 {
	return func(_ int, tau float64) float64 { return math.Max(0.25, 0.75-0.25*tau/star) }
}

func TestSweepStars(t *testing.T) {
	taus := []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1}
	stars := []float64{0.2, 0.3}
	tab := sweepTable(64, taus, 2, func(r int, tau float64) float64 { return linearDrop(stars[r])(r, tau) }, nil)
	got, err := sweepStars(tab)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range stars {
		if !(math.Abs(got[i]-want) <= 1e-12) {
			t.Errorf("replicate %d: τ* = %v, want %v", i, got[i], want)
		}
	}
	// Never crossing: +Inf (censored), not a number in the grid.
	flat := sweepTable(64, taus, 1, func(int, float64) float64 { return 0.75 }, nil)
	if got, _ := sweepStars(flat); !math.IsInf(got[0], 1) {
		t.Errorf("flat a₁: τ* = %v, want +Inf", got[0])
	}
	// A sweep without τ = 0 has no reference a₁: an error.
	if _, err := sweepStars(sweepTable(64, taus[1:], 1, linearDrop(0.3), nil)); err == nil {
		t.Error("a sweep without τ = 0 was accepted")
	}
}

// TestReportCollapse: two sweeps that differ only in d_h form one study
// whose ratio is τ*(small d_h)/τ*(large d_h); a sweep that differs in any
// other key column (here the step count) is not paired — the negative
// control that asserts the grouping can refuse.
func TestReportCollapse(t *testing.T) {
	taus := []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1}
	mk := func(dh, star float64, over map[string]float64) *sweep.Table {
		return sweepTable(dh, taus, 3, func(r int, tau float64) float64 { return linearDrop(star*(1+0.01*float64(r)))(r, tau) }, over)
	}
	small, large := mk(64, 0.3, nil), mk(512, 0.2, nil)
	other := mk(8, 0.6, map[string]float64{"max_steps": 2})
	var buf bytes.Buffer
	sec := func(string) io.Writer { return &buf }
	est, err := reportCollapse(sec, []tauFile{{"tau/a", "other", small}, {"tau/b", "paper", large}, {"tau/c", "x", other}}, theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if len(est) != 1 {
		t.Fatalf("%d τ*-shift estimates, want 1 (tau/c differs in max_steps and must not be paired): %+v", len(est), est)
	}
	if est[0].Scale != "paper" || est[0].Source != "tau/a + tau/b" {
		t.Errorf("estimate at %q from %q, want paper from tau/a + tau/b", est[0].Scale, est[0].Source)
	}
	// The synthetic sweeps (d = 1, …) are outside P7's hypotheses: the
	// estimate is labelled a finding about practice.
	if !strings.HasPrefix(est[0].Text, outsideWord()) || !strings.Contains(est[0].Text, "practice: 1.5") {
		t.Errorf("ratio text %q, want labelled outside the hypotheses, then τ*(64)/τ*(512) = 0.3/0.2 = 1.5…", est[0].Text)
	}
	// Control: the same sweeps at the paper cell with η inside THEORY's
	// step-size limit are inside, and the estimate carries no label.
	paper := map[string]float64{"d": 1024, "m": 16, "n": 20, "mu": 90, "sigma2": 4, "sigma_w": 0.2, "eta": 1e-5, "init_shrink": 16}
	var inBuf bytes.Buffer
	in, err := reportCollapse(func(string) io.Writer { return &inBuf }, []tauFile{{"tau/a", "other", mk(64, 0.3, paper)}, {"tau/b", "paper", mk(512, 0.2, paper)}}, theorems.Defaults())
	if err != nil || len(in) != 1 {
		t.Fatalf("inside control: %v, %d estimates", err, len(in))
	}
	if !strings.HasPrefix(in[0].Text, "1.5") || !strings.Contains(inBuf.String(), "every sweep): inside.") {
		t.Errorf("inside control: text %q; section:\n%s", in[0].Text, inBuf.String())
	}
	if strings.Contains(buf.String(), "tau/c") {
		t.Error("the study names tau/c, which differs in max_steps")
	}
	// Alone, the mismatched sweep forms no study.
	est, err = reportCollapse(sec, []tauFile{{"tau/a", "other", small}, {"tau/c", "x", other}}, theorems.Defaults())
	if err != nil || len(est) != 0 {
		t.Errorf("sweeps differing in max_steps paired: %v %+v", err, est)
	}
}
