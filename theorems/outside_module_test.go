package theorems_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/modroot"
)

// outsideMain is a program of another module that uses the library as
// README's "Using the library from another module" shows (the statement of
// ExampleLinearCollapseMargin).
const outsideMain = `package main

import (
	"fmt"

	"vitadv/model/attack"
	"vitadv/model/vit"
	"vitadv/theorems"
)

func main() {
	m, _ := vit.New(vit.Arch{D: 2, Dh: 1, Dv: 1})
	m.Wv[0], m.Wv[1], m.Wo[0] = 3, 4, 1
	v, err := theorems.LinearCollapseMargin(m, []float64{1, 0, 0, 1}, 1, nil, attack.Frobenius, 0.5, theorems.Defaults())
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Statement, "holds:", v.Holds())
}
`

// TestOutsideModule builds and runs a program in a module of its own that
// imports vitadv, once through a replace directive in its go.mod and once
// through a go.work file, as README documents. It works offline from the
// module cache (GOFLAGS=-mod=mod, GOPROXY as configured, this module's
// go.sum copied for the shared dependencies) and skips with a message
// when the cache lacks them. Control: without the replace (and no
// workspace) the build must fail — the path vitadv cannot be fetched.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and links a program of another module")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	module := func(t *testing.T, gomod string) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644)
		os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(outsideMain), 0o644)
		return dir
	}
	run := func(dir string, env ...string) (string, error) {
		cmd := exec.Command(goTool, "run", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append([]string{"GOFLAGS=-mod=mod"}, env...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	offline := func(t *testing.T, out string) {
		for _, s := range []string{"dial tcp", "no such host", "GOPROXY=off", "module lookup disabled", "connection refused", "i/o timeout"} {
			if strings.Contains(out, s) {
				t.Skipf("the module cache lacks a dependency and the network is not reachable:\n%s", out)
			}
		}
	}
	const want = "P10 LinearCollapseMargin holds: true"
	gomod, work := readmeRecipe(t, filepath.Join(root, "README.md"))

	t.Run("replace", func(t *testing.T) {
		dir := module(t, strings.ReplaceAll(gomod, "=> ../vitadv", "=> "+root))
		out, err := run(dir, "GOWORK=off")
		if err != nil {
			offline(t, out)
			t.Fatalf("go run with a replace directive: %v\n%s", err, out)
		}
		if !strings.Contains(out, want) {
			t.Errorf("go run printed %q, want %q", out, want)
		}
	})
	t.Run("go.work", func(t *testing.T) {
		dir := module(t, "module example.com/usevitadv\n\ngo 1.26.0\n")
		args := strings.Fields(strings.ReplaceAll(work, "../vitadv", root))
		init := exec.Command(goTool, args[1:]...)
		init.Dir = dir
		init.Env = append(os.Environ(), "GOWORK=")
		if out, err := init.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", work, err, out)
		}
		cmd := exec.Command(goTool, "run", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(dir, "go.work"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			offline(t, string(out))
			t.Fatalf("go run in a workspace: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("go run printed %q, want %q", out, want)
		}
	})
	t.Run("control: no replace", func(t *testing.T) {
		dir := module(t, "module example.com/usevitadv\n\ngo 1.26.0\n\nrequire vitadv v0.0.0\n")
		out, err := run(dir, "GOWORK=off", "GOPROXY=off")
		if err == nil {
			t.Errorf("go run without a replace directive succeeded:\n%s", out)
		}
	})
}

// readmeRecipe returns README's go.mod of an outside module (the gomod
// block of "Using the library from another module") and its `go work
// init` command; the test fails if the section lacks either.
func readmeRecipe(t *testing.T, readme string) (gomod, work string) {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "## Using the library from another module")
	if !ok {
		t.Fatalf("README has no section \"Using the library from another module\"")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	_, block, ok1 := strings.Cut(sec, "```gomod\n")
	block, _, ok2 := strings.Cut(block, "```")
	_, cmd, ok3 := strings.Cut(sec, "`go work init")
	cmd, _, ok4 := strings.Cut(cmd, "`")
	if !ok1 || !ok2 || !ok3 || !ok4 || !strings.Contains(block, "replace vitadv => ../vitadv") {
		t.Fatalf("README's section lacks the go.mod block with `replace vitadv => ../vitadv` or the `go work init` command:\n%s", sec)
	}
	return block, "go work init" + cmd
}
