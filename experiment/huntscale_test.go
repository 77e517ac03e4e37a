package experiment

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadHuntScales: a batch log's tallies are filed under the scale its
// command names (-scale mid, -scale=paper; none: tiny), SUMMARY.txt's
// counterexamples under their scale=, and the generated tables get one
// hunt column per scale with a tally, in theorems.Scales order.
func TestLoadHuntScales(t *testing.T) {
	dir := t.TempDir()
	log := strings.Join([]string{
		"$ go run ./cmd/hunt -statement A -checks 3",
		"A AssumptionSet: 3 holds, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 1s",
		"$ go run ./cmd/hunt -scale mid -statement A -checks 5",
		"A AssumptionSet: 5 holds, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 1s",
		"$ go run ./cmd/hunt -scale=paper -statement D -checks 2",
		"D GrowthRatio: 1 holds, 0 n/a (outside hypotheses), 1 fail; 0 shrunk counterexamples; 1s",
		"",
	}, "\n")
	sum := "# header\nP4 HarmfulMechanism [CODE] scale=mid [c2=-1 log2N=1 seed=2] fails: x | go run ./cmd/hunt -replay results/hunt/P4-mid.json\n"
	os.WriteFile(filepath.Join(dir, "hunt-x.txt"), []byte(log), 0o644)
	os.WriteFile(filepath.Join(dir, "SUMMARY.txt"), []byte(sum), 0o644)
	h, err := LoadHunt(dir)
	if err != nil {
		t.Fatal(err)
	}
	for key, holds := range map[string]int{"A/tiny": 3, "A/mid": 5, "D/paper": 1} {
		if tl := h[key]; tl == nil || tl.Holds != holds {
			t.Errorf("%s: tally %+v, want %d holds", key, tl, holds)
		}
	}
	if tl := h["P4/mid"]; tl == nil || len(tl.Replays) != 1 {
		t.Errorf("P4/mid: %+v, want the SUMMARY counterexample", tl)
	}
	if got := h.Scales(); !slices.Equal(got, []string{"tiny", "mid", "paper"}) {
		t.Errorf("Scales() = %v, want [tiny mid paper]", got)
	}
	if got := strings.Join(h.statuses("D"), " · "); got != "not hunted · not hunted · **fails** (1 of 2 checks)" {
		t.Errorf("statuses(D) = %q", got)
	}
	// Negative control: no tally at mid or paper, no such columns.
	if got := (Hunt{"A/tiny": {Holds: 1}}).Scales(); !slices.Equal(got, []string{"tiny"}) {
		t.Errorf("tiny-only hunt: Scales() = %v, want [tiny]", got)
	}
	if h["A/paper"] != nil || h["D/tiny"] != nil {
		t.Errorf("a tally filed under a scale its command did not name: %v", h)
	}
}
