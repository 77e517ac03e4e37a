package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadHuntTallyFormats: LoadHunt reads cmd/hunt's tally line in all
// three formats it has had (without "undecided", without "timed out", and
// the current one) and skips the "# machine" line; a tally that is all
// timed out is reported as such, not as "not hunted".
func TestLoadHuntTallyFormats(t *testing.T) {
	dir := t.TempDir()
	log := `# header
$ go run ./cmd/hunt -statement A -checks 3
A AssumptionSet: 3 holds, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 0s
$ go run ./cmd/hunt -statement P8 -checks 5
P8 MidpointFloor: 4 holds, 1 undecided, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 1s
$ go run ./cmd/hunt -statement P4 -checks 9 -check-time 1m
P4 HarmfulMechanism: 2 holds, 1 undecided, 3 timed out, 1 n/a (outside hypotheses), 2 fail; 0 shrunk counterexamples; 9m
# machine: AMD EPYC, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.8, asm; wall 9m1s
$ go run ./cmd/hunt -statement P7 -checks 2 -check-time 1m
P7 RegimeBoundary: 0 holds, 0 undecided, 2 timed out, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 2m
# machine: AMD EPYC, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.8, asm; wall 2m0s
`
	if err := os.WriteFile(filepath.Join(dir, "hunt.txt"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := loadTextLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]HuntTally{
		"A/tiny":  {Holds: 3},
		"P8/tiny": {Holds: 4, Undecided: 1},
		"P4/tiny": {Holds: 2, Undecided: 1, TimedOut: 3, Fails: 2},
		"P7/tiny": {TimedOut: 2},
	} {
		id, sc, _ := strings.Cut(key, "/")
		got := h.Tally(id, sc)
		if got == nil || got.Holds != want.Holds || got.Undecided != want.Undecided || got.TimedOut != want.TimedOut || got.Fails != want.Fails {
			t.Errorf("%s: tally %+v, want %+v", key, got, want)
		}
	}
	if len(h.Runs) != 4 {
		t.Errorf("LoadHunt found %d runs, want 4 (the machine lines are not runs)", len(h.Runs))
	}
	if s := h.Tally("P7", "tiny").status(); s != "no decision in 2 checks, 2 timed out" {
		t.Errorf("all-timed-out status = %q", s)
	}
	if s := h.Tally("P8", "tiny").status(); s != "holds 4/5, 1 undecided" {
		t.Errorf("P8 status = %q", s)
	}
}
