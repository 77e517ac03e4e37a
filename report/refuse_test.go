package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/internal/check"
	"vitadv/sweep"
)

// TestReportRefusesNaN: a NaN (or ±Inf) in a results CSV — here the
// robust error bracket of a τ sweep, where resume refuses it too — is a
// *sweep.MetricError naming the file, the cell and the column, and nothing is
// written; the unchanged file reports (control), and NaN stays allowed in
// the dynamics columns that document "not applicable" (the committed
// dynamics/ci.csv, TestGeneratedTablesCurrent).
func TestReportRefusesNaN(t *testing.T) {
	root := t.TempDir()
	csv := copyFixture(t, root)
	if _, _, err := ReportText(root); err != nil {
		t.Fatalf("unchanged fixture: %v", err)
	}
	b, _ := os.ReadFile(csv)
	lines := strings.Split(string(b), "\n")
	header := strings.Split(lines[0], ",")
	col := -1
	for i, h := range header {
		if h == "robust_err_ub" {
			col = i
		}
	}
	for _, bad := range []string{"NaN", "+Inf"} {
		f := strings.Split(lines[3], ",")
		f[col] = bad
		changed := append(append([]string{}, lines[:3]...), strings.Join(f, ","))
		os.WriteFile(csv, []byte(strings.Join(append(changed, lines[4:]...), "\n")), 0o644)
		before := check.DirState(t, root)
		_, err := Report(root)
		var me *sweep.MetricError
		if !errors.As(err, &me) || me.Path != csv || me.Column != "robust_err_ub" || me.Cell != 2 {
			t.Errorf("Report with %s in cell 2's robust_err_ub: err = %v, want a *sweep.MetricError naming %s, cell 2 and the column", bad, err, csv)
		}
		if after := check.DirState(t, root); len(after) != len(before) {
			t.Errorf("a refused report wrote files")
		}
	}
}

// TestReportRefusesMissingSidecar: a results CSV without its sidecar is a
// *NoSidecarError naming the file, saying the run is in progress (with the
// writer's pid) while its lock is held and that it did not finish
// otherwise; the probe creates no lock file. An empty results root is an
// *EmptyReportError, and REPORT.md is written in neither case.
func TestReportRefusesMissingSidecar(t *testing.T) {
	root := t.TempDir()
	csv := copyFixture(t, root)
	os.Remove(strings.TrimSuffix(csv, ".csv") + ".json")
	_, err := Report(root)
	var ns *NoSidecarError
	if !errors.As(err, &ns) || ns.Path != csv || ns.Running || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Report with a CSV without sidecar: err = %v, want a *NoSidecarError naming %s, not running", err, csv)
	}
	if _, err := os.Stat(csv + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the report's probe created %s.lock", csv)
	}
	lk, err := sweep.Lock(csv)
	if err != nil {
		t.Fatal(err)
	}
	_, second := sweep.Lock(csv) // a *sweep.LockedError where flock(2) exists
	_, err = Report(root)
	lk.Unlock()
	var le *sweep.LockedError
	if !errors.As(second, &le) {
		t.Skip("no advisory locks on this system: a run in progress is not detected")
	}
	if !errors.As(err, &ns) || !ns.Running || ns.PID != os.Getpid() || !strings.Contains(err.Error(), "in progress") {
		t.Errorf("Report while the CSV is locked: err = %v, want a *NoSidecarError saying a run (pid %d) is in progress", err, os.Getpid())
	}
	if _, err := os.Stat(filepath.Join(root, "REPORT.md")); !os.IsNotExist(err) {
		t.Errorf("a refused report wrote REPORT.md")
	}

	empty := t.TempDir()
	_, err = Report(empty)
	var ee *EmptyReportError
	if !errors.As(err, &ee) || ee.Root != empty {
		t.Errorf("Report on an empty root: err = %v, want an *EmptyReportError", err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("Report on an empty root wrote %d files", len(ents))
	}
}

// copyFixture copies the fixture τ sweep s64 (CSV and sidecar) into
// root/tau and returns the CSV's path there.
func copyFixture(t *testing.T, root string) string {
	t.Helper()
	os.MkdirAll(filepath.Join(root, "tau"), 0o755)
	for _, ext := range []string{".csv", ".json"} {
		b, err := os.ReadFile(filepath.Join(fixtureRoot, "tau", "s64"+ext))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(root, "tau", "s64"+ext), b, 0o644)
	}
	return filepath.Join(root, "tau", "s64.csv")
}
