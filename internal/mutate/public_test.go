package mutate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/mutate"
)

// TestCheckFromOutside: Check accepts a catalogue whose snippets occur
// once and reports, by ID, one whose snippet is missing or repeated
// (negative controls), without writing the files.
func TestCheckFromOutside(t *testing.T) {
	root := t.TempDir()
	src := "package calc\n\nfunc Add(a, b int) int { return a + b }\n\nfunc Twice(a int) int { return a + a }\n"
	if err := os.WriteFile(filepath.Join(root, "calc.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := `# one good, one stale, one ambiguous
mutant add-minus
file calc.go
desc Add subtracts
<<<
return a + b
===
return a - b
>>>

mutant mul-gone
file calc.go
desc a function that is not there
<<<
return a * b
===
return a / b
>>>

mutant plus-twice
file calc.go
desc matches twice
<<<
 + 
===
 - 
>>>
`
	ms, err := mutate.Parse(strings.NewReader(cat))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].ID != "add-minus" || ms[0].File != "calc.go" {
		t.Fatalf("parsed %+v", ms)
	}
	if err := mutate.Check(root, ms[:1]); err != nil {
		t.Errorf("a current mutant: %v", err)
	}
	err = mutate.Check(root, ms)
	if err == nil || !strings.Contains(err.Error(), "mul-gone") || !strings.Contains(err.Error(), "plus-twice") || strings.Contains(err.Error(), "add-minus") {
		t.Errorf("Check = %v, want the stale mul-gone and the ambiguous plus-twice named, add-minus not", err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "calc.go")); string(got) != src {
		t.Error("Check modified the file")
	}
	s := mutate.Summarize([]mutate.Result{{Verdict: mutate.Killed}, {Verdict: mutate.Killed}, {Verdict: mutate.Survived}})
	if s.Total != 3 || s.Killed != 2 || s.Survived != 1 || !(s.Ratio() > 0.66 && s.Ratio() < 0.67) {
		t.Errorf("Summarize = %+v (ratio %g)", s, s.Ratio())
	}
}
