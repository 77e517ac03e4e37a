package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// filePerm is the mode of every file written here: readable by all,
// writable by the owner (os.CreateTemp would leave 0600).
const filePerm = 0o644

// WriteFileAtomic writes path through write and replaces path only when
// write and every file operation succeeded:
//
//  1. create a temporary file ".<base>.tmp-*" in path's directory (so the
//     final rename stays on one file system and is atomic on POSIX);
//  2. call write with a buffered writer to it, flush, fsync, close;
//  3. rename it over path and fsync the directory (best effort).
//
// On any error, and if write panics, the temporary file is removed, path is
// left as it was, and the first error is returned. The file mode is 0644.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done { // error or panic: leave nothing behind
			f.Close()
			os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := f.Chmod(filePerm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		done = true
		return err
	}
	done = true
	// Make the rename itself durable. Some systems cannot fsync a
	// directory; the new file is complete either way, so this is best effort.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
