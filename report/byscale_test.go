package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
	"vitadv/theorems"
)

// fixtureRoot is a results tree with one τ sweep per scale (copies of
// results/tau/ci-signal-token with their d, m, dh, dv columns rewritten):
// tau/s64 (tiny), tau/s128 (ci), tau/ci-d256 (d = 256 under a ci-looking
// name, its robust error raised to 0.9 at τ = 0.25‖μ‖ so that P9 fails
// there only), tau/s1024 (paper), tau/s784 (no scale); and hunt logs at
// tiny, ci, paper and a legacy log whose "-scale paper" is d = 256.
const fixtureRoot = "testdata/byscale/results"

// placement is one expectation on the by-scale table: the cell of claim
// at scale contains want, and no other cell of the row does.
type placement struct{ claim, scale, want string }

// misplaced returns the expectations b breaks.
func misplaced(b ByScale, want []placement) []string {
	var bad []string
	for _, p := range want {
		cell, ok := b.Cell(p.claim, p.scale)
		if !ok || !strings.Contains(cell, p.want) {
			bad = append(bad, p.claim+" @ "+p.scale+": "+cell+" lacks "+p.want)
		}
		for _, col := range b.Columns {
			if c, _ := b.Cell(p.claim, col); col != p.scale && strings.Contains(c, p.want) {
				bad = append(bad, p.claim+" @ "+col+": "+c+" also holds "+p.want)
			}
		}
	}
	return bad
}

const other784 = "other (d=784, M=4, d_h=32, d_v=32)"

var fixturePlacements = []placement{
	{"P9 (monotone in τ)", "tiny", "reproduced: `tau/s64`"},
	{"P9 (monotone in τ)", "ci", "reproduced: `tau/s128`"},
	{"P9 (monotone in τ)", "mid", "**not reproduced**: `tau/ci-d256`"},
	{"P9 (monotone in τ)", "paper", "reproduced: `tau/s1024`"},
	{"P9 (monotone in τ)", other784, "reproduced: `tau/s784`"},
	{"P8", "tiny", "hunt P8: holds 5/5"},
	{"P8", "ci", "hunt P8: holds 4/4"},
	{"P1", "tiny", "hunt P1c: **fails** 2/6, 4 hold, 1 counterexample"},
	{"Thm4.2(iii)", "paper", "hunt Thm4.2(iii): holds 1/2, 1 timed out"},
	{"P6 = Thm 4.2(ii)", "mid", "hunt Thm4.2(ii): _outside the hypotheses_ (η = 0.1 > 0.00024 (×410); in practice fails 1/1, 1 counterexample)"},
}

// TestByScaleFixture: every verdict of the fixture lands in the column of
// its file's size — the d = 256 file named like a ci run in mid, the
// legacy "-scale paper" hunt in mid, the d = 784 file in its own "other"
// column — and every check of the report is in the cell of its scale.
func TestByScaleFixture(t *testing.T) {
	r, err := buildReport(fixtureRoot, false, theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(r.by.Columns, " | "), "tiny | ci | mid | paper | "+other784; got != want {
		t.Errorf("columns %q, want %q", got, want)
	}
	for _, m := range misplaced(r.by, fixturePlacements) {
		t.Error(m)
	}
	// Only the planted file fails P9.
	for _, col := range r.by.Columns {
		c, _ := r.by.Cell("P9 (monotone in τ)", col)
		if got := strings.Contains(c, "not reproduced"); got != (col == "mid") {
			t.Errorf("P9 @ %s = %q: not reproduced %v, want %v", col, c, got, col == "mid")
		}
	}
	assertRowsInCells(t, r)
	for _, want := range []string{
		"## Scale tiny (d = 64, M = 4, d_h = d_v = 32)", "## Scale mid (d = 256, M = 8, d_h = d_v = 128)",
		"## Scale paper (d = 1024, M = 16, d_h = d_v = 512)", "## Scale " + other784,
		"| `tau/s1024` | paper | 22 | 10 s | Fixture CPU 9000, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.0, purego |",
		"| `tau/s128` | ci | 22 | 10 s | not recorded |",
		"Fixture A, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.0, purego; Fixture B, 4 cores",
		"| Thm4.2(ii) | `go run ./cmd/hunt -scale paper -statement Thm4.2(ii) -checks 1 -time 6m -max-fail 1` | 1 | 0 | 0 | 0 | 0 | 1 | `Thm42ii-mid.json` | 9m36s |",
		"| P8 (relaxed or other constants: not counted) |",
	} {
		if !strings.Contains(r.text, want) {
			t.Errorf("REPORT lacks %q", want)
		}
	}
	// The mid section holds the mid file and the legacy hunt, not the others.
	mid := section(r.text, "## Scale mid")
	if !strings.Contains(mid, "`tau/ci-d256`") || !strings.Contains(mid, "hunt/hunt-legacy.txt") || strings.Contains(mid, "`tau/s128`") {
		t.Errorf("mid section holds the wrong files:\n%s", mid)
	}
}

// section returns the text of the report from heading to the next scale
// heading.
func section(text, heading string) string {
	i := strings.Index(text, heading)
	if i < 0 {
		return ""
	}
	rest := text[i+len(heading):]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// assertRowsInCells: every results check appears in the by-scale cell of
// its claim and scale (the table has no rule of its own).
func assertRowsInCells(t *testing.T, r report) {
	t.Helper()
	for _, row := range r.rows {
		claim := row.ID
		if l, ok := claimLabel[row.ID]; ok {
			claim = l
		}
		if row.Row != "" {
			claim = row.Row
		}
		cell, _ := r.by.Cell(claim, row.Scale)
		if !strings.Contains(cell, sourceCell(strings.Split(row.Source, ", ")[0])) || !strings.Contains(cell, string(row.Status)) {
			t.Errorf("check %s on %s (%s, %s) is not in its by-scale cell %q", row.ID, row.Source, row.Scale, row.Status, cell)
		}
	}
}

// TestByScaleWrongMapping: the placement test has teeth. A scale list with
// mid's d moved to 512 sends the d = 256 file and the legacy hunt to
// "other", one with the names of ci and mid swapped sends them to ci; the
// expectations of TestByScaleFixture fail for both.
func TestByScaleWrongMapping(t *testing.T) {
	moved := defaultScales()
	moved[2].D = 512
	swapped := defaultScales()
	swapped[1].Name, swapped[2].Name = "mid", "ci"
	for name, ss := range map[string]scaleSet{"mid at d=512": moved, "ci and mid swapped": swapped} {
		r, err := ss.buildReport(fixtureRoot, false, theorems.Defaults())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bad := misplaced(r.by, fixturePlacements); len(bad) == 0 {
			t.Errorf("%s: every placement still holds: the test cannot see a wrong mapping", name)
		}
	}
}

// TestScaleOf: each scale's sizes map to its name, a size that matches no
// scale is "other" with its size, unrecorded fields match anything.
func TestScaleOf(t *testing.T) {
	ss := defaultScales()
	for _, sc := range theorems.Scales() {
		if got := ss.Of(sizeOfScale(sc)); got != sc.Name {
			t.Errorf("Of(%v) = %q, want %q", sizeOfScale(sc), got, sc.Name)
		}
	}
	for _, c := range []struct {
		s    Size
		want string
	}{
		{Size{D: 256, M: 8, Dh: 128, Dv: 128}, "mid"},
		{Size{D: 64, M: 4}, "tiny"},                                                  // d_h, d_v not recorded (a d_h sweep)
		{Size{D: 256, M: 8, Dh: 64, Dv: 128}, "other (d=256, M=8, d_h=64, d_v=128)"}, // d_h differs
		{Size{D: 128, M: 4, Dh: 64, Dv: 64}, "other (d=128, M=4, d_h=64, d_v=64)"},   // M differs
		{Size{D: 128, M: 8, Dh: 64, Dv: 32}, "other (d=128, M=8, d_h=64, d_v=32)"},   // d_v differs
		{Size{D: 16, M: 4, Dh: 8, Dv: 8}, "other (d=16, M=4, d_h=8, d_v=8)"},         // the smoke preset
		{Size{}, "other (size not recorded)"},
	} {
		if got := ss.Of(c.s); got != c.want {
			t.Errorf("Of(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
	if got := ss.order([]string{"other (d=16)", "paper", "ci", "tiny", "ci"}); strings.Join(got, ",") != "tiny,ci,paper,other (d=16)" {
		t.Errorf("order = %q", got)
	}
}

// TestHuntLogHostile: every malformed batch log is refused with a
// *CorruptError naming the file and the line (never a panic, never a
// silently zero tally).
func TestHuntLogHostile(t *testing.T) {
	ce, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", "Thm42ii-mid.json"))
	if err != nil {
		t.Fatal(err)
	}
	ceTiny, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", "P1c-tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "$ go run ./cmd/hunt -statement P8 -checks 5\n"
	const ok = "P8 MidpointFloor: 5 holds, 0 undecided, 0 n/a (outside hypotheses), 0 fail; 0 shrunk counterexamples; 1s\n"
	cases := []struct {
		name, log string
		line      int
		want      string
	}{
		{"unknown label", cmd + "P8 MidpointFloor: 5 holds, 1 maybe, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "unknown tally label"},
		{"repeated label", cmd + "P8 MidpointFloor: 5 holds, 3 holds, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "repeated"},
		{"fail and fails", cmd + "P8 MidpointFloor: 5 holds, 0 fail, 1 fails; 0 shrunk counterexamples; 1s\n", 2, "repeated"},
		{"negative count", cmd + "P8 MidpointFloor: -5 holds, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "non-negative integer"},
		{"huge count", cmd + "P8 MidpointFloor: 99999999999999999999 holds, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "non-negative integer"},
		{"leading zero", cmd + "P8 MidpointFloor: 05 holds, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "non-negative integer"},
		{"no fail count", cmd + "P8 MidpointFloor: 5 holds, 0 undecided; 0 shrunk counterexamples; 1s\n", 2, "lacks"},
		{"no counts", cmd + "P8 MidpointFloor: ; 0 shrunk counterexamples; 1s\n", 2, "non-negative integer"},
		{"shrunk beyond fails", cmd + "P8 MidpointFloor: 5 holds, 0 fail; 2 shrunk counterexamples; 1s\n", 2, "shrunk counterexamples from 0 failed"},
		{"bad duration", cmd + "P8 MidpointFloor: 5 holds, 0 fail; 0 shrunk counterexamples; forever\n", 2, "elapsed time"},
		{"extra part", cmd + "P8 MidpointFloor: 5 holds, 0 fail; 0 shrunk counterexamples; 1s; more\n", 2, "parts"},
		{"no shrunk part", cmd + "P8 MidpointFloor: 5 holds, 0 fail\n", 2, "parts"},
		{"statement mismatch", cmd + "P9 MonotoneInTau: 5 holds, 0 fail; 0 shrunk counterexamples; 1s\n", 2, "after a command for P8"},
		{"no tally before next command", cmd + cmd + ok, 1, "no tally line"},
		{"no tally at end", "# x\n" + cmd, 2, "no tally line"},
		{"tally without command", ok, 1, "unexpected line"},
		{"two tallies", cmd + ok + ok, 3, "unexpected line"},
		{"garbage", cmd + ok + "garbage\n", 3, "unexpected line"},
		{"not cmd/hunt", "$ rm -rf /\n" + ok, 1, "not a \"go run ./cmd/hunt\" command"},
		{"no statement", "$ go run ./cmd/hunt -checks 5\n" + ok, 1, "no -statement"},
		{"unknown scale", "$ go run ./cmd/hunt -scale huge -statement P8\n" + ok, 1, "unknown scale"},
		{"scale without value", "$ go run ./cmd/hunt -statement P8 -scale\n" + ok, 1, "no value"},
		{"replay before tally", cmd + "  go run ./cmd/hunt -replay results/hunt/x.json\n" + ok, 2, "outside a command's tally"},
		{"fewer replays than shrunk", "$ go run ./cmd/hunt -statement P1c\nP1c HarmfulCondition: 0 holds, 2 fail; 1 shrunk counterexamples; 1s\n", 2, "1 shrunk counterexamples, 0 replay lines"},
		{"missing counterexample file", "$ go run ./cmd/hunt -statement P1c\nP1c HarmfulCondition: 0 holds, 2 fail; 1 shrunk counterexamples; 1s\n  go run ./cmd/hunt -replay results/hunt/absent.json\n", 3, "counterexample"},
		{"counterexample at another scale", "$ go run ./cmd/hunt -statement Thm4.2(ii)\nThm4.2(ii) AttentionCollapse: 0 holds, 1 fail; 1 shrunk counterexamples; 1s\n  go run ./cmd/hunt -replay results/hunt/ce-mid.json\n", 3, "recorded at scale mid by a command at scale tiny"},
		{"line too long", cmd + strings.Repeat("x", 70000) + "\n", 2, "too long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "ce-mid.json"), ce, 0o644)
			os.WriteFile(filepath.Join(dir, "ce-tiny.json"), ceTiny, 0o644)
			path := filepath.Join(dir, "hunt.txt")
			os.WriteFile(path, []byte(c.log), 0o644)
			h, err := loadTextLogs(dir)
			var ce *sweep.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (hunt %+v), want a *CorruptError", err, h)
			}
			if ce.Path != path || ce.Line != c.line || !strings.Contains(ce.Reason, c.want) {
				t.Errorf("err = %v, want %s:%d: …%s…", err, path, c.line, c.want)
			}
		})
	}
	// A SUMMARY.txt line without a replay command, or citing a missing
	// file, is refused too.
	for _, sum := range []string{"P4 HarmfulMechanism fails: x\n", "P4 HarmfulMechanism fails | go run ./cmd/hunt -replay results/hunt/absent.json\n"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "SUMMARY.txt"), []byte("# header\n"+sum), 0o644)
		_, err := loadTextLogs(dir)
		var ce *sweep.CorruptError
		if !errors.As(err, &ce) || ce.Line != 2 || ce.Path != filepath.Join(dir, "SUMMARY.txt") {
			t.Errorf("SUMMARY %q: err = %v, want a *CorruptError at line 2", sum, err)
		}
	}
}

// TestHuntLogForms: both tally forms parse by their labels (with and
// without "undecided" and "timed out", counts in any order); -relax and
// -const runs are kept but not counted; a SUMMARY.txt counterexample no
// log lists is added at the scale its file records.
func TestHuntLogForms(t *testing.T) {
	dir := t.TempDir()
	ce, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", "Thm42ii-mid.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Stands for a counterexample found inside its statement's
	// hypotheses: the fixture file without its "outside" field.
	if i := bytes.Index(ce, []byte(",\n  \"outside\": ")); i >= 0 {
		ce = append(ce[:i:i], "\n}\n"...)
	}
	os.WriteFile(filepath.Join(dir, "extra.json"), ce, 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(`# d=64
$ go run ./cmd/hunt -statement P8 -checks 9
P8 MidpointFloor: 2 holds, 0 n/a (outside hypotheses), 1 fail; 0 shrunk counterexamples; 1s
$ go run ./cmd/hunt -statement P8 -checks 9
P8 MidpointFloor: 0 fail, 3 timed out, 1 undecided, 4 n/a (outside hypotheses), 1 holds; 0 shrunk counterexamples
$ go run ./cmd/hunt -statement P8 -const z_sigma=1
P8 MidpointFloor: 0 holds, 0 n/a (outside hypotheses), 7 fail; 0 shrunk counterexamples; 1s
$ go run ./cmd/hunt --scale mid -statement=P8 -relax=false
P8 MidpointFloor: 6 holds, 0 fail; 0 shrunk counterexamples; 2m3s
`), 0o644)
	os.WriteFile(filepath.Join(dir, "SUMMARY.txt"), []byte("D GrowthRatio [PROP] scale=paper [c2=1] fails: x | go run ./cmd/hunt -replay results/hunt/extra.json\n"), 0o644)
	h, err := loadTextLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	tiny := h.Tally("P8", "tiny")
	if tiny == nil || tiny.Holds != 3 || tiny.Fails != 1 || tiny.Undecided != 1 || tiny.TimedOut != 3 || tiny.NA != 4 {
		t.Errorf("P8 tiny tally = %+v, want 3 holds, 1 fail, 1 undecided, 3 timed out, 4 n/a (the -const run not counted)", tiny)
	}
	if got := tiny.status(); got != "**fails** 1/8, 3 hold, 1 undecided, 3 timed out, 4 n/a" {
		t.Errorf("status = %q", got)
	}
	if m := h.Tally("P8", "mid"); m == nil || m.Holds != 6 || m.status() != "holds 6/6" {
		t.Errorf("P8 mid tally = %+v, want 6 holds (-relax=false counts)", m)
	}
	if len(h.Runs) != 4 || h.Runs[2].Counted || !h.Runs[3].Counted || h.Runs[3].Elapsed != "2m3s" || h.Runs[1].Elapsed != "" {
		t.Errorf("runs = %+v", h.Runs)
	}
	if d := h.Tally("D", "mid"); d == nil || len(d.Replays) != 1 || d.status() != "**fails**, 1 counterexample" {
		t.Errorf("SUMMARY counterexample recorded at d=256: tally %+v, want it at mid", d)
	}
	crlf := t.TempDir()
	os.WriteFile(filepath.Join(crlf, "c.txt"), []byte("# x\r\n$ go run ./cmd/hunt -statement P8\r\nP8 MidpointFloor: 1 holds, 0 fail; 0 shrunk counterexamples; 1s\r\n"), 0o644)
	if h, err := loadTextLogs(crlf); err != nil || h.Tally("P8", "tiny") == nil || h.Tally("P8", "tiny").Holds != 1 {
		t.Errorf("CRLF log: %v, %+v", err, h)
	}
	var none *HuntTally
	if none.status() != "not hunted" {
		t.Errorf("nil tally: %q", none.status())
	}
}

// TestGeneratedByScaleControl: README's by-scale block is covered by the
// currency check — a wrong scale mapping generates a README that differs
// from the committed one inside the byscale markers.
func TestGeneratedByScaleControl(t *testing.T) {
	ss := defaultScales()
	ss[2].D = 512 // mid moved: the d = 256 files become "other"
	files, err := ss.generated("..", theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", ReadmePath))
	if err != nil {
		t.Fatal(err)
	}
	block := func(s string) string {
		i, j := strings.Index(s, ByScaleBegin), strings.Index(s, ByScaleEnd)
		if i < 0 || j < i {
			return ""
		}
		return s[i:j]
	}
	if b := block(string(committed)); b == "" || b == block(files[ReadmePath]) {
		t.Errorf("a wrong scale mapping leaves README's by-scale block unchanged (or the markers are missing)")
	}
}

// TestByScaleCurrentResults: on the committed results, every check sits in
// the by-scale cell of its claim and its file's scale, and the d = 256
// clean phase diagram (named ci-d256) is in mid.
func TestByScaleCurrentResults(t *testing.T) {
	r, err := buildReport("../results", false, theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	assertRowsInCells(t, r)
	for _, row := range r.rows {
		if row.Source == "phase/ci-d256-clean" && row.Scale != "mid" {
			t.Errorf("phase/ci-d256-clean classified %q, want mid", row.Scale)
		}
	}
}

// FuzzHuntLog: no batch log makes loadHunt panic; it either refuses the
// log with a *CorruptError or returns runs whose counts are non-negative,
// whose replay lines match their shrunk count, and whose scale is a label
// scaleSet.Of gives.
func FuzzHuntLog(f *testing.F) {
	for _, p := range []string{"hunt.txt", "hunt-legacy.txt"} {
		b, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("$ go run ./cmd/hunt -statement P8\r\nP8 MidpointFloor: 1 holds, 0 fail; 0 shrunk counterexamples; 1s\r\n"))
	ce, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", "Thm42ii-mid.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, log []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Thm42ii-mid.json"), ce, 0o644)
		os.WriteFile(filepath.Join(dir, "hunt.txt"), log, 0o644)
		h, err := loadTextLogs(dir)
		if err != nil {
			var c *sweep.CorruptError
			if !errors.As(err, &c) || c.Line < 1 {
				t.Fatalf("err = %v, want a *CorruptError with a line", err)
			}
			return
		}
		for _, r := range h.Runs {
			if r.Holds < 0 || r.Undecided < 0 || r.TimedOut < 0 || r.NA < 0 || r.Fails < 0 || len(r.Replays) != r.Shrunk || r.Shrunk > r.Fails {
				t.Fatalf("inconsistent run %+v", r)
			}
			if r.Scale != "tiny" && r.Scale != "ci" && r.Scale != "mid" && r.Scale != "paper" {
				t.Fatalf("run at scale %q", r.Scale)
			}
		}
	})
}
