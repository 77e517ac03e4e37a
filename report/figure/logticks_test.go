package figure

import (
	"testing"

	"gonum.org/v1/plot"
)

// TestLogTicks: a range over decades keeps the powers of ten; a range
// within one decade still gets at least two labels (control: the plain
// powers-of-ten marker gives fewer than two there).
func TestLogTicks(t *testing.T) {
	if ts := (logTicks{}).Ticks(0.001, 10); labelled(ts) != 5 {
		t.Errorf("0.001–10: %d labels, want the 5 powers of ten: %v", labelled(ts), ts)
	}
	for _, r := range [][2]float64{{0.2, 0.9}, {0.61, 0.79}, {3, 40}} {
		if ts := (logTicks{}).Ticks(r[0], r[1]); labelled(ts) < 2 {
			t.Errorf("%v: %d labels, want ≥ 2: %v", r, labelled(ts), ts)
		}
	}
	if n := labelled(plotLogTicks(0.61, 0.79)); n >= 2 {
		t.Errorf("control: powers of ten alone label 0.61–0.79 %d times; the test would not see the fallback", n)
	}
}

func plotLogTicks(lo, hi float64) []plot.Tick { return plot.LogTicks{Prec: -1}.Ticks(lo, hi) }
