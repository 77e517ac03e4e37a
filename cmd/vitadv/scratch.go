package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vitadv/sweep"
)

// The scratch directories of `all` without -results are
// results/tmp/<preset>-<random>. A run that finished (its report written)
// holds completeMarker; while `all` works in one it holds the lock of
// scratchLockBase (sweep.Lock), so that another `all` neither resumes
// nor removes it.
const (
	completeMarker  = ".all-complete"
	scratchLockBase = ".all"
)

// scratchDirs returns the scratch directories of preset under root.
func scratchDirs(root, preset string) []string {
	m, _ := filepath.Glob(filepath.Join(root, preset+"-*"))
	var out []string
	for _, d := range m {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

// inUse reports whether an `all` run holds the scratch directory dir.
func inUse(dir string) bool {
	held, _ := sweep.LockHeld(filepath.Join(dir, scratchLockBase))
	return held
}

// complete reports whether the run in dir finished.
func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// lastWrite returns the newest modification time of a file under dir.
func lastWrite(dir string) time.Time {
	var t time.Time
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil && info.ModTime().After(t) {
			t = info.ModTime()
		}
		return nil
	})
	return t
}

// pickScratch returns the scratch directory for a run of preset under
// root: unless fresh, the most recently written unfinished one that no
// other run holds (resumed reports that case); otherwise a new one.
func pickScratch(root, preset string, fresh bool) (dir string, resumed bool, err error) {
	if !fresh {
		var best time.Time
		for _, d := range scratchDirs(root, preset) {
			if complete(d) || inUse(d) {
				continue
			}
			if t := lastWrite(d); dir == "" || t.After(best) {
				dir, best = d, t
			}
		}
		if dir != "" {
			return dir, true, nil
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", false, err
	}
	dir, err = os.MkdirTemp(root, preset+"-")
	return dir, false, err
}

// cleanScratch removes every scratch directory of preset under root
// except keep and those another run holds: finished runs before this one
// and unfinished runs this one superseded. It names what it removed.
func cleanScratch(w io.Writer, root, preset, keep string) {
	var gone []string
	for _, d := range scratchDirs(root, preset) {
		if same, _ := sameDir(d, keep); same || inUse(d) {
			continue
		}
		if err := os.RemoveAll(d); err == nil {
			gone = append(gone, d)
		}
	}
	if len(gone) > 0 {
		fmt.Fprintf(w, "all: removed %d stale scratch director%s: %s\n", len(gone), map[bool]string{true: "y", false: "ies"}[len(gone) == 1], strings.Join(gone, ", "))
	}
}

// resumeCommand is the command line that resumes a scratch run of preset
// (with -full when the run computes every cell).
func resumeCommand(preset string, full bool) string {
	if full {
		return "go run ./cmd/vitadv all -preset " + preset + " -full"
	}
	return "go run ./cmd/vitadv all -preset " + preset
}
