package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dirNames returns the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "hello\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := string(readBytes(t, path)); got != "hello\n" {
		t.Errorf("contents = %q, want %q", got, "hello\n")
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "out.txt" {
		t.Errorf("directory holds %q, want only out.txt", names)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != filePerm {
		t.Errorf("mode = %v, want %v", st.Mode().Perm(), os.FileMode(filePerm))
	}
}

// TestWriteFileAtomicFailure: a failing callback leaves neither the target
// nor a temporary file, and an existing target keeps its old contents.
func TestWriteFileAtomicFailure(t *testing.T) {
	errWrite := errors.New("callback failed")
	failing := func(w io.Writer) error {
		io.WriteString(w, "half")
		return errWrite
	}
	t.Run("new", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.npz")
		if err := WriteFileAtomic(path, failing); !errors.Is(err, errWrite) {
			t.Fatalf("WriteFileAtomic = %v, want %v", err, errWrite)
		}
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("directory holds %q after a failed write, want nothing", names)
		}
	})
	t.Run("existing", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.npz")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, failing); !errors.Is(err, errWrite) {
			t.Fatalf("WriteFileAtomic = %v, want %v", err, errWrite)
		}
		if got := string(readBytes(t, path)); got != "old" {
			t.Errorf("contents = %q after a failed write, want %q", got, "old")
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("directory holds %q, want only out.npz", names)
		}
	})
	t.Run("panic", func(t *testing.T) {
		dir := t.TempDir()
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic in the callback did not propagate")
				}
			}()
			WriteFileAtomic(filepath.Join(dir, "out.npz"), func(w io.Writer) error { panic("boom") })
		}()
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("directory holds %q after a panicking write, want nothing", names)
		}
	})
	t.Run("missing-dir", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "dir", "out.npz")
		if err := WriteFileAtomic(path, func(io.Writer) error { return nil }); err == nil {
			t.Error("WriteFileAtomic into a missing directory succeeded")
		}
	})
}

// TestWriteFileAtomicTempBesideTarget pins where the temporary file of
// WriteFileAtomic lives: in the target's own directory, so that the final
// rename stays on one file system and is atomic (a temp file in os.TempDir
// can sit on another mount, where rename fails or degrades to copy). While
// the callback runs, exactly one ".<base>.tmp-*" file exists beside the
// target, and it is the file being written.
// It kills mutant store-atomic-tmp-elsewhere of mutate/catalogue.txt.
func TestWriteFileAtomicTempBesideTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	var during []string
	err := WriteFileAtomic(path, func(w io.Writer) error {
		during = dirNames(t, dir)
		_, err := io.WriteString(w, "payload")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 || !strings.HasPrefix(during[0], ".out.bin.tmp-") {
		t.Fatalf("during the write %s holds %q, want one .out.bin.tmp-* file", dir, during)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "payload" {
		t.Errorf("contents %q", b)
	}
	if after := dirNames(t, dir); len(after) != 1 || after[0] != "out.bin" {
		t.Errorf("after the write %s holds %q, want only out.bin", dir, after)
	}
}
