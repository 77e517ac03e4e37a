package properties

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"vitadv/theorems"
)

// TestRegistry checks that theorems.All() is a fresh list of distinct
// statements, and that every test it names exists in this package.
func TestRegistry(t *testing.T) {
	a, b := theorems.All(), theorems.All()
	a[0].ID = "mutated"
	if b[0].ID == "mutated" {
		t.Fatalf("All() shares its slice between calls, want a fresh list")
	}
	defined := definedTests(t)
	seen := map[string]bool{}
	for _, s := range theorems.All() {
		if seen[s.ID] {
			t.Errorf("statement ID %q appears twice", s.ID)
		}
		seen[s.ID] = true
		if len(s.Tests) != 3 {
			t.Errorf("%s lists %d tests, want 3 (property, tightness, control)", s.ID, len(s.Tests))
		}
		for _, name := range s.Tests {
			if !defined[name] {
				t.Errorf("%s names test %s, which is not defined in properties/", s.ID, name)
			}
		}
		if s.Tag == "" || s.Axes == nil || s.Check == nil {
			t.Errorf("%s: missing tag, axes or evaluator", s.ID)
		}
	}
}

// definedTests returns the names of the Test functions defined in this
// package's test files.
func definedTests(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("*_test.go")
	defined := map[string]bool{}
	re := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			defined[m[1]] = true
		}
	}
	return defined
}
