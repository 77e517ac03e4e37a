package sweep

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"vitadv/model/store"
)

// Row is one CSV line split into fields; field 0 is the cell index.
type Row []string

// CorruptError reports a CSV file that cannot be resumed or merged: a
// header that differs from the job's, or a malformed line that is not the
// file's last (a torn last line is expected after a crash and is dropped
// silently).
type CorruptError struct {
	Path   string
	Line   int // 1-based; 0 when the problem concerns the whole file
	Reason string
}

func (e *CorruptError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Reason)
}

// Log is an append-only CSV file of finished cells. Each Append writes all
// rows of one cell with a single write and fsyncs the file, so after a
// crash the file holds every cell whose Append returned, possibly followed
// by a torn tail that OpenLog removes. A Log is safe for concurrent Append.
type Log struct {
	path    string
	header  []string
	perCell int

	mu    sync.Mutex
	f     *os.File
	cells map[int][]Row // finished cells, rows in file order
}

// OpenLog opens (creating if needed) the log at path for a job whose CSV
// header is header and whose cells each write perCell rows. An existing
// file must have the same header; its complete cells are loaded, and a
// torn tail — a last line without its newline, or a last cell with fewer
// than perCell rows — is truncated away (and reported in dropped, in
// bytes). Malformed lines elsewhere are a *CorruptError.
func OpenLog(path string, header []string, perCell int) (l *Log, dropped int64, err error) {
	if perCell < 1 {
		panic("sweep: OpenLog: perCell < 1")
	}
	l = &Log{path: path, header: header, perCell: perCell, cells: map[int][]Row{}}
	buf, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return l, 0, l.create()
	}
	if err != nil {
		return nil, 0, err
	}
	cells, keep, err := parseLog(path, buf, header, perCell, true)
	if err == errTornHeader { // crashed while creating the file
		return l, int64(len(buf)), l.create()
	}
	if err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0o644)
	if err != nil {
		return nil, 0, err
	}
	if keep < int64(len(buf)) {
		if err := f.Truncate(keep); err != nil {
			f.Close()
			return nil, 0, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, 0, err
		}
	}
	if _, err := f.Seek(keep, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, err
	}
	l.f, l.cells = f, cells
	return l, int64(len(buf)) - keep, nil
}

// parseLog splits a log file into cells. It returns the byte length of the
// valid prefix. With tolerant set, a torn tail is cut off; otherwise (for
// merge inputs, which must be complete) it is a *CorruptError.
func parseLog(path string, buf []byte, header []string, perCell int, tolerant bool) (map[int][]Row, int64, error) {
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		if tolerant && strings.HasPrefix(strings.Join(header, ",")+"\n", string(buf)) {
			return map[int][]Row{}, 0, errTornHeader
		}
		return nil, 0, &CorruptError{Path: path, Line: 1, Reason: "no complete header line"}
	}
	if got := string(buf[:nl]); got != strings.Join(header, ",") {
		return nil, 0, &CorruptError{Path: path, Line: 1, Reason: fmt.Sprintf("header %q differs from this job's %q (was the file written by another command or version?)", got, strings.Join(header, ","))}
	}
	cells := map[int][]Row{}
	pos := int64(nl + 1)
	keep := pos     // end of the last complete cell
	open := -1      // cell whose block is being read
	var block []Row // its rows so far
	line := 1
	for rest := buf[nl+1:]; len(rest) > 0; {
		line++
		end := bytes.IndexByte(rest, '\n')
		if end < 0 { // torn last line
			if !tolerant {
				return nil, 0, &CorruptError{Path: path, Line: line, Reason: "last line has no newline (file cut short)"}
			}
			break
		}
		text := string(rest[:end])
		rest = rest[end+1:]
		pos += int64(end + 1)
		row := Row(strings.Split(text, ","))
		idx, err := strconv.Atoi(row[0])
		// The cell index must be written as the runner writes it: "00" or
		// "+0" would parse as cell 0 but is not a row this program wrote.
		if len(row) != len(header) || err != nil || idx < 0 || strconv.Itoa(idx) != row[0] {
			if tolerant && len(rest) == 0 {
				break // a torn last line that happens to end in a newline
			}
			return nil, 0, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("malformed row (%d fields, want %d; cell %q)", len(row), len(header), row[0])}
		}
		if open != idx {
			if open >= 0 {
				return nil, 0, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("cell %d starts before cell %d has its %d rows", idx, open, perCell)}
			}
			if _, dup := cells[idx]; dup {
				return nil, 0, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("cell %d appears twice", idx)}
			}
			open, block = idx, nil
		}
		block = append(block, row)
		if len(block) == perCell {
			cells[idx] = block
			open, block, keep = -1, nil, pos
		}
	}
	if open >= 0 && !tolerant {
		return nil, 0, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("cell %d has %d of its %d rows", open, len(block), perCell)}
	}
	return cells, keep, nil
}

// create writes a fresh file holding only the header, fsync'd, replacing
// any file at l.path.
func (l *Log) create() error {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(strings.Join(l.header, ",") + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	syncDir(filepath.Dir(l.path))
	l.f = f
	return nil
}

// CheckLayout reads a finished CSV file and returns a *CorruptError unless
// it is a file the runner would resume: its own header, then blocks of
// rows per cell, each cell once, every line complete. The rows per cell are
// those of its first cell.
func CheckLayout(path string) error {
	buf, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		return &CorruptError{Path: path, Line: 1, Reason: "no complete header line"}
	}
	header := strings.Split(string(buf[:nl]), ",")
	perCell, first := 0, ""
	for _, line := range strings.Split(string(buf[nl+1:]), "\n") {
		cell, _, _ := strings.Cut(line, ",")
		if perCell > 0 && cell != first {
			break
		}
		first = cell
		perCell++
	}
	_, _, err = parseLog(path, buf, header, max(1, perCell), false)
	return err
}

// errTornHeader marks a file that holds only a prefix of the header (a
// crash while creating it); OpenLog rewrites it.
var errTornHeader = fmt.Errorf("sweep: torn header")

// Done reports whether cell i is in the log.
func (l *Log) Done(i int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.cells[i]
	return ok
}

// Rows returns the rows of cell i (nil if absent).
func (l *Log) Rows(i int) []Row {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cells[i]
}

// Len returns the number of finished cells.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.cells)
}

// Append writes the rows of cell i (each starting with the cell index) in
// one write and fsyncs the file. It panics if the row count is not the
// log's perCell or a row has the wrong number of fields.
func (l *Log) Append(i int, rows []Row) error {
	if len(rows) != l.perCell {
		panic("sweep: Log.Append: wrong number of rows")
	}
	var b strings.Builder
	for _, r := range rows {
		if len(r) != len(l.header) || r[0] != strconv.Itoa(i) {
			panic("sweep: Log.Append: row does not fit the header or the cell")
		}
		b.WriteString(strings.Join(r, ","))
		b.WriteByte('\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.cells[i]; dup {
		return nil
	}
	if _, err := l.f.WriteString(b.String()); err != nil {
		return err
	}
	if err := l.f.Sync(); err != nil {
		return err
	}
	l.cells[i] = rows
	return nil
}

// Close closes the file.
func (l *Log) Close() error { return l.f.Close() }

// Finalize rewrites the file atomically with the cells sorted by index.
// The log stays usable.
func (l *Log) Finalize() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := writeSorted(l.path, l.header, l.cells); err != nil {
		return err
	}
	// The rename replaced the file: reopen for further appends.
	l.f.Close()
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	l.f = f
	return nil
}

// writeSorted writes header and the cells in index order to path through
// store.WriteFileAtomic.
func writeSorted(path string, header []string, cells map[int][]Row) error {
	idx := make([]int, 0, len(cells))
	for i := range cells {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return store.WriteFileAtomic(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, strings.Join(header, ",")+"\n"); err != nil {
			return err
		}
		for _, i := range idx {
			for _, r := range cells[i] {
				if _, err := io.WriteString(w, strings.Join(r, ",")+"\n"); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// syncDir fsyncs a directory so that a new entry in it survives a crash
// (best effort: some systems cannot fsync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
