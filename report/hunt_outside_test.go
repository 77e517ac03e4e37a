package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/theorems"
)

// etaCond is THEORY's step-size hypothesis as the tiny hunts violate it.
func etaCond() theorems.Condition {
	return theorems.Condition{Name: "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}", Value: 0.1, Limit: 1.0 / 1024, AtMost: true, Tag: theorems.LIT}
}

// TestHuntOutsideRecords (issue 17): a run log record whose checks fell
// partly outside the statement's hypotheses round-trips, and LoadHunt
// splits its tally — the checks inside counted as the statement's, those
// outside (and their counterexample) apart; the outside line of the text
// log reads back as what FormatOutside printed. Controls: an outside
// tally larger than the tally, without violated conditions, with a
// condition that holds, or naming a counterexample the record does not
// list is refused, and so is an outside line whose condition holds.
func TestHuntOutsideRecords(t *testing.T) {
	dir := t.TempDir()
	rec := HuntRecord{Command: "go run ./cmd/hunt -statement Thm4.2(i) -checks 9", Statement: "Thm4.2(i)", Func: "SmallBudget",
		Scale: theorems.Tiny(), Holds: 6, Undecided: 1, Fails: 2, Replays: []string{}, Elapsed: "1s",
		Outside: &HuntOutside{Holds: 4, Fails: 2, Replays: []string{}, Violated: []theorems.Condition{etaCond()}}}
	if err := AppendHuntRecord(filepath.Join(dir, "b.jsonl"), rec); err != nil {
		t.Fatal(err)
	}
	h, err := LoadHunt(dir)
	if err != nil {
		t.Fatal(err)
	}
	tl := h.Tally("Thm4.2(i)", "tiny")
	if tl == nil || tl.Holds != 2 || tl.Undecided != 1 || tl.Fails != 0 || tl.Out.Holds != 4 || tl.Out.Fails != 2 || len(tl.Out.Violated) != 1 {
		t.Fatalf("tally %+v, want 2 holds and 1 undecided inside, 4 holds and 2 fails outside", tl)
	}
	if got := huntStatus("Thm4.2(i)", "tiny", tl); !strings.HasPrefix(got, "inside the hypotheses: holds 2/3, 1 undecided; "+outsideWord()+" (η = 0.1 > 0.00098 (×102); in practice fails 2/6, 4 hold)") {
		t.Errorf("status %q", got)
	}
	line := FormatOutside(rec.Outside)
	o, shrunk, err := parseOutside(line)
	if err != nil || shrunk != 0 || o.Holds != 4 || o.Fails != 2 || len(o.Violated) != 1 || o.Violated[0] != etaCond() {
		t.Errorf("parseOutside(%q) = %+v, %d, %v", line, o, shrunk, err)
	}
	held := etaCond()
	held.Value = 1e-4
	for name, mut := range map[string]func(*HuntRecord){
		"more outside than the tally": func(r *HuntRecord) { r.Outside.Fails = 3 },
		"no violated condition":       func(r *HuntRecord) { r.Outside.Violated = nil },
		"a condition that holds":      func(r *HuntRecord) { r.Outside.Violated = []theorems.Condition{held} },
		"unlisted counterexample":     func(r *HuntRecord) { r.Outside.Replays = []string{"results/hunt/x.json"} },
		"negative count":              func(r *HuntRecord) { r.Outside.Holds = -1 },
	} {
		r := rec
		o := *rec.Outside
		r.Outside = &o
		mut(&r)
		if err := AppendHuntRecord(filepath.Join(t.TempDir(), "b.jsonl"), r); err == nil {
			t.Errorf("%s: AppendHuntRecord = nil, want an error", name)
		}
		// The same record written by hand is refused on reading.
		p := filepath.Join(t.TempDir(), "b.jsonl")
		b, _ := json.Marshal(r)
		os.WriteFile(p, append(b, '\n'), 0o644)
		if _, err := ReadHuntLog(p); err == nil {
			t.Errorf("%s: ReadHuntLog = nil, want a *CorruptError", name)
		}
	}
	bad := strings.Replace(line, "0.1 > ", "0.0001 > ", 1)
	if _, _, err := parseOutside(bad); err == nil {
		t.Errorf("parseOutside(%q) = nil, want an error (the condition holds)", bad)
	}
}

// TestOutsideHuntNeverFails (issue 17, end to end): a hunt whose failing
// check lies outside the statement's hypotheses (a Thm 4.2(ii) run log at
// η = 0.1, its one failure in the outside tally) yields no bold "fails"
// anywhere in the generated README, REPORT and STATEMENTS: the statement's
// hunt cells say outside the hypotheses with η's violation, and the
// failure as a finding about practice. Negative control: the same record
// without its outside part gives "**fails** 1/1" in each file.
func TestOutsideHuntNeverFails(t *testing.T) {
	gen := func(outside bool) map[string]string {
		repo := scopeRepo(t, "")
		os.RemoveAll(filepath.Join(repo, "results", "tau"))
		rec := HuntRecord{Command: "go run ./cmd/hunt -statement Thm4.2(ii) -checks 1", Statement: "Thm4.2(ii)", Func: "AttentionCollapse",
			Scale: theorems.Tiny(), Fails: 1, Replays: []string{}, Elapsed: "1s"}
		if outside {
			rec.Outside = &HuntOutside{Fails: 1, Replays: []string{}, Violated: []theorems.Condition{etaCond()}}
		}
		dir := filepath.Join(repo, "results", "hunt")
		os.MkdirAll(dir, 0o755)
		if err := AppendHuntRecord(filepath.Join(dir, "b.jsonl"), rec); err != nil {
			t.Fatal(err)
		}
		files, err := Generated(repo)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	files := gen(true)
	for _, path := range []string{ReadmePath, ReportPath, StatementsPath} {
		if strings.Contains(files[path], "**fails** 1") { // (the by-scale legend names the form "**fails** f/n")
			t.Errorf("%s says **fails** of a hunt outside the hypotheses:\n%s", path, files[path])
		}
		if !strings.Contains(files[path], outsideWord()+" (η = 0.1 > 0.00098 (×102); in practice fails 1/1)") {
			t.Errorf("%s does not report the hunt outside the hypotheses with η's violation", path)
		}
	}
	in := gen(false)
	for _, path := range []string{ReadmePath, ReportPath, StatementsPath} {
		if !strings.Contains(in[path], "**fails** 1/1") {
			t.Errorf("control: %s lacks **fails** 1/1 for the same failure inside the hypotheses", path)
		}
	}
}
