package modroot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// tree makes root/go.mod declaring module mod and root/a/b, and returns
// root.
func tree(t *testing.T, mod string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("// comment\nmodule "+mod+"\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestFindFromSubdirectory: the root is found from itself and from a
// subdirectory two levels down; Require accepts the root and refuses the
// subdirectory with an *Error naming the root.
func TestFindFromSubdirectory(t *testing.T) {
	root := tree(t, "vitadv")
	sub := filepath.Join(root, "a", "b")
	for _, dir := range []string{root, sub} {
		got, err := Find(dir)
		if err != nil || got != root {
			t.Errorf("Find(%s) = %q, %v; want %q", dir, got, err, root)
		}
	}
	if err := Require(root); err != nil {
		t.Errorf("Require(root) = %v, want nil", err)
	}
	err := Require(sub)
	var me *Error
	if !errors.As(err, &me) || me.Root != root || me.Dir != sub {
		t.Errorf("Require(subdirectory) = %v, want an *Error naming root %s", err, root)
	}
}

// TestFindOtherModule: a go.mod of another module is not the root (the
// search goes on above it and ends with an *Error with no Root); a
// directory with no go.mod above it is refused the same way.
func TestFindOtherModule(t *testing.T) {
	other := tree(t, "example.com/vitadvx")
	for _, dir := range []string{other, filepath.Join(other, "a")} {
		_, err := Find(dir)
		var me *Error
		if !errors.As(err, &me) || me.Root != "" {
			t.Errorf("Find(%s) = %v, want an *Error with no root", dir, err)
		}
		if err := Require(dir); err == nil {
			t.Errorf("Require(%s) = nil in another module", dir)
		}
	}
	// Nested: a vitadv module above another module's directory is found.
	root := tree(t, "vitadv")
	inner := filepath.Join(root, "a")
	os.WriteFile(filepath.Join(inner, "go.mod"), []byte("module other\n"), 0o644)
	if got, err := Find(filepath.Join(inner, "b")); err != nil || got != root {
		t.Errorf("Find below a nested module = %q, %v; want %q", got, err, root)
	}
}

// TestThisRepository: the package's own directory lies inside the module.
func TestThisRepository(t *testing.T) {
	root, err := Find(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "README.md")); err != nil {
		t.Errorf("Find(.) = %s, which has no README.md", root)
	}
}
