package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"vitadv/experiment"
	"vitadv/sweep"
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
		return fmt.Sprintf("%s is still being written (%s holds %s): a run is in progress; rerun the report when it has finished", e.Path, who, sweep.LockPath(e.Path))
	}
	return fmt.Sprintf("%s has no sidecar %s: its run did not finish (killed?); rerun the command that writes it (it resumes), or remove the file", e.Path, sweep.MetaPath(e.Path))
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
	held, pid := sweep.LockHeld(csv)
	return &NoSidecarError{Path: csv, Running: held, PID: pid}
}

// checkFinite returns a *MetricError for the first value of t that is not
// a finite number, except NaN in a column of na (the columns in which NaN
// documents "not applicable", Job.NA). Execute refuses such a row on
// resume; the report refuses it too rather than print it.
func checkFinite(t *sweep.Table, na []string) error {
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
			return &sweep.MetricError{Path: t.Path, Cell: cell, Column: h, Value: strconv.FormatFloat(v, 'g', -1, 64)}
		}
	}
	return nil
}

// naOf returns the columns of an experiment kind in which NaN is a
// documented value.
func naOf(kind string) []string {
	if kind == "dynamics" {
		return experiment.DynNA
	}
	return nil
}
