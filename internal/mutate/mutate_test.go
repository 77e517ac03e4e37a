package mutate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeModule writes a tiny module under a fresh git repository:
// calc.Add is tested by calc's own test, calc.Double only by package
// user's test, calc.Unused by nothing.
func fakeModule(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not in PATH", tool)
		}
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module fake\n\ngo 1.21\n",
		"calc/calc.go": `package calc

func Add(a, b int) int { return a + b }

func Double(a int) int { return 2 * a }

func Unused(a int) int { return a * 7 }
`,
		"calc/calc_test.go": `package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(2, 3) != 5 {
		t.Fatal("Add(2, 3) != 5")
	}
}
`,
		"user/user_test.go": `package user

import (
	"testing"

	"fake/calc"
)

func TestDouble(t *testing.T) {
	if calc.Double(2) != 4 {
		t.Fatal("Double(2) != 4")
	}
}
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("git", "init", "-q")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir
}

const fakeCatalogue = `# a comment
mutant add-minus
file calc/calc.go
desc Add subtracts
<<<
func Add(a, b int) int { return a + b }
===
func Add(a, b int) int { return a - b }
>>>

mutant double-triple
file calc/calc.go
desc Double triples; only another package's test sees it
<<<
return 2 * a
===
return 3 * a
>>>

mutant unused-eight
file calc/calc.go
desc nothing tests Unused
note expected survivor
<<<
return a * 7
===
return a * 8
>>>

mutant add-syntax
file calc/calc.go
desc does not compile
<<<
return a + b
===
return a +
>>>
`

func TestRunVerdicts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go test on a temporary module")
	}
	dir := fakeModule(t)
	ms, err := Parse(strings.NewReader(fakeCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(context.Background(), Options{Root: dir, Workers: 2, Timeout: 2 * time.Minute}, ms)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		v     Verdict
		stage string
	}{
		"add-minus":     {Killed, "package"},
		"double-triple": {Killed, "all"},
		"unused-eight":  {Survived, "all"},
		"add-syntax":    {Invalid, "build"},
	}
	if len(rs) != len(ms) {
		t.Fatalf("%d results for %d mutants", len(rs), len(ms))
	}
	for i, r := range rs {
		if r.Mutant.ID != ms[i].ID {
			t.Errorf("result %d is %s, want catalogue order (%s)", i, r.Mutant.ID, ms[i].ID)
		}
		w := want[r.Mutant.ID]
		if r.Verdict != w.v || r.Stage != w.stage {
			t.Errorf("%s: verdict %s at stage %s (by %q), want %s at %s", r.Mutant.ID, r.Verdict, r.Stage, r.By, w.v, w.stage)
		}
	}
	if s := Summarize(rs); s.Killed != 2 || s.Survived != 1 || s.Invalid != 1 || s.Ratio() != 0.5 {
		t.Errorf("summary %v, want 2 killed, 1 survived, 1 invalid, ratio 0.5", s)
	}
	// The real tree is never touched.
	b, err := os.ReadFile(filepath.Join(dir, "calc/calc.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "return a + b") || !strings.Contains(string(b), "return a * 7") {
		t.Errorf("the original tree was modified:\n%s", b)
	}
	var rep strings.Builder
	if err := WriteReport(&rep, Meta{Command: "make mutate"}, rs); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Regenerate with:  make mutate", "killed 2/4 (50.0%)", "## Survivors (1)", "- unused-eight", "note: expected survivor", "## Invalid (1)"} {
		if !strings.Contains(rep.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, rep.String())
		}
	}
}

// A mutant that hangs is stopped at the time limit and counted as killed,
// but reported apart.
func TestRunTimeout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go test on a temporary module")
	}
	dir := fakeModule(t)
	ms, err := Parse(strings.NewReader(`mutant add-hangs
file calc/calc.go
desc Add never returns
<<<
func Add(a, b int) int { return a + b }
===
func Add(a, b int) int { for { } }
>>>
`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rs, err := Run(context.Background(), Options{Root: dir, Timeout: 4 * time.Second}, ms) // a slow compile also ends as a timeout: the verdict is the same
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Verdict != Timeout {
		t.Fatalf("verdict %s (by %q), want timeout", rs[0].Verdict, rs[0].By)
	}
	if el := time.Since(start); !(el < 2*time.Minute) {
		t.Errorf("the hung test was not killed: run took %v", el)
	}
	if s := Summarize(rs); s.Ratio() != 1 {
		t.Errorf("a timeout counts as killed: ratio %v", s.Ratio())
	}
}

// A stale catalogue (snippet absent, or present more than once) stops the
// run before anything is tested.
func TestRunRejectsStaleCatalogue(t *testing.T) {
	dir := fakeModule(t)
	for _, tc := range []struct{ orig, msg string }{
		{"return a / b", "not found"},
		{"int) int {", "occurs 3 times"},
	} {
		ms := []Mutant{{ID: "stale", File: "calc/calc.go", Desc: "d", Original: tc.orig, Replacement: "x"}}
		_, err := Run(context.Background(), Options{Root: dir}, ms)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "stale") {
			t.Errorf("original %q: error %v, want one mentioning %q", tc.orig, err, tc.msg)
		}
	}
	ms := []Mutant{{ID: "nofile", File: "calc/missing.go", Desc: "d", Original: "a", Replacement: "b"}}
	if _, err := Run(context.Background(), Options{Root: dir}, ms); err == nil {
		t.Error("a mutant of a missing file was accepted")
	}
}

// A baseline that fails makes every verdict meaningless: Run refuses.
func TestRunRejectsFailingBaseline(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go test on a temporary module")
	}
	dir := fakeModule(t)
	p := filepath.Join(dir, "calc/calc.go")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(b), "a + b", "a + b + 1", 1)), 0o644)
	ms := []Mutant{{ID: "m", File: "calc/calc.go", Desc: "d", Original: "return a * 7", Replacement: "return a * 8"}}
	_, err := Run(context.Background(), Options{Root: dir, Timeout: time.Minute}, ms)
	if err == nil || !strings.Contains(err.Error(), "baseline") {
		t.Fatalf("err = %v, want a baseline failure", err)
	}
}

func TestParse(t *testing.T) {
	ms, err := Parse(strings.NewReader(fakeCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 4 {
		t.Fatalf("%d mutants, want 4", len(ms))
	}
	m := ms[0]
	if m.ID != "add-minus" || m.File != "calc/calc.go" || m.Desc != "Add subtracts" ||
		m.Original != "func Add(a, b int) int { return a + b }" ||
		m.Replacement != "func Add(a, b int) int { return a - b }" || m.Line != 2 {
		t.Errorf("first mutant parsed as %+v", m)
	}
	if ms[2].Note != "expected survivor" {
		t.Errorf("note %q", ms[2].Note)
	}
	// Multi-line snippets keep tabs and inner newlines; an empty replacement deletes.
	ms, err = Parse(strings.NewReader("mutant x\nfile f.go\ndesc d\n<<<\n\tif a {\n\t\tb()\n\t}\n===\n>>>\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Original != "\tif a {\n\t\tb()\n\t}" || ms[0].Replacement != "" {
		t.Errorf("parsed %q -> %q", ms[0].Original, ms[0].Replacement)
	}
	for _, bad := range []string{
		"mutant a\nfile f\ndesc d\n<<<\nx\n===\ny\n>>>\nmutant a\nfile f\ndesc d\n<<<\nx\n===\ny\n>>>\n", // duplicate id
		"mutant a\nfile f\ndesc d\n<<<\nx\n===\nx\n>>>\n",                                                // no change
		"mutant a\nfile f\n<<<\nx\n===\ny\n>>>\n",                                                        // no desc
		"mutant a\nfile f\ndesc d\n<<<\nx\n>>>\n",                                                        // no ===
		"mutant a\nfile f\ndesc d\n<<<\nx\n===\ny\n",                                                     // unterminated
		"mutant a b\nfile f\ndesc d\n<<<\nx\n===\ny\n>>>\n",                                              // bad id
		"file f\n", // outside a mutant
		"mutant a\nfile f\ndesc d\n<<<\n\n===\ny\n>>>\n", // empty original
	} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse accepted %q", bad)
		}
	}
}

func TestApply(t *testing.T) {
	m := Mutant{ID: "m", File: "f.go", Original: "a < b", Replacement: "a <= b"}
	got, err := m.Apply("if a < b { x }")
	if err != nil || got != "if a <= b { x }" {
		t.Errorf("Apply = %q, %v", got, err)
	}
	if _, err := m.Apply("if a > b {}"); err == nil {
		t.Error("Apply with no match succeeded")
	}
	if _, err := m.Apply("a < b; a < b"); err == nil {
		t.Error("Apply with two matches succeeded")
	}
}

func TestIsFail(t *testing.T) {
	for line, want := range map[string]bool{
		"--- FAIL: TestX (0.00s)":           true,
		"    --- FAIL: TestX/sub (0.00s)":   true,
		"FAIL\tvitadv/model/vit\t0.5s":      true,
		"FAIL":                              true,
		"panic: runtime error":              true,
		"ok  \tvitadv/model/vit\t0.5s":      false,
		"=== RUN   TestFAIL":                false,
		"    x_test.go:3: FAIL to converge": false,
	} {
		if isFail(line) != want {
			t.Errorf("isFail(%q) = %v, want %v", line, !want, want)
		}
	}
	if !isBuildFail("FAIL\tvitadv/x [build failed]") || isBuildFail("FAIL\tvitadv/x\t0.1s") {
		t.Error("isBuildFail")
	}
}
