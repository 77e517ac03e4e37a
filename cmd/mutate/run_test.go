package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRoot writes a one-file tree and a catalogue of two mutants for it.
func fakeRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "p"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "p/p.go"), []byte("package p\n\nfunc F(a int) int { return a + 1 }\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "cat.txt"), []byte(`mutant plus-two
file p/p.go
desc off by one
<<<
a + 1
===
a + 2
>>>

mutant minus
file p/p.go
desc sign
<<<
return a + 1
===
return a - 1
>>>
`), 0o644))
	return dir
}

func TestRunList(t *testing.T) {
	root := fakeRoot(t)
	var out strings.Builder
	if err := run(context.Background(), &out, []string{"-root", root, "-catalogue", "cat.txt", "-list", "-run", "^minus$"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "minus") || strings.Contains(out.String(), "plus-two") || !strings.Contains(out.String(), "1 mutants apply") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestRunErrors(t *testing.T) {
	root := fakeRoot(t)
	base := []string{"-root", root, "-catalogue", "cat.txt", "-list"}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-j", "0"}, "worker"},
		{[]string{"-timeout", "0s"}, "positive"},
		{[]string{"-run", "nomatch"}, "matches no mutant"},
		{[]string{"-run", "("}, "-run"},
		{[]string{"extra"}, "unexpected"},
		{[]string{"-catalogue", "missing.txt"}, "missing.txt"},
	} {
		var out strings.Builder
		err := run(context.Background(), &out, append(append([]string{}, base...), c.args...))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.msg)
		}
	}
	// A stale catalogue is refused before anything runs.
	if err := os.WriteFile(filepath.Join(root, "p/p.go"), []byte("package p\n\nfunc F(a int) int { return a }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err := run(context.Background(), &out, base)
	if err == nil || !strings.Contains(err.Error(), "stale catalogue") {
		t.Errorf("stale catalogue: error %v", err)
	}
}

// TestRunAbsoluteOut: an absolute -out is written where it says, not
// under -root (it used to be joined to the root).
func TestRunAbsoluteOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on a temporary module")
	}
	root := fakeRoot(t)
	for name, body := range map[string]string{
		"go.mod":      "module fake\n\ngo 1.26\n",
		"p/p_test.go": "package p\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {\n\tif F(1) != 2 {\n\t\tt.Fatal(F(1))\n\t}\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := exec.Command("git", "init", "-q")
	git.Dir = root
	if b, err := git.CombinedOutput(); err != nil {
		t.Skipf("git init: %v\n%s", err, b)
	}
	dst := filepath.Join(t.TempDir(), "report.txt")
	var out strings.Builder
	if err := run(context.Background(), &out, []string{"-root", root, "-catalogue", "cat.txt", "-run", "^minus$", "-out", dst, "-timeout", "1m"}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(dst)
	if err != nil || !strings.Contains(string(b), "killed 1/1") {
		t.Errorf("report at the absolute -out: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(root, dst)); err == nil {
		t.Errorf("report also written under the root at %s", filepath.Join(root, dst))
	}
}
