package main

import (
	"context"
	"os"
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
