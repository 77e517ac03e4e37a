package mutate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/modroot"
)

// deferredPrefixes are the directories whose mutants TestCatalogueCurrent
// lists but does not fail on: the refactor of issue 16 moves experiment/
// and cmd/ code into new packages and re-targets the mutants of that code
// on its own branch. The lead empties this list at merge, after which every
// mutant of the catalogue must apply.
var deferredPrefixes = []string{"experiment/", "cmd/"}

// staleEntry is a mutant whose original snippet does not occur exactly
// once in its file (or whose file cannot be read); Why names the mutant,
// its file and the reason.
type staleEntry struct {
	ID, File, Why string
}

func (e staleEntry) String() string { return e.Why }

// staleMutants applies every mutant of ms to its file under root, without
// writing, and returns those that do not apply: stale are the ones to fail
// on, deferred those under one of the deferred prefixes.
func staleMutants(root string, ms []Mutant, deferred []string) (stale, later []staleEntry) {
	for _, m := range ms {
		var why string
		if b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File))); err != nil {
			why = fmt.Sprintf("mutant %s: %v", m.ID, err)
		} else if _, err := m.Apply(string(b)); err != nil {
			why = err.Error()
		} else {
			continue
		}
		e := staleEntry{ID: m.ID, File: m.File, Why: why}
		if hasAnyPrefix(m.File, deferred) {
			later = append(later, e)
		} else {
			stale = append(stale, e)
		}
	}
	return stale, later
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
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
// mutant is named with its file and the reason. Mutants of experiment/ and
// cmd/ (deferredPrefixes) are listed and skipped while issue 16's refactor
// re-targets them; the test fails on any other stale one.
func TestCatalogueCurrent(t *testing.T) {
	root, _, ms := realCatalogue(t)
	stale, later := staleMutants(root, ms, deferredPrefixes)
	for _, e := range stale {
		t.Errorf("stale catalogue: %s", e)
	}
	if len(later) == 0 {
		return
	}
	var b strings.Builder
	for _, e := range later {
		fmt.Fprintf(&b, "\n  %s", e)
	}
	if len(stale) > 0 {
		t.Logf("also stale, under %v (re-targeted by the refactor):%s", deferredPrefixes, b.String())
		return
	}
	t.Skipf("%d of %d mutants apply; %d stale under %v, re-targeted by issue 16's refactor (remove deferredPrefixes at merge):%s",
		len(ms)-len(later), len(ms), len(later), deferredPrefixes, b.String())
}

// TestCatalogueCurrentNegativeControl: the same check on the real catalogue
// with planted blocks reports each planted stale mutant by ID (snippet
// gone, snippet twice, file gone), sorts a planted stale experiment/ mutant
// into the deferred list and not the failing one, and accepts a planted
// current mutant.
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

mutant planted-deferred
file experiment/no-such-file.go
desc a stale mutant under a deferred prefix
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
	stale, later := staleMutants(root, ms, deferredPrefixes)
	realStale, realLater := staleMutants(root, real, deferredPrefixes)
	want := map[string]string{
		"planted-gone":    "not found",
		"planted-twice":   "occurs",
		"planted-no-file": "file.go",
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
	if _, ok := got["planted-deferred"]; ok {
		t.Error("planted-deferred (experiment/) reported as a failure, want deferred")
	}
	if len(later) != len(realLater)+1 || later[len(later)-1].ID != "planted-deferred" {
		t.Errorf("deferred %v, want the catalogue's %d + planted-deferred", later, len(realLater))
	}
	// Without the deferral, the experiment/ mutant fails like the others.
	if stale, _ := staleMutants(root, ms, nil); len(stale) != len(realStale)+len(realLater)+len(want)+1 {
		t.Errorf("no deferred prefixes: %d stale, want every stale mutant (%d)", len(stale), len(realStale)+len(realLater)+len(want)+1)
	}
}
