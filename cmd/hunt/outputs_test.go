package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultOutIsScratch: without -out, hunt writes its counterexample
// files and SUMMARY.txt under the git-ignored results/tmp/hunt, never into
// the committed results/hunt; with -out results/hunt it writes there
// (negative control: the check would see files written to results/hunt).
func TestDefaultOutIsScratch(t *testing.T) {
	t.Chdir(t.TempDir())
	args := []string{"-statement", "Thm4.2(iii)", "-checks", "40", "-relax", "-const", "c3=0.3", "-max-fail", "1"}
	var b bytes.Buffer
	if err := run(&b, args); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("results", "hunt")); !os.IsNotExist(err) {
		t.Errorf("hunt without -out wrote into results/hunt (stat err %v)", err)
	}
	files, _ := filepath.Glob(filepath.Join("results", "tmp", "hunt", "*.json"))
	if len(files) == 0 {
		t.Fatalf("hunt without -out wrote no counterexample into results/tmp/hunt; output:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "-replay results/tmp/hunt/") {
		t.Errorf("replay lines do not name the scratch files:\n%s", b.String())
	}
	b.Reset()
	if err := run(&b, append(args, "-out", filepath.Join("results", "hunt"))); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join("results", "hunt", "*.json")); len(files) == 0 {
		t.Errorf("hunt -out results/hunt wrote nothing there")
	}
}
