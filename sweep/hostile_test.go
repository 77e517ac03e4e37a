package sweep

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"vitadv/internal/check"
)

// fakeJob is a job of n cells whose single metric is metric(cell index).
func fakeJob(n int, metric func(i int) string) *Job {
	params := make([][]string, n)
	for i := range params {
		params[i] = []string{strconv.Itoa(10 * i)}
	}
	return &Job{Name: "fake", Params: []string{"p"}, Metrics: []string{"m", "na"}, PerCell: 1, NA: []string{"na"},
		Cells: NewCells(1, params),
		Run: func(c Cell) ([][]string, error) {
			return [][]string{{metric(c.Index), "NaN"}}, nil
		}}
}

// TestNonFiniteMetricRefused: a cell whose metric is NaN or ±Inf (outside
// the NA columns) fails the run with a *MetricError naming the cell and
// the column; a fresh file is removed again and no directory is left.
func TestNonFiniteMetricRefused(t *testing.T) {
	for _, bad := range []string{"NaN", "+Inf", "-Inf", "abc", ""} {
		root := t.TempDir()
		before := check.DirState(t, root)
		job := fakeJob(3, func(i int) string {
			if i == 2 {
				return bad
			}
			return "0.5"
		})
		_, err := Execute(job, Options{Out: filepath.Join(root, "sub", "x"), Workers: 1})
		var me *MetricError
		if !errors.As(err, &me) || me.Cell != 2 || me.Column != "m" {
			t.Fatalf("metric %q: err = %v, want *MetricError at cell 2 column m", bad, err)
		}
		if !strings.Contains(err.Error(), "cell 2") || !strings.Contains(err.Error(), "metric m") {
			t.Errorf("message %q does not name the cell and column", err)
		}
		// Cells 0 and 1 were written: the file stays, without the bad cell.
		b, rerr := os.ReadFile(filepath.Join(root, "sub", "x.csv"))
		if rerr != nil || bytes.Contains(b, []byte(bad+",")) && bad != "" || bytes.Count(b, []byte("\n")) != 3 {
			t.Errorf("metric %q: file after the refusal:\n%s (%v)", bad, b, rerr)
		}
		_ = before
	}
	// A job whose first cell is bad leaves no file and no directory.
	root := t.TempDir()
	before := check.DirState(t, root)
	_, err := Execute(fakeJob(2, func(int) string { return "NaN" }), Options{Out: filepath.Join(root, "a", "b", "x"), Workers: 2})
	var me *MetricError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MetricError", err)
	}
	if after := check.DirState(t, root); !maps.Equal(before, after) {
		t.Errorf("a refused run changed the directory: %v → %v", before, after)
	}
	// Negative control: NaN in the NA column and finite metrics pass.
	if _, err := Execute(fakeJob(2, func(int) string { return "1e-3" }), Options{Out: filepath.Join(root, "ok")}); err != nil {
		t.Errorf("finite metrics refused: %v", err)
	}
}

// TestResumeGarbledMetric: a resumed file whose metric is not a number is
// refused, naming the file, cell and column, and left unchanged.
func TestResumeGarbledMetric(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	job := fakeJob(2, func(int) string { return "1" })
	if _, err := Execute(job, Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out + ".csv")
	bad := bytes.Replace(b, []byte("\n1,10,1,NaN"), []byte("\n1,10,1x,NaN"), 1)
	if bytes.Equal(bad, b) {
		t.Fatal("premise: replacement did not apply")
	}
	os.WriteFile(out+".csv", bad, 0o644)
	_, err := Execute(job, Options{Out: out})
	var me *MetricError
	if !errors.As(err, &me) || me.Cell != 1 || !strings.Contains(err.Error(), out+".csv") {
		t.Fatalf("err = %v, want *MetricError naming %s cell 1", err, out+".csv")
	}
	if got, _ := os.ReadFile(out + ".csv"); !bytes.Equal(got, bad) {
		t.Errorf("refused file was changed")
	}
}

// TestSecondWriterFails: while one process (here: one Execute) holds a
// results file, a second writer on the same file fails at once with a
// *LockedError naming the file and the holder's pid; once released, the
// file can be locked again.
func TestSecondWriterFails(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	slow := fakeJob(2, func(int) string { return "1" })
	run := slow.Run
	slow.Run = func(c Cell) ([][]string, error) {
		once.Do(func() { close(started) })
		<-release
		return run(c)
	}
	var wg sync.WaitGroup
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, firstErr = Execute(slow, Options{Out: out, Workers: 1})
	}()
	<-started
	t0 := time.Now()
	_, err := Execute(fakeJob(2, func(int) string { return "1" }), Options{Out: out})
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), out+".csv") {
		t.Errorf("second writer: err = %v, want *LockedError naming %s.csv and pid %d", err, out, os.Getpid())
	}
	if el := time.Since(t0); !(el < 5*time.Second) {
		t.Errorf("second writer waited %v instead of failing fast", el)
	}
	close(release)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	// Released: a rerun locks it again (and resumes every cell).
	sum, err := Execute(slow, Options{Out: out})
	if err != nil || sum.Resumed != 2 {
		t.Errorf("rerun after release: %+v, %v", sum, err)
	}
	if _, err := os.Stat(out + ".csv.lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind after a clean exit: %v", err)
	}
}

// TestLockConcurrent: of many goroutines locking one file at once, exactly
// one holds it at any time.
func TestLockConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	var mu sync.Mutex
	holders, maxHolders := 0, 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				l, err := Lock(path)
				if err != nil {
					var le *LockedError
					if !errors.As(err, &le) {
						t.Error(err)
					}
					continue
				}
				mu.Lock()
				holders++
				maxHolders = max(maxHolders, holders)
				mu.Unlock()
				time.Sleep(50 * time.Microsecond)
				mu.Lock()
				holders--
				mu.Unlock()
				l.Unlock()
			}
		}()
	}
	wg.Wait()
	if maxHolders != 1 {
		t.Errorf("at most %d goroutines held the lock at once, want exactly 1", maxHolders)
	}
}

// TestStaleTempsRemoved: temporary files a killed rewrite left next to the
// CSV are removed by the next run; other files are not.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x")
	stale := filepath.Join(dir, ".x.csv.tmp-123")
	other := filepath.Join(dir, ".y.csv.tmp-123")
	os.WriteFile(stale, []byte("cell,p"), 0o644)
	os.WriteFile(other, []byte("keep"), 0o644)
	if _, err := Execute(fakeJob(1, func(int) string { return "1" }), Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp %s not removed (%v)", stale, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another file's temp was removed: %v", err)
	}
}

// TestMergeGarbledMetric: a shard with a garbled metric fails the merge
// before anything is written.
func TestMergeGarbledMetric(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x")
	job := fakeJob(2, func(int) string { return "1" })
	for i := 0; i < 2; i++ {
		if _, err := Execute(job, Options{Out: out, Shard: Shard{i, 2}}); err != nil {
			t.Fatal(err)
		}
	}
	shard := out + ".shard-1-of-2.csv"
	b, _ := os.ReadFile(shard)
	os.WriteFile(shard, bytes.Replace(b, []byte(",1,NaN"), []byte(",zz,NaN"), 1), 0o644)
	before := check.DirState(t, dir)
	_, err := Merge(job, out, nil, "test")
	var me *MetricError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), shard) {
		t.Fatalf("err = %v, want *MetricError naming %s", err, shard)
	}
	if after := check.DirState(t, dir); !maps.Equal(before, after) {
		t.Errorf("failed merge wrote files")
	}
	// Negative control: repaired, the merge succeeds.
	os.WriteFile(shard, b, 0o644)
	if _, err := Merge(job, out, nil, "test"); err != nil {
		t.Errorf("merge of good shards: %v", err)
	}
}

// TestSecondProcessFails: the lock holds across processes. A child process
// (this test binary, re-executed) locks a results file and waits; the
// parent's Execute on the same file fails at once naming the child's pid.
func TestSecondProcessFails(t *testing.T) {
	if path := os.Getenv("VITADV_TEST_HOLD_LOCK"); path != "" {
		l, err := Lock(path)
		if err != nil {
			os.Exit(3)
		}
		os.WriteFile(path+".held", nil, 0o644)
		time.Sleep(20 * time.Second) // killed by the parent long before
		l.Unlock()
		os.Exit(0)
	}
	out := filepath.Join(t.TempDir(), "x")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessFails$")
	cmd.Env = append(os.Environ(), "VITADV_TEST_HOLD_LOCK="+out+".csv")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; ; i++ {
		if _, err := os.Stat(out + ".csv.held"); err == nil {
			break
		}
		if i > 400 {
			t.Fatal("child never took the lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err := Execute(fakeJob(1, func(int) string { return "1" }), Options{Out: out})
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("err = %v, want *LockedError naming pid %d", err, cmd.Process.Pid)
	}
	if _, err := os.Stat(out + ".csv"); !os.IsNotExist(err) {
		t.Errorf("the refused writer created the CSV")
	}
	// kill -9 of the holder releases the lock: the next writer proceeds.
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := Execute(fakeJob(1, func(int) string { return "1" }), Options{Out: out}); err != nil {
		t.Errorf("after the holder was killed: %v", err)
	}
}

// syncBuf is a bytes.Buffer safe for the heartbeat goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHeartbeatInsideCell: while a long cell runs, progress lines keep
// coming at the heartbeat interval, naming the cell, its step and an ETA.
func TestHeartbeatInsideCell(t *testing.T) {
	job := fakeJob(1, func(int) string { return "1" })
	job.Steps = 100
	run := job.Run
	job.Run = func(c Cell) ([][]string, error) {
		for s := 1; s <= 10; s++ {
			c.Step(s)
			time.Sleep(30 * time.Millisecond)
		}
		return run(c)
	}
	var out syncBuf
	if _, err := Execute(job, Options{Out: filepath.Join(t.TempDir(), "x"), Progress: &out, Heartbeat: 60 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(out.String(), "running (longest: cell 0 for")
	if lines < 2 || !strings.Contains(out.String(), "of at most 100, at most") {
		t.Errorf("%d heartbeat lines inside the cell, want ≥ 2 with the step and ETA:\n%s", lines, out.String())
	}
}

// TestEmptyShard: a shard that holds no cell of the job completes (and its
// sidecar is valid), as before the sidecar validation.
func TestEmptyShard(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	sum, err := Execute(fakeJob(2, func(int) string { return "1" }), Options{Out: out, Shard: Shard{3, 5}})
	if err != nil || !sum.Complete || sum.Total != 0 {
		t.Fatalf("empty shard: %+v, %v", sum, err)
	}
	if _, err := ReadMeta(Shard{3, 5}.Path(out)); err != nil {
		t.Errorf("sidecar of the empty shard: %v", err)
	}
}
