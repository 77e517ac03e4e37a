package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vitadv/internal/machine"
	"vitadv/model/rng"
	"vitadv/model/store"
	"vitadv/model/valid"
)

// Cell is one grid point and replicate of a sweep.
type Cell struct {
	Index int           // position in the job's cell list; the seed is rng.Derive(Seed, Index)
	Seed  uint64        // per-cell seed
	Param []string      // formatted parameter fields (the CSV columns after "cell")
	steps *atomic.Int64 // progress of a running cell (set by Execute)
}

// Step reports that the cell's training reached GD step s (for the progress
// lines of long cells). It is safe to call from Job.Run at any rate.
func (c Cell) Step(s int) {
	if c.steps != nil {
		c.steps.Store(int64(s))
	}
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
	Steps   int // most GD steps of one cell (0: unknown), for the progress ETA of a running cell
	// NA lists the metric columns in which NaN is a documented value
	// meaning "not applicable" (e.g. robust losses of a clean run in the
	// dynamics file). Every other metric must be a finite number: a cell
	// whose metrics are not is refused before anything is written.
	NA    []string
	Cells []Cell
	// Run computes the metric fields of cell c: PerCell rows of
	// len(Metrics) fields each. It must depend on c alone (and on the
	// job's configuration), so that cells can run in any order.
	Run func(c Cell) ([][]string, error)
	// Cost, if set, estimates the relative run time of a cell. Execute
	// starts the cells it computes in order of decreasing cost (index
	// order among equals), so that the last cells to finish are short
	// ones and no worker idles long while another finishes a long cell.
	// The file is the same in any order (it is sorted when complete).
	Cost func(c Cell) float64
	// Eval, if not nil, is the evaluation protocol of the job's cells
	// (e.g. cell.Protocol: attacks, steps, cascade), recorded as JSON in
	// the sidecar's "eval" field (Meta.Eval), so that a file says how its
	// robust errors were measured even when its command took the
	// protocol from a preset.
	Eval any
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
	// Heartbeat is the interval of the progress lines printed while
	// cells run (0: 10 s), so that a long cell is never silent.
	Heartbeat time.Duration
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

// MetricError reports a metric field that is not a finite number (or NaN
// in a column of Job.NA): the cell is refused and nothing is written for
// it.
type MetricError struct {
	Path   string // file the row was read from ("" for a computed cell)
	Job    string
	Cell   int
	Column string
	Value  string
}

func (e *MetricError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%s: cell %d: metric %s = %q is not a finite number", e.Path, e.Cell, e.Column, e.Value)
	}
	return fmt.Sprintf("%s cell %d: metric %s = %s is not finite; nothing was written for this cell "+
		"(training overflowed: lower -eta, -sigma2, -mu, -c or raise -init-shrink)", e.Job, e.Cell, e.Column, e.Value)
}

// checkMetrics returns a *MetricError unless every metric field of row (a
// full CSV row: cell, parameters, metrics) is a finite number or NaN in a
// column of job.NA.
func (j *Job) checkMetrics(path string, row Row) error {
	off := 1 + len(j.Params)
	if len(row) != off+len(j.Metrics) {
		return &CorruptError{Path: path, Reason: fmt.Sprintf("row of %d fields, want %d", len(row), off+len(j.Metrics))}
	}
	for k, col := range j.Metrics {
		f := row[off+k]
		v, err := strconv.ParseFloat(f, 64)
		if err == nil && math.IsNaN(v) && f == "NaN" && slices.Contains(j.NA, col) {
			continue
		}
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			cell, _ := strconv.Atoi(row[0])
			return &MetricError{Path: path, Job: j.Name, Cell: cell, Column: col, Value: f}
		}
	}
	return nil
}

// Execute runs the job's cells of opt.Shard that are not yet in the CSV,
// appending each as it finishes, and rewrites the file sorted once all are
// present. Progress lines go to opt.Progress. The file is locked for the
// duration (a second writer gets a *LockedError), temporary files left by
// a killed rewrite are removed, and a file this call created is removed
// again if the call fails before any cell was written.
func Execute(job *Job, opt Options) (sum Summary, err error) {
	start := time.Now()
	path := opt.Shard.Path(opt.Out)
	sum = Summary{Path: path}
	created, err := mkdirTracked(filepath.Dir(path))
	if err != nil {
		return sum, err
	}
	lock, err := Lock(path)
	if err != nil {
		removeDirs(created)
		return sum, err
	}
	defer lock.Unlock()
	removeStaleTemps(path)
	removeStaleOutputs(opt.Out, opt.Shard)
	_, statErr := os.Stat(path)
	fresh := os.IsNotExist(statErr)
	if job.Sidecar != nil {
		job.Sidecar(opt.Out)
	}
	log, dropped, err := OpenLog(path, job.Header(), job.PerCell)
	if err != nil {
		return sum, err
	}
	defer func() {
		log.Close()
		if err != nil && fresh && log.Len() == 0 {
			os.Remove(path)
			lock.Unlock()
			removeDirs(created)
		}
	}()
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
			for _, r := range rows {
				if err := job.checkMetrics(path, r); err != nil {
					return sum, err
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
	todo = longestFirst(todo, job.Cost)
	every := opt.Heartbeat
	if every == 0 {
		every = 10 * time.Second
	}
	prog := &progress{w: opt.Progress, name: job.Name, shard: opt.Shard, total: sum.Total, done: sum.Resumed, start: start, todo: len(todo),
		running: map[int]runningCell{}, last: start, steps: job.Steps, every: every}
	if opt.Progress != nil && len(todo) > 0 {
		stop := make(chan struct{})
		defer close(stop)
		go prog.heartbeat(every, stop)
	}
	if dropped > 0 {
		prog.printf("dropped %d bytes of an unfinished cell at the end of %s", dropped, path)
	}
	if sum.Resumed > 0 {
		prog.printf("resuming %s: %d of %d cells already done", path, sum.Resumed, sum.Total)
	}
	err = runCells(job, todo, max(1, opt.Workers), prog.started, func(c Cell, metrics [][]string) error {
		if len(metrics) != job.PerCell {
			return fmt.Errorf("sweep: %s cell %d returned %d rows, want %d", job.Name, c.Index, len(metrics), job.PerCell)
		}
		rows := make([]Row, len(metrics))
		for k, m := range metrics {
			if len(m) != len(job.Metrics) {
				return fmt.Errorf("sweep: %s cell %d returned %d metrics, want %d", job.Name, c.Index, len(m), len(job.Metrics))
			}
			rows[k] = slices.Concat(Row{strconv.Itoa(c.Index)}, c.Param, m)
			if err := job.checkMetrics("", rows[k]); err != nil {
				return err
			}
		}
		if err := log.Append(c.Index, rows); err != nil {
			return err
		}
		prog.tick(c)
		return nil
	})
	prog.mu.Lock()
	sum.Computed = prog.computed
	prog.mu.Unlock()
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

// longestFirst returns cells ordered by decreasing cost (a stable sort:
// index order among equal costs; a NaN cost counts as 0); with cost nil it
// returns cells unchanged.
func longestFirst(cells []Cell, cost func(Cell) float64) []Cell {
	if cost == nil {
		return cells
	}
	c := make([]float64, len(cells))
	for i, cell := range cells {
		if v := cost(cell); v == v {
			c[i] = v
		}
	}
	idx := make([]int, len(cells))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case c[a] > c[b]:
			return -1
		case c[a] < c[b]:
			return 1
		}
		return 0
	})
	out := make([]Cell, len(cells))
	for i, k := range idx {
		out[i] = cells[k]
	}
	return out
}

// runCells runs the cells on the worker pool (Each) and calls done
// (serially) for each result; the first error stops the remaining cells.
func runCells(job *Job, cells []Cell, workers int, started func(Cell), done func(Cell, [][]string) error) error {
	running := make([]Cell, len(cells)) // each index written by its worker, then read by done
	metrics := make([][][]string, len(cells))
	return Each(len(cells), workers, func(i int) error {
		c := cells[i]
		c.steps = new(atomic.Int64)
		running[i] = c
		started(c)
		var err error
		metrics[i], err = job.Run(c)
		return err
	}, func(i int, err error) error {
		c := running[i]
		if err == nil {
			err = done(c, metrics[i])
		}
		metrics[i] = nil
		if err != nil {
			return fmt.Errorf("%s cell %d: %w", job.Name, c.Index, err)
		}
		return nil
	})
}

// progress prints "name: done/total cells, elapsed, ETA" lines: about one
// per interval every (a finished cell prints one if the last line is at
// least every old, and the last cell always does), and a heartbeat while
// cells run.
type progress struct {
	w        io.Writer
	name     string
	shard    Shard
	total    int
	done     int
	todo     int
	start    time.Time
	mu       sync.Mutex
	computed int
	running  map[int]runningCell // cells being computed
	steps    int                 // Job.Steps
	last     time.Time           // last line printed
	every    time.Duration       // interval between lines (Options.Heartbeat)
}

func (p *progress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, "%s: "+format+"\n", append([]any{p.name}, args...)...)
	}
}

// runningCell is a cell being computed: its start and its step counter.
type runningCell struct {
	start time.Time
	steps *atomic.Int64
}

// started records that cell c is being computed.
func (p *progress) started(c Cell) {
	p.mu.Lock()
	p.running[c.Index] = runningCell{time.Now(), c.steps}
	p.mu.Unlock()
}

// line returns the progress line (p.mu held).
func (p *progress) line(now time.Time) string {
	el := now.Sub(p.start)
	sh := ""
	if p.shard.N > 1 {
		sh = " (shard " + p.shard.String() + ")"
	}
	eta := "unknown until a cell finishes"
	if p.computed > 0 {
		eta = time.Duration(float64(el) / float64(p.computed) * float64(p.todo-p.computed)).Round(time.Second).String()
	}
	run := ""
	if len(p.running) > 0 {
		idx, oldest := -1, runningCell{start: now}
		for i, r := range p.running {
			if r.start.Before(oldest.start) || idx < 0 {
				idx, oldest = i, r
			}
		}
		in := now.Sub(oldest.start)
		run = fmt.Sprintf(", %d running (longest: cell %d for %v", len(p.running), idx, in.Round(time.Second))
		if s := oldest.steps.Load(); p.steps > 0 && s > 0 {
			left := time.Duration(float64(in) / float64(s) * float64(max(0, int64(p.steps)-s)))
			run += fmt.Sprintf(", step %d of at most %d, at most %v left", s, p.steps, left.Round(time.Second))
		}
		run += ")"
	}
	return fmt.Sprintf("%d/%d cells%s%s, elapsed %v, ETA %s", p.done, p.total, sh, run, el.Round(time.Second), eta)
}

// tick records one finished cell and prints a line (at most one per
// interval every, and always for the last cell).
func (p *progress) tick(c Cell) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, c.Index)
	p.done++
	p.computed++
	now := time.Now()
	if p.w == nil || (now.Sub(p.last) < p.every && p.computed < p.todo) {
		return
	}
	p.last = now
	p.printf("%s", p.line(now))
}

// heartbeat prints the progress line every interval in which no other
// line was printed, until stop is closed.
func (p *progress) heartbeat(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every / 4)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			if now.Sub(p.last) >= every {
				p.last = now
				p.printf("%s", p.line(now))
			}
			p.mu.Unlock()
		}
	}
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
	// Machine is the computer of the run (absent in sidecars written
	// before it was recorded); a merge of shards from more than one
	// machine lists them all in Machines instead.
	Machine  *machine.Info  `json:"machine,omitempty"`
	Machines []machine.Info `json:"machines,omitempty"`
	// ShardSeconds, in a merged sidecar, is each shard's own run time
	// (Seconds is their sum, the CPU-side cost; shards run side by side
	// finish in about the largest of them).
	ShardSeconds []float64 `json:"shard_seconds,omitempty"`
	// Eval is the job's evaluation protocol (Job.Eval) as JSON; absent in
	// sidecars written before it was recorded and for jobs without one.
	Eval json.RawMessage `json:"eval,omitempty"`
}

// Validate returns a *valid.Error for a sidecar no run writes.
func (m Meta) Validate() error {
	return valid.First(valid.IntMin("cells", m.Cells, 0), valid.IntMin("computed_this_run", m.Computed, 0),
		valid.NonNeg("seconds_this_run", m.Seconds), intIn("computed_this_run", m.Computed, 0, float64(m.Cells)))
}

// intIn returns a *valid.Error unless lo <= v <= hi.
func intIn(field string, v, lo int, hi float64) error {
	if v < lo || float64(v) > hi {
		return &valid.Error{Field: field, Value: v, Rule: fmt.Sprintf("must be in [%d, %.0f]", lo, hi)}
	}
	return nil
}

func derefMachine(m *machine.Info) []machine.Info {
	if m == nil {
		return nil
	}
	return []machine.Info{*m}
}

func metaPath(csv string) string { return strings.TrimSuffix(csv, ".csv") + ".json" }

func writeMeta(opt Options, job *Job, s Summary) error {
	m := Meta{Command: opt.Command, Job: job.Name, Shard: opt.Shard.String(), Cells: s.Total,
		Computed: s.Computed, Seconds: math.Round(s.Elapsed.Seconds()*10) / 10}
	mi := machine.Current()
	m.Machine = &mi
	var err error
	if m.Eval, err = job.evalJSON(); err != nil {
		return err
	}
	return store.SaveJSON(metaPath(s.Path), m)
}

// evalJSON returns Job.Eval as JSON (nil when the job has none).
func (j *Job) evalJSON() (json.RawMessage, error) {
	if j.Eval == nil {
		return nil, nil
	}
	b, err := json.Marshal(j.Eval)
	if err != nil {
		return nil, fmt.Errorf("sweep: %s: evaluation protocol: %w", j.Name, err)
	}
	return b, nil
}

// ReadMeta reads the sidecar of a CSV file: zero Meta and an error if
// absent (os.IsNotExist), malformed (a *store.FormatError naming the file)
// or invalid (an error naming the file and wrapping a *valid.Error).
func ReadMeta(csv string) (Meta, error) {
	var m Meta
	err := store.LoadJSON(metaPath(csv), &m)
	var ve *valid.Error
	if errors.As(err, &ve) {
		return Meta{}, fmt.Errorf("%s: %w", metaPath(csv), err)
	}
	if err != nil {
		return Meta{}, err
	}
	return m, nil
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
// command and the summed run time of the shards. Every input is checked
// (layout, parameters, finite metrics) before anything is written, and
// out.csv is locked while it is written.
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
			for _, r := range rows {
				if err := job.checkMetrics(f, r); err != nil {
					return "", err
				}
			}
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
	created, err := mkdirTracked(filepath.Dir(path))
	if err != nil {
		return "", err
	}
	lock, err := Lock(path)
	if err != nil {
		removeDirs(created)
		return "", err
	}
	defer lock.Unlock()
	removeStaleTemps(path)
	removeStaleTemps(metaPath(path))
	if err := writeSorted(path, job.Header(), all); err != nil {
		return "", err
	}
	secs := 0.0
	var machines []machine.Info
	var shardSecs []float64
	for _, f := range files {
		if m, err := ReadMeta(f); err == nil {
			secs += m.Seconds
			shardSecs = append(shardSecs, m.Seconds)
			for _, mi := range append(m.Machines, derefMachine(m.Machine)...) {
				if !slices.Contains(machines, mi) {
					machines = append(machines, mi)
				}
			}
		}
	}
	m := Meta{Command: command, Job: job.Name, Shard: fmt.Sprintf("merged from %d files", len(files)), Cells: len(job.Cells),
		Computed: len(job.Cells), Seconds: math.Round(secs*10) / 10, ShardSeconds: shardSecs}
	if len(machines) == 1 {
		m.Machine = &machines[0]
	} else {
		m.Machines = machines
	}
	if m.Eval, err = job.evalJSON(); err != nil {
		return path, err
	}
	return path, store.SaveJSON(metaPath(path), m)
}
