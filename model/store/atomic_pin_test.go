package store

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFileAtomicTempBesideTargetPin pins where the temporary file of
// WriteFileAtomic lives: in the target's own directory, so that the final
// rename stays on one file system and is atomic (a temp file in os.TempDir
// can sit on another mount, where rename fails or degrades to copy). While
// the callback runs, exactly one ".<base>.tmp-*" file exists beside the
// target, and it is the file being written.
func TestWriteFileAtomicTempBesideTargetPin(t *testing.T) {
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
