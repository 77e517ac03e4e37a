package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockedError reports a results file that another process is writing: two
// writers on one CSV would interleave their cells (THEORY-independent
// bookkeeping; see Lock).
type LockedError struct {
	Path string // the results file
	PID  int    // the holder's process id as it recorded it (0 if unknown)
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("another process (pid %d)", e.PID)
	}
	return fmt.Sprintf("%s is writing %s (lock %s): wait for it to finish, or write elsewhere with -out or -results", who, e.Path, lockPath(e.Path))
}

func lockPath(path string) string { return path + ".lock" }

// fileLock is an advisory lock on a results file.
type fileLock struct{ f *os.File }

// Lock takes the advisory lock of the results file path: an exclusive,
// non-blocking flock(2) on path+".lock", which records the holder's pid.
// The kernel releases the lock when the holder exits, even on kill -9, so a
// stale lock file is harmless: the next writer simply locks it again. A
// second writer gets a *LockedError at once. The directory of path must
// exist.
func Lock(path string) (*fileLock, error) {
	for {
		f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		if err := flock(f); err != nil {
			pid, _ := strconv.Atoi(strings.TrimSpace(readAll(f)))
			f.Close()
			if errors.Is(err, errLocked) {
				return nil, &LockedError{Path: path, PID: pid}
			}
			return nil, err
		}
		// The holder before us removes the lock file before releasing
		// it; if we locked such a removed file, start over.
		fi, err1 := f.Stat()
		cur, err2 := os.Stat(lockPath(path))
		if err1 != nil || err2 != nil || !os.SameFile(fi, cur) {
			f.Close()
			continue
		}
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		return &fileLock{f: f}, nil
	}
}

// Unlock releases the lock and removes the lock file.
func (l *fileLock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	// Remove before closing: a writer that opened the old file after us
	// locks an unlinked inode, which cannot happen while we hold it.
	os.Remove(l.f.Name())
	l.f.Close()
	l.f = nil
}

func readAll(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	return string(b[:n])
}

// removeStaleTemps deletes the temporary files store.WriteFileAtomic left
// next to path when a process was killed during a rewrite (".<base>.tmp-*").
// Call it only while holding path's lock.
func removeStaleTemps(path string) {
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	for _, f := range old {
		os.Remove(f)
	}
}

// mkdirTracked creates dir and its missing parents and returns the
// directories it created, deepest first (for removeDirs).
func mkdirTracked(dir string) ([]string, error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !os.IsNotExist(err) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return created, nil
}

// removeDirs removes the (empty) directories mkdirTracked created.
func removeDirs(dirs []string) {
	for _, d := range dirs {
		os.Remove(d)
	}
}
