package mutate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/modroot"
)

// staleEntry is a mutant whose original snippet does not occur exactly
// once in its file (or whose file cannot be read); Why names the mutant,
// its file and the reason.
type staleEntry struct {
	ID, File, Why string
}

func (e staleEntry) String() string { return e.Why }

// staleMutants applies every mutant of ms to its file under root, without
// writing, and returns those that do not apply.
func staleMutants(root string, ms []Mutant) (stale []staleEntry) {
	for _, m := range ms {
		var why string
		if b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File))); err != nil {
			why = fmt.Sprintf("mutant %s: %v", m.ID, err)
		} else if _, err := m.Apply(string(b)); err != nil {
			why = err.Error()
		} else {
			continue
		}
		stale = append(stale, staleEntry{ID: m.ID, File: m.File, Why: why})
	}
	return stale
}

// realCatalogue reads the committed mutate/catalogue.txt as text and as
// mutants.
func realCatalogue(t *testing.T) (root, text string, ms []Mutant) {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "mutate", "catalogue.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err = Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("mutate/catalogue.txt: %v", err)
	}
	if len(ms) == 0 {
		t.Fatal("mutate/catalogue.txt holds no mutant")
	}
	return root, string(b), ms
}

// TestCatalogueCurrent: every mutant of mutate/catalogue.txt plants its bug
// in today's code — its original snippet occurs exactly once in its file —
// so `make mutate` runs instead of refusing a stale catalogue. Each stale
// mutant is named with its file and the reason.
func TestCatalogueCurrent(t *testing.T) {
	root, _, ms := realCatalogue(t)
	for _, e := range staleMutants(root, ms) {
		t.Errorf("stale catalogue: %s", e)
	}
}

// TestCatalogueCurrentNegativeControl: the same check on the real catalogue
// with planted blocks reports each planted stale mutant by ID (snippet
// gone, snippet twice, file gone — in model/ and in experiment/ alike) and
// accepts a planted current mutant.
func TestCatalogueCurrentNegativeControl(t *testing.T) {
	root, text, real := realCatalogue(t)
	planted := text + `
mutant planted-gone
file internal/mutate/catalogue.go
desc a snippet that is not in the file
<<<
func Parse(r io.Reader) ([]Mutant, float64) {
===
func Parse(r io.Reader) ([]Mutant, int) {
>>>

mutant planted-twice
file internal/mutate/catalogue.go
desc a snippet that occurs more than once
<<<
return nil, err
===
return nil, nil
>>>

mutant planted-no-file
file model/no/such/file.go
desc a file that does not exist
<<<
x
===
y
>>>

mutant planted-experiment
file experiment/no-such-file.go
desc a file that does not exist, under experiment/
<<<
x
===
y
>>>

mutant planted-current
file internal/mutate/catalogue.go
desc a snippet that occurs exactly once
<<<
func ParseFile(path string) ([]Mutant, error) {
===
func ParseFile(path string) ([]Mutant, error) { // mutated
>>>
`
	ms, err := Parse(strings.NewReader(planted))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(real)+5 {
		t.Fatalf("parsed %d mutants, want the %d of the catalogue + 5 planted", len(ms), len(real))
	}
	stale := staleMutants(root, ms)
	realStale := staleMutants(root, real)
	want := map[string]string{
		"planted-gone":       "not found",
		"planted-twice":      "occurs",
		"planted-no-file":    "file.go",
		"planted-experiment": "no-such-file.go",
	}
	got := map[string]string{}
	for _, e := range stale {
		got[e.ID] = e.Why
	}
	for id, msg := range want {
		if why, ok := got[id]; !ok || !strings.Contains(why, msg) {
			t.Errorf("%s: reported %v (%q), want reported with %q", id, ok, why, msg)
		}
	}
	if len(stale) != len(realStale)+len(want) {
		t.Errorf("%d stale, want the catalogue's %d + %d planted: %v", len(stale), len(realStale), len(want), stale)
	}
	if _, ok := got["planted-current"]; ok {
		t.Error("planted-current, whose snippet occurs once, reported stale")
	}
}
