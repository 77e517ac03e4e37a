package sweep

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

// TestResumeRemovesStaleTemps: the temporary files a kill -9 leaves among
// a run's outputs — the sidecar's, the figures' (x.png, x.svg, x-benign.png)
// and those in the radius directory x.radii and the trajectory directory
// x.traj — are removed when the run is
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
	os.MkdirAll(out+".radii", 0o755)
	os.MkdirAll(out+".traj", 0o755)
	stale := []string{".x.json.tmp-1", ".x.png.tmp-2", ".x.svg.tmp-3", ".x-benign.png.tmp-4", ".x-benign.svg.tmp-5", "x.radii/.cell-0.csv.tmp-6", "x.radii/.cell-3.csv.tmp-7", "x.traj/.cell-2.csv.tmp-13"}
	keep := []string{".x-long.png.tmp-8", ".x-long.svg.tmp-9", ".y.png.tmp-10", "x.radii/cell-0.csv", "x.traj/cell-2.csv"}
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
