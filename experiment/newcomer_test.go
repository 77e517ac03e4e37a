package experiment

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParseLogInterruptedCellThenNext: a multi-row cell cut short (2 of
// its 3 rows) and followed by the next cell is not a torn tail: OpenLog
// (tolerant) and CheckLayout (strict) both return a *CorruptError at the
// first row of the next cell naming the interrupted cell, and OpenLog
// leaves the file untouched. The same interrupted cell at the end of the
// file is a torn tail: OpenLog keeps the complete cells and truncates it
// (control: the two cases differ only by what follows the cut).
func TestParseLogInterruptedCellThenNext(t *testing.T) {
	header := []string{"cell", "step", "x"}
	rows := func(cell string, n int) string {
		var b strings.Builder
		for s := range n {
			b.WriteString(cell + "," + string(rune('0'+s)) + ",0.5\n")
		}
		return b.String()
	}
	full0, part1, full2 := rows("0", 3), rows("1", 2), rows("2", 3)
	dir := t.TempDir()

	path := filepath.Join(dir, "mid.csv")
	content := "cell,step,x\n" + full0 + part1 + full2
	os.WriteFile(path, []byte(content), 0o644)
	_, _, err := OpenLog(path, header, 3)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 7 || !strings.Contains(ce.Reason, "cell 2 starts before cell 1 has its 3 rows") {
		t.Errorf("OpenLog(interrupted cell 1, then cell 2) = %v, want a *CorruptError at line 7 naming cells 2 and 1", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Errorf("OpenLog changed a file it refused:\n%s", b)
	}
	if err := CheckLayout(path); !errors.As(err, &ce) || ce.Line != 7 {
		t.Errorf("CheckLayout(interrupted cell 1, then cell 2) = %v, want a *CorruptError at line 7", err)
	}
	// The interrupted cell resumed later, after cell 2: still refused
	// (cell 1 would otherwise be counted with rows from two runs).
	os.WriteFile(path, []byte("cell,step,x\n"+full0+part1+full2+rows("1", 3)), 0o644)
	if _, _, err := OpenLog(path, header, 3); !errors.As(err, &ce) {
		t.Errorf("OpenLog(interrupted cell 1, cell 2, cell 1 again) = %v, want a *CorruptError", err)
	}

	// Control: the interrupted cell last is a torn tail, cut away.
	tail := filepath.Join(dir, "tail.csv")
	os.WriteFile(tail, []byte("cell,step,x\n"+full0+full2+part1), 0o644)
	l, dropped, err := OpenLog(tail, header, 3)
	if err != nil {
		t.Fatalf("OpenLog(torn last cell) = %v, want it resumed", err)
	}
	defer l.Close()
	if l.Len() != 2 || !l.Done(0) || !l.Done(2) || l.Done(1) || dropped != int64(len(part1)) {
		t.Errorf("OpenLog(torn last cell): %d cells (0 %v, 1 %v, 2 %v), dropped %d; want cells 0 and 2, %d bytes dropped", l.Len(), l.Done(0), l.Done(1), l.Done(2), dropped, len(part1))
	}
	if b, _ := os.ReadFile(tail); !bytes.Equal(b, []byte("cell,step,x\n"+full0+full2)) {
		t.Errorf("torn last cell not truncated:\n%s", b)
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

// TestReportRefusesNaN: a NaN (or ±Inf) in a results CSV — here the
// robust error bracket of a τ sweep, where resume refuses it too — is a
// *MetricError naming the file, the cell and the column, and nothing is
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
		before := dirState(t, root)
		_, err := Report(root)
		var me *MetricError
		if !errors.As(err, &me) || me.Path != csv || me.Column != "robust_err_ub" || me.Cell != 2 {
			t.Errorf("Report with %s in cell 2's robust_err_ub: err = %v, want a *MetricError naming %s, cell 2 and the column", bad, err, csv)
		}
		if after := dirState(t, root); len(after) != len(before) {
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
	lk, err := Lock(csv)
	if err != nil {
		t.Fatal(err)
	}
	_, second := Lock(csv) // a *LockedError where flock(2) exists
	_, err = Report(root)
	lk.Unlock()
	var le *LockedError
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

// TestResumeRemovesStaleTemps: the temporary files a kill -9 leaves among
// a run's outputs — the sidecar's, the figures' (x.png, x.svg, x-benign.png)
// and those in the radius directory x.radii — are removed when the run is
// resumed; those of another results file in the same directory (x-long,
// which has its own CSV) and of a cell outside the shard are kept
// (control: the cleanup is not a blanket glob).
func TestResumeRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x")
	if _, err := Execute(fakeJob(4, func(int) string { return "1" }), Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "x-long.csv"), []byte("cell\n"), 0o644)
	os.MkdirAll(RadiiDir(out), 0o755)
	stale := []string{".x.json.tmp-1", ".x.png.tmp-2", ".x.svg.tmp-3", ".x-benign.png.tmp-4", ".x-benign.svg.tmp-5", "x.radii/.cell-0.csv.tmp-6", "x.radii/.cell-3.csv.tmp-7"}
	keep := []string{".x-long.png.tmp-8", ".x-long.svg.tmp-9", ".y.png.tmp-10", "x.radii/cell-0.csv"}
	for _, f := range append(append([]string{}, stale...), keep...) {
		os.WriteFile(filepath.Join(dir, f), []byte("partial"), 0o644)
	}
	if _, err := Execute(fakeJob(4, func(int) string { return "1" }), Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("after a resume, %s is still there", f)
		}
	}
	for _, f := range keep {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the resume removed %s, which is not its own: %v", f, err)
		}
	}
	// A shard removes only the radius temporaries of its own cells.
	os.WriteFile(filepath.Join(dir, "x.radii/.cell-1.csv.tmp-11"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "x.radii/.cell-2.csv.tmp-12"), nil, 0o644)
	if _, err := Execute(fakeJob(4, func(int) string { return "1" }), Options{Out: out, Shard: Shard{I: 0, N: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.radii/.cell-2.csv.tmp-12")); !os.IsNotExist(err) {
		t.Errorf("shard 0/2 left the temporary file of its cell 2")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.radii/.cell-1.csv.tmp-11")); err != nil {
		t.Errorf("shard 0/2 removed the temporary file of cell 1 (shard 1's): %v", err)
	}
}

// TestProgressEveryInterval: finished cells print a progress line at most
// once per heartbeat interval (README: every 10 s), plus the last cell's:
// four cells of 0.4 s each under a 1 h interval print exactly one line;
// under a 0.3 s interval they print one per cell (control).
func TestProgressEveryInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("waits about 3 s")
	}
	lines := func(every time.Duration) int {
		job := fakeJob(4, func(int) string { return "1" })
		run := job.Run
		job.Run = func(c Cell) ([][]string, error) {
			time.Sleep(400 * time.Millisecond)
			return run(c)
		}
		var out bytes.Buffer
		if _, err := Execute(job, Options{Out: filepath.Join(t.TempDir(), "x"), Workers: 1, Progress: &out, Heartbeat: every}); err != nil {
			t.Fatal(err)
		}
		return strings.Count(out.String(), " cells")
	}
	if n := lines(time.Hour); n != 1 {
		t.Errorf("4 cells of 0.4 s under a 1 h interval: %d progress lines, want 1 (the last cell's)", n)
	}
	if n := lines(300 * time.Millisecond); n < 4 {
		t.Errorf("4 cells of 0.4 s under a 0.3 s interval: %d progress lines, want ≥ 4", n)
	}
}
