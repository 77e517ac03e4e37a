package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vitadv/theorems"
)

// scopeRepo builds a repository with one committed τ sweep (tau/ci-long,
// η = 0.1: ×204.8 THEORY's step-size limit at d = 128) and the marker
// comments of the generated blocks; setEta, when non-empty, rewrites the
// sweep's eta column (the scopes read it; no metric changes).
func scopeRepo(t *testing.T, setEta string) string {
	t.Helper()
	repo := t.TempDir()
	for _, f := range []string{"results/tau/ci-long.csv", "results/tau/ci-long.json"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		if setEta != "" && strings.HasSuffix(f, ".csv") {
			lines := strings.Split(string(b), "\n")
			col := slices.Index(strings.Split(lines[0], ","), "eta")
			if col < 0 {
				t.Fatal("no eta column")
			}
			for i := 1; i < len(lines); i++ {
				if fs := strings.Split(lines[i], ","); len(fs) > col {
					fs[col] = setEta
					lines[i] = strings.Join(fs, ",")
				}
			}
			b = []byte(strings.Join(lines, "\n"))
		}
		os.MkdirAll(filepath.Dir(filepath.Join(repo, f)), 0o755)
		if err := os.WriteFile(filepath.Join(repo, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(repo, ReadmePath), []byte("x\n"+ClaimsBegin+"\n"+ClaimsEnd+"\n"+ByScaleBegin+"\n"+ByScaleEnd+"\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "theorems"), 0o755)
	os.WriteFile(filepath.Join(repo, StatementsPath), []byte(StatusBegin+"\n"+StatusEnd+"\n"+StepBegin+"\n"+StepEnd+"\n"), 0o644)
	return repo
}

// claimLine returns the line of text that starts with prefix ("" if none).
func claimLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestOutsideNeverRefuted (issue 17, item 1): a sweep run outside THEORY
// §4.1's step-size hypothesis (η = 0.1 at d = 128) whose P6 and P7 rules
// fail on the data yields no "not reproduced" anywhere in the generated
// README, REPORT and STATEMENTS: its P5, P6, P7 rows are outside the
// hypotheses, naming η and the factor, and the rules' failures are kept as
// findings about practice; P8 and P9 (no condition on the training) stay
// judged. Negative control: the same rows with the eta column set to 1e-4
// (inside the limit 4.883e-4; nothing else changed) yield "not reproduced"
// for P6 and P7 in every generated file.
func TestOutsideNeverRefuted(t *testing.T) {
	r, err := defaultScales().buildReport(filepath.Join(scopeRepo(t, ""), "results"), false, theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	refutedOutside := 0
	for _, row := range r.rows {
		switch row.ID {
		case "P5", "P6", "P7":
			if !row.Outside() || row.Status != theorems.OutsideHypotheses {
				t.Errorf("%s on %s at η = 0.1: status %q, want outside the hypotheses", row.ID, row.Source, row.Status)
			}
			if c, ok := row.Scope.Find("η ≤"); !ok || c.Holds() {
				t.Errorf("%s: the scope does not name the violated step size: %v", row.ID, row.Scope)
			}
			if row.Observed == theorems.NotReproduced {
				refutedOutside++
			}
		case "P8", "P9":
			if row.Outside() {
				t.Errorf("%s is judged outside at η = 0.1: %v (it has no hypothesis on the training)", row.ID, row.Scope)
			}
		}
	}
	if refutedOutside < 2 {
		t.Fatalf("premise: the rules refute only %d rows of the planted sweep, want P6 and P7 at least", refutedOutside)
	}
	files, err := Generated(scopeRepo(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{ReadmePath, ReportPath, StatementsPath} {
		if strings.Contains(files[path], string(theorems.NotReproduced)) {
			t.Errorf("%s says %q of a sweep outside the hypotheses:\n%s", path, theorems.NotReproduced, files[path])
		}
		if !strings.Contains(files[path], "η = 0.1 > 0.00049 (×205)") {
			t.Errorf("%s does not name the violated step size compactly", path)
		}
		if !strings.Contains(files[path], "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}: 0.1 > 0.0004883 (×204.8)") {
			t.Errorf("%s does not state the violated condition in full", path)
		}
	}
	if l := claimLine(files[ReadmePath], "| P6 |"); !strings.Contains(l, outsideWord()+" (η = 0.1 > 0.00049 (×205); in practice the conclusion fails on these runs): `tau/ci-long`") {
		t.Errorf("README's P6 row: %q, want outside with the finding", l)
	}
	if l := claimLine(files[ReadmePath], "| P9 |"); !judgedNotRefuted(l, "tau/ci-long") || strings.Contains(l, outsideWord()) {
		t.Errorf("README's P9 row: %q, want judged (reproduced or inconclusive, not outside) at η = 0.1", l)
	}

	// Negative control: inside the step-size hypothesis the same rows refute.
	in, err := Generated(scopeRepo(t, "0.0001"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"P6", "P7"} {
		if l := claimLine(in[ReadmePath], "| "+id+" |"); !strings.Contains(l, "**not reproduced**: `tau/ci-long`") {
			t.Errorf("control, η = 1e-4: README's %s row %q, want not reproduced", id, l)
		}
	}
	if !strings.Contains(in[ReadmePath], "| P6 = Thm 4.2(ii) | — | **not reproduced**: `tau/ci-long` |") {
		t.Errorf("control, η = 1e-4: the by-scale block does not show P6 not reproduced at ci")
	}
	for _, path := range []string{ReportPath, StatementsPath} {
		if !strings.Contains(in[path], "**"+string(theorems.NotReproduced)+"**") {
			t.Errorf("control, η = 1e-4: %s has no not reproduced", path)
		}
	}
	if strings.Contains(in[ReadmePath], string(theorems.OutsideHypotheses)) {
		t.Errorf("control, η = 1e-4: README still reports a row outside the hypotheses")
	}
}

// TestHuntStatusOutside: the part of a hunt tally whose checks fell
// outside the statement's hypotheses (HuntTally.Out, from the scope
// cmd/hunt evaluated at each point) is reported outside the hypotheses,
// naming the violated condition with its value, limit and factor, and its
// failures unbolded as a finding about practice; the inside part keeps its
// status (a bold fails there stays bold). Controls: a tally with no
// outside part is the plain status; an unhunted statement stays "not
// hunted".
func TestHuntStatusOutside(t *testing.T) {
	eta := theorems.Condition{Name: "η ≤ CetaTheory·min{‖μ‖⁻², (σ₂²d)⁻¹}", Value: 0.1, Limit: 1.0 / 1024, AtMost: true, Tag: theorems.LIT}
	out := &HuntTally{Out: HuntOutside{Holds: 2, Fails: 1, Replays: []string{"x.json"}, Violated: []theorems.Condition{eta}}}
	got := huntStatus("Thm4.2(i)", "tiny", out)
	if want := outsideWord() + " (η = 0.1 > 0.00098 (×102); in practice fails 1/3, 2 hold, 1 counterexample)"; got != want {
		t.Errorf("all outside: %q, want %q", got, want)
	}
	mixed := &HuntTally{Holds: 4, Fails: 1, Replays: []string{"y.json"}, Out: out.Out}
	got = huntStatus("Thm4.2(i)", "tiny", mixed)
	if !strings.HasPrefix(got, "inside the hypotheses: **fails** 1/5") || !strings.Contains(got, "; "+outsideWord()+" (η = 0.1 > ") || strings.Count(got, "**fails**") != 1 {
		t.Errorf("mixed: %q, want the inside status (bold) then the outside part (unbolded)", got)
	}
	plain := &HuntTally{Holds: 2, Fails: 1, Replays: []string{"x.json"}}
	if got := huntStatus("P8", "tiny", plain); got != plain.status() || !strings.Contains(got, "**fails**") {
		t.Errorf("control: no outside part: %q, want the plain tally %q", got, plain.status())
	}
	if got := huntStatus("Thm4.2(ii)", "tiny", nil); got != "not hunted" {
		t.Errorf("unhunted: %q", got)
	}
}
