package experiment

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"vitadv/model/rng"
	"vitadv/model/store"
)

// Cell is one grid point and replicate of a sweep.
type Cell struct {
	Index int      // position in the job's cell list; the seed is rng.Derive(Seed, Index)
	Seed  uint64   // per-cell seed
	Param []string // formatted parameter fields (the CSV columns after "cell")
}

// Job is a sweep: its cells, its CSV layout and the function that runs one
// cell.
type Job struct {
	Name    string   // progress label, e.g. "phase ci-clean"
	Params  []string // parameter column names (after "cell")
	Metrics []string // metric column names (after the parameters)
	// Sidecar, if set, receives the output base path (Options.Out) before
	// any cell runs, for jobs that write per-cell files beside the CSV.
	Sidecar func(out string)
	PerCell int // rows each cell writes (1 except for trajectories)
	Cells   []Cell
	// Run computes the metric fields of cell c: PerCell rows of
	// len(Metrics) fields each. It must depend on c alone (and on the
	// job's configuration), so that cells can run in any order.
	Run func(c Cell) ([][]string, error)
}

// Header returns the CSV header: "cell", the parameters, the metrics.
func (j *Job) Header() []string {
	return slices.Concat([]string{"cell"}, j.Params, j.Metrics)
}

// NewCells returns cells 0..len(params)−1 with seeds rng.Derive(seed, i).
func NewCells(seed uint64, params [][]string) []Cell {
	cells := make([]Cell, len(params))
	for i, p := range params {
		cells[i] = Cell{Index: i, Seed: rng.Derive(seed, uint64(i)), Param: p}
	}
	return cells
}

// Shard selects the cells with index ≡ I (mod N).
type Shard struct{ I, N int }

// Whole is the trivial shard 0 of 1.
var Whole = Shard{0, 1}

// Has reports whether cell i belongs to the shard.
func (s Shard) Has(i int) bool { return s.N <= 1 || i%s.N == s.I }

// String returns "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Path returns the CSV path of the shard for output base out:
// out.csv for the whole job, out.shard-i-of-n.csv otherwise.
func (s Shard) Path(out string) string {
	if s.N <= 1 {
		return out + ".csv"
	}
	return fmt.Sprintf("%s.shard-%d-of-%d.csv", out, s.I, s.N)
}

// Options control Execute.
type Options struct {
	Out      string // output base path; the CSV is Shard.Path(Out)
	Shard    Shard
	Workers  int       // cells run concurrently (≥ 1)
	MaxCells int       // stop after this many newly computed cells (0: no limit)
	Progress io.Writer // progress lines (cells done/total, ETA); nil: none
	Command  string    // recorded in the sidecar .json file
}

// Summary is the outcome of Execute.
type Summary struct {
	Path     string        // CSV written
	Total    int           // cells in the shard
	Done     int           // cells in the file at the end
	Resumed  int           // cells found in the file at the start
	Computed int           // cells computed by this call
	Dropped  int64         // bytes of torn tail removed at the start
	Complete bool          // every cell of the shard is in the file (and it is sorted)
	Elapsed  time.Duration // wall time of this call
}

// ParamMismatchError reports a resumed file whose finished cell was made
// with other parameters than the job now plans for it.
type ParamMismatchError struct {
	Path      string
	Cell      int
	Column    string
	Got, Want string
}

func (e *ParamMismatchError) Error() string {
	return fmt.Sprintf("%s: cell %d has %s = %s, this command plans %s: the file was written with other settings; use another -out or remove it",
		e.Path, e.Cell, e.Column, e.Got, e.Want)
}

// Execute runs the job's cells of opt.Shard that are not yet in the CSV,
// appending each as it finishes, and rewrites the file sorted once all are
// present. Progress lines go to opt.Progress.
func Execute(job *Job, opt Options) (Summary, error) {
	start := time.Now()
	path := opt.Shard.Path(opt.Out)
	if job.Sidecar != nil {
		job.Sidecar(opt.Out)
	}
	sum := Summary{Path: path}
	log, dropped, err := OpenLog(path, job.Header(), job.PerCell)
	if err != nil {
		return sum, err
	}
	defer log.Close()
	sum.Dropped = dropped
	var todo []Cell
	for _, c := range job.Cells {
		if !opt.Shard.Has(c.Index) {
			continue
		}
		sum.Total++
		if rows := log.Rows(c.Index); rows != nil {
			for k, p := range c.Param {
				if got := rows[0][1+k]; got != p {
					return sum, &ParamMismatchError{Path: path, Cell: c.Index, Column: job.Params[k], Got: got, Want: p}
				}
			}
			sum.Resumed++
			continue
		}
		todo = append(todo, c)
	}
	if extra := log.Len() - sum.Resumed; extra > 0 {
		return sum, &CorruptError{Path: path, Reason: fmt.Sprintf("%d cells do not belong to shard %v of this job", extra, opt.Shard)}
	}
	if opt.MaxCells > 0 && len(todo) > opt.MaxCells {
		todo = todo[:opt.MaxCells]
	}
	prog := &progress{w: opt.Progress, name: job.Name, shard: opt.Shard, total: sum.Total, done: sum.Resumed, start: start, todo: len(todo)}
	if dropped > 0 {
		prog.printf("dropped %d bytes of an unfinished cell at the end of %s", dropped, path)
	}
	if sum.Resumed > 0 {
		prog.printf("resuming %s: %d of %d cells already done", path, sum.Resumed, sum.Total)
	}
	err = runCells(job, todo, max(1, opt.Workers), func(c Cell, metrics [][]string) error {
		if len(metrics) != job.PerCell {
			return fmt.Errorf("experiment: %s cell %d returned %d rows, want %d", job.Name, c.Index, len(metrics), job.PerCell)
		}
		rows := make([]Row, len(metrics))
		for k, m := range metrics {
			if len(m) != len(job.Metrics) {
				return fmt.Errorf("experiment: %s cell %d returned %d metrics, want %d", job.Name, c.Index, len(m), len(job.Metrics))
			}
			rows[k] = slices.Concat(Row{strconv.Itoa(c.Index)}, c.Param, m)
		}
		if err := log.Append(c.Index, rows); err != nil {
			return err
		}
		prog.tick()
		return nil
	})
	sum.Computed = prog.computed
	sum.Done = log.Len()
	sum.Elapsed = time.Since(start)
	if err != nil {
		return sum, err
	}
	if sum.Done == sum.Total {
		if err := log.Finalize(); err != nil {
			return sum, err
		}
		sum.Complete = true
		// Keep the timing of the run that computed the cells: a rerun of
		// a complete file computes nothing and leaves the sidecar alone.
		if _, err := ReadMeta(path); sum.Computed > 0 || err != nil {
			if err := writeMeta(opt, job, sum); err != nil {
				return sum, err
			}
		}
	}
	return sum, nil
}

// runCells runs the cells on workers goroutines and calls done (serially)
// for each result; the first error stops the remaining cells.
func runCells(job *Job, cells []Cell, workers int, done func(Cell, [][]string) error) error {
	var (
		mu   sync.Mutex
		next int
		fail error
		wg   sync.WaitGroup
	)
	take := func() (Cell, bool) {
		mu.Lock()
		defer mu.Unlock()
		if fail != nil || next >= len(cells) {
			return Cell{}, false
		}
		next++
		return cells[next-1], true
	}
	for w := 0; w < min(workers, len(cells)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c, ok := take(); ok; c, ok = take() {
				m, err := job.Run(c)
				mu.Lock()
				if err == nil && fail == nil {
					err = done(c, m)
				}
				if err != nil && fail == nil {
					fail = fmt.Errorf("%s cell %d: %w", job.Name, c.Index, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return fail
}

// progress prints "name: done/total cells, elapsed, ETA" lines.
type progress struct {
	w          io.Writer
	name       string
	shard      Shard
	total      int
	done       int
	todo       int
	computed   int
	start      time.Time
	lastPrint  time.Time
	printEvery time.Duration
}

func (p *progress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, "%s: "+format+"\n", append([]any{p.name}, args...)...)
	}
}

// tick records one finished cell and prints a line (at most one per
// second, and always for the last cell).
func (p *progress) tick() {
	p.done++
	p.computed++
	now := time.Now()
	if p.w == nil || (now.Sub(p.lastPrint) < time.Second && p.computed < p.todo) {
		return
	}
	p.lastPrint = now
	el := now.Sub(p.start)
	eta := time.Duration(float64(el) / float64(p.computed) * float64(p.todo-p.computed))
	sh := ""
	if p.shard.N > 1 {
		sh = " (shard " + p.shard.String() + ")"
	}
	p.printf("%d/%d cells%s, elapsed %v, ETA %v", p.done, p.total, sh, el.Round(time.Second), eta.Round(time.Second))
}

// Meta is the sidecar <csv>.json written next to a complete CSV file: the
// producing command and the run's wall time (which the CSV, a pure
// function of the configuration, must not contain).
type Meta struct {
	Command  string  `json:"command"`
	Job      string  `json:"job"`
	Shard    string  `json:"shard"`
	Cells    int     `json:"cells"`
	Computed int     `json:"computed_this_run"`
	Seconds  float64 `json:"seconds_this_run"`
}

func metaPath(csv string) string { return strings.TrimSuffix(csv, ".csv") + ".json" }

func writeMeta(opt Options, job *Job, s Summary) error {
	m := Meta{Command: opt.Command, Job: job.Name, Shard: opt.Shard.String(), Cells: s.Total,
		Computed: s.Computed, Seconds: math.Round(s.Elapsed.Seconds()*10) / 10}
	return store.SaveJSON(metaPath(s.Path), m)
}

// ReadMeta reads the sidecar of a CSV file (zero Meta and an error if
// absent).
func ReadMeta(csv string) (Meta, error) {
	var m Meta
	err := store.LoadJSON(metaPath(csv), &m)
	return m, err
}

// MergeError reports shard files that do not combine into a complete run.
type MergeError struct {
	Reason string
}

func (e *MergeError) Error() string { return "merge: " + e.Reason }

// Merge combines the shard CSV files of job (written with output base out)
// into out.csv, sorted by cell index: byte for byte what an unsharded run
// writes. Every shard file must be complete and every cell of the job
// present exactly once (identical duplicates are tolerated). With no files
// given, it reads out.shard-*-of-*.csv. The sidecar out.json records
// command and the summed run time of the shards.
func Merge(job *Job, out string, files []string, command string) (string, error) {
	if len(files) == 0 {
		var err error
		files, err = filepath.Glob(out + ".shard-*-of-*.csv")
		if err != nil {
			return "", err
		}
		if len(files) == 0 {
			return "", &MergeError{Reason: fmt.Sprintf("no shard files %s.shard-*-of-*.csv", out)}
		}
	}
	all := map[int][]Row{}
	for _, f := range files {
		buf, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		cells, _, err := parseLog(f, buf, job.Header(), job.PerCell, false)
		if err != nil {
			return "", err
		}
		for i, rows := range cells {
			if old, dup := all[i]; dup && !slices.EqualFunc(old, rows, slices.Equal) {
				return "", &MergeError{Reason: fmt.Sprintf("cell %d differs between shard files (one is from another configuration?)", i)}
			}
			all[i] = rows
		}
	}
	var missing []int
	for _, c := range job.Cells {
		rows, ok := all[c.Index]
		if !ok {
			missing = append(missing, c.Index)
			continue
		}
		for k, p := range c.Param {
			if got := rows[0][1+k]; got != p {
				return "", &ParamMismatchError{Path: strings.Join(files, " "), Cell: c.Index, Column: job.Params[k], Got: got, Want: p}
			}
		}
	}
	if len(missing) > 0 {
		return "", &MergeError{Reason: fmt.Sprintf("%d of %d cells missing (first: %d): run the missing shards first", len(missing), len(job.Cells), missing[0])}
	}
	if len(all) != len(job.Cells) {
		return "", &MergeError{Reason: fmt.Sprintf("shard files hold %d cells, the job has %d", len(all), len(job.Cells))}
	}
	path := out + ".csv"
	if err := writeSorted(path, job.Header(), all); err != nil {
		return "", err
	}
	secs := 0.0
	for _, f := range files {
		if m, err := ReadMeta(f); err == nil {
			secs += m.Seconds
		}
	}
	m := Meta{Command: command, Job: job.Name, Shard: fmt.Sprintf("merged from %d files", len(files)), Cells: len(job.Cells),
		Computed: len(job.Cells), Seconds: math.Round(secs*10) / 10}
	return path, store.SaveJSON(metaPath(path), m)
}
