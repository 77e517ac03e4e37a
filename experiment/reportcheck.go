package experiment

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// NoSidecarError reports a results CSV without its sidecar (x.json next
// to x.csv): the run that writes it was killed before it finished, or
// (Running set) is still being written by process PID. A report over
// such a file would silently leave it out.
type NoSidecarError struct {
	Path    string // the CSV file
	Running bool   // its lock is held: a run is in progress
	PID     int    // the lock holder's pid (0 if unknown)
}

func (e *NoSidecarError) Error() string {
	if e.Running {
		who := "another process"
		if e.PID > 0 {
			who = fmt.Sprintf("process %d", e.PID)
		}
		return fmt.Sprintf("%s is still being written (%s holds %s): a run is in progress; rerun the report when it has finished", e.Path, who, lockPath(e.Path))
	}
	return fmt.Sprintf("%s has no sidecar %s: its run did not finish (killed?); rerun the command that writes it (it resumes), or remove the file", e.Path, metaPath(e.Path))
}

// EmptyReportError reports a results root with nothing to report: no
// results CSV, no hunt log and no calibration.
type EmptyReportError struct{ Root string }

func (e *EmptyReportError) Error() string {
	return fmt.Sprintf("%s holds no results (no {phase,tau,dynamics,mnist}/*.csv, hunt/*.txt or calibrate/): nothing to report; run an experiment into it first, or give -results the results tree", e.Root)
}

// noSidecar returns the *NoSidecarError of csv, whose sidecar is missing,
// probing its lock without taking it (nothing is created).
func noSidecar(csv string) error {
	held, pid := LockHeld(csv)
	return &NoSidecarError{Path: csv, Running: held, PID: pid}
}

// LockHeld reports whether another process holds the lock of path (see
// Lock), and its pid if recorded, without taking the lock or creating
// the lock file. Where flock(2) does not exist it reports false.
func LockHeld(path string) (held bool, pid int) {
	f, err := os.Open(lockPath(path))
	if err != nil {
		return false, 0 // no lock file: nobody holds it
	}
	defer f.Close() // releases the lock if we got it (a stale lock file)
	if err := flock(f); errors.Is(err, errLocked) {
		fmt.Fscan(f, &pid)
		return true, pid
	}
	return false, 0
}

// checkFinite returns a *MetricError for the first value of t that is not
// a finite number, except NaN in a column of na (the columns in which NaN
// documents "not applicable", Job.NA). Execute refuses such a row on
// resume; the report refuses it too rather than print it.
func checkFinite(t *Table, na []string) error {
	cells := t.Col("cell")
	for _, h := range t.Header {
		for r, v := range t.Cols[h] {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				continue
			}
			if math.IsNaN(v) && slices.Contains(na, h) {
				continue
			}
			cell := -1
			if r < len(cells) {
				cell = int(cells[r])
			}
			return &MetricError{Path: t.Path, Cell: cell, Column: h, Value: strconv.FormatFloat(v, 'g', -1, 64)}
		}
	}
	return nil
}

// naOf returns the columns of an experiment kind in which NaN is a
// documented value.
func naOf(kind string) []string {
	if kind == "dynamics" {
		return dynNA
	}
	return nil
}

// removeStaleOutputs deletes the temporary files of store.WriteFileAtomic
// that a run killed during a rewrite left among the outputs of base path
// out, besides the CSV's own (removeStaleTemps): the sidecar's
// (".x.json.tmp-*"), the figures' (".x.png.tmp-*", ".x.svg.tmp-*", and
// those of the figures named x-<suffix>, e.g. ".ci-benign.png.tmp-*" of
// dynamics/ci) and, in the radius directory x.radii, those of the cells of
// shard (".cell-N.csv.tmp-*" with cell N in the shard, so that a shard
// never touches another shard's files). A figure x-<suffix> that belongs to
// another results file in the directory (tau/ci-long.png is ci-long's, not
// ci's) is left alone. Call it only while holding the lock of the shard's
// CSV.
func removeStaleOutputs(out string, shard Shard) {
	dir, base := filepath.Dir(out), filepath.Base(out)
	if shard.N <= 1 {
		removeStaleTemps(metaPath(out + ".csv"))
	}
	stems := map[string]bool{}
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, c := range csvs {
		stems[strings.TrimSuffix(filepath.Base(c), ".csv")] = true
	}
	// owner returns the results file a figure name belongs to: the longest
	// stem s with name == s or name = s-<suffix>.
	owner := func(name string) string {
		best := ""
		for s := range stems {
			if (name == s || strings.HasPrefix(name, s+"-")) && len(s) > len(best) {
				best = s
			}
		}
		return best
	}
	for _, ext := range []string{".png", ".svg"} {
		temps, _ := filepath.Glob(filepath.Join(dir, "."+base+"*"+ext+".tmp-*"))
		for _, f := range temps {
			name, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), "."), ext+".tmp-")
			if name == base || strings.HasPrefix(name, base+"-") && owner(name) == base {
				os.Remove(f)
			}
		}
	}
	temps, _ := filepath.Glob(filepath.Join(RadiiDir(out), ".cell-*.csv.tmp-*"))
	for _, f := range temps {
		n, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), ".cell-"), ".csv.tmp-")
		if i, err := strconv.Atoi(n); err == nil && shard.Has(i) {
			os.Remove(f)
		}
	}
}
