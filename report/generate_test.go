package report

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"vitadv/sweep"
	"vitadv/theorems"
)

// firstDiff returns the first line where a and b differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + x + "\n  generated: " + y
		}
	}
	return ""
}

// stale returns the generated files whose committed copy under repo
// differs from files, with the first difference.
func stale(repo string, files map[string]string) []string {
	var out []string
	for _, rel := range []string{ReportPath, ReadmePath, StatementsPath} {
		got, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			out = append(out, rel+": "+err.Error())
			continue
		}
		if string(got) != files[rel] {
			out = append(out, rel+" ("+firstDiff(string(got), files[rel])+")")
		}
	}
	return out
}

// TestGeneratedTablesCurrent: results/REPORT.md, README's claims table and
// STATEMENTS.md's status are exactly what the committed results generate
// through theorems. Editing a CSV, a sidecar, a hunt log or a threshold in
// theorems.Consts without regenerating fails here.
func TestGeneratedTablesCurrent(t *testing.T) {
	files, err := Generated("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale("..", files) {
		t.Errorf("%s is stale: it differs from what the committed results generate. Run `%s` from the repository root and commit the result.", s, GenerateCommand)
	}
}

// TestGeneratedTablesControl: the currency check has teeth. A planted P9
// tolerance of 3 changes the generated tables (so the committed ones would
// be stale), and so does a CSV edit that makes the robust error fall.
func TestGeneratedTablesControl(t *testing.T) {
	k := theorems.Defaults()
	k.MonoTol = 3
	files, err := generated("..", k)
	if err != nil {
		t.Fatal(err)
	}
	if s := stale("..", files); len(s) == 0 {
		t.Errorf("MonoTol = 3 generates the committed tables unchanged: the P9 verdicts do not depend on the threshold")
	}

	// A repository with one τ sweep: drop the robust error bracket at
	// τ = 0.4 of tau/ci-long to [0, 0], below the attacks' ≥ 0.68 at
	// τ = 0.25, so that it witnessedly falls by more than MonoTol.
	repo := t.TempDir()
	for _, f := range []string{"results/tau/ci-long.csv", "results/tau/ci-long.json"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(repo, f)), 0o755)
		os.WriteFile(filepath.Join(repo, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(repo, ReadmePath), []byte("x\n"+ClaimsBegin+"\n"+ClaimsEnd+"\n"+ByScaleBegin+"\n"+ByScaleEnd+"\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "theorems"), 0o755)
	os.WriteFile(filepath.Join(repo, StatementsPath), []byte(StatusBegin+"\n"+StatusEnd+"\n"+StepBegin+"\n"+StepEnd+"\n"), 0o644)
	before, err := Generated(repo)
	if err != nil {
		t.Fatal(err)
	}
	p9 := func(readme string) string { // the claims table's P9 row
		for _, l := range strings.Split(readme, "\n") {
			if strings.HasPrefix(l, "| P9 |") {
				return l
			}
		}
		return ""
	}
	// Unedited, the committed brackets decide P9 on tau/ci-long as
	// reproduced (since its certificate has the joint bounds) or leave it
	// inconclusive; either way not "not reproduced".
	if !judgedNotRefuted(p9(before[ReadmePath]), "tau/ci-long") {
		t.Fatalf("unedited sweep: README's P9 row is neither reproduced nor inconclusive on tau/ci-long: %q", p9(before[ReadmePath]))
	}
	if !strings.Contains(before[ReadmePath], "| P9 (monotone in τ) | — | reproduced: `tau/ci-long` |") &&
		!strings.Contains(before[ReadmePath], "| P9 (monotone in τ) | — | **inconclusive**: `tau/ci-long` |") {
		t.Fatalf("unedited sweep: README's by-scale block lacks P9 reproduced or inconclusive at ci:\n%s", before[ReadmePath])
	}
	path := filepath.Join(repo, "results/tau/ci-long.csv")
	tab, err := sweep.ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(string(raw), "\n")
	colOf := func(name string) int { return slices.Index(tab.Header, name) }
	edited := 0
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		if len(f) == len(tab.Header) && f[colOf("tau_over_mu")] == "0.4" {
			for _, c := range []string{"robust_test_err", "robust_err_lb", "robust_err_ub"} {
				f[colOf(c)] = "0"
			}
			lines[i] = strings.Join(f, ",")
			edited++
		}
	}
	if edited == 0 {
		t.Fatal("no row at τ = 0.4 to edit")
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	after, err := Generated(repo)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p9(after[ReadmePath]), "**not reproduced**: `tau/ci-long`") {
		t.Errorf("after the edit README's P9 row is not 'not reproduced': %q", p9(after[ReadmePath]))
	}
	if !strings.Contains(after[ReadmePath], "| P9 (monotone in τ) | — | **not reproduced**: `tau/ci-long` |") {
		t.Errorf("after the edit the README by-scale block does not show P9 not reproduced at ci:\n%s", after[ReadmePath])
	}
	if s := stale(repo, after); len(s) == 0 {
		t.Errorf("edited CSV: the tables generated before the edit are not stale")
	}
}

// judgedNotRefuted reports whether a claims-table line judges the claim on
// file as reproduced or inconclusive (inside the hypotheses, not refuted).
func judgedNotRefuted(line, file string) bool {
	return strings.Contains(line, "reproduced: `"+file+"`") && !strings.Contains(line, "not reproduced**: `"+file+"`") ||
		strings.Contains(line, "**inconclusive**: `"+file+"`")
}

// TestSplice: the generated block replaces exactly the text between the
// markers; missing markers are an error.
func TestSplice(t *testing.T) {
	got, err := splice("a\n<b>\nold\n<e>\nz\n", "<b>", "<e>", "new\n")
	if err != nil || got != "a\n<b>\nnew\n<e>\nz\n" {
		t.Errorf("splice = %q, %v", got, err)
	}
	if _, err := splice("a\n<e>\n<b>\n", "<b>", "<e>", "x"); err == nil {
		t.Error("splice with reversed markers: no error")
	}
	if _, err := splice("a\n", "<b>", "<e>", "x"); err == nil {
		t.Error("splice without markers: no error")
	}
}
