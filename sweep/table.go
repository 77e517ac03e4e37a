package sweep

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Table is a CSV file loaded as numeric columns.
type Table struct {
	Path   string
	Header []string
	Cols   map[string][]float64
	Rows   int
}

// ReadTable loads a CSV file written by this package: a header line and
// numeric fields (NaN allowed). A non-numeric field or a short row is a
// *CorruptError.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	t := &Table{Path: path, Cols: map[string][]float64{}}
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), ",")
		if line == 1 {
			t.Header = fields
			seen := map[string]bool{}
			for _, h := range fields {
				if seen[h] {
					return nil, &CorruptError{Path: path, Line: 1, Reason: fmt.Sprintf("column %q appears twice in the header", h)}
				}
				seen[h] = true
			}
			continue
		}
		if len(fields) != len(t.Header) {
			return nil, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("%d fields, header has %d", len(fields), len(t.Header))}
		}
		for i, s := range fields {
			v := atofField(s)
			if v != v && s != "NaN" {
				return nil, &CorruptError{Path: path, Line: line, Reason: fmt.Sprintf("column %s: %q is not a number", t.Header[i], s)}
			}
			t.Cols[t.Header[i]] = append(t.Cols[t.Header[i]], v)
		}
		t.Rows++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, &CorruptError{Path: path, Reason: "empty file"}
	}
	return t, nil
}

// Col returns column name (nil if absent).
func (t *Table) Col(name string) []float64 { return t.Cols[name] }

// Has reports whether the table has the column.
func (t *Table) Has(name string) bool { return slices.Contains(t.Header, name) }

// First returns the first value of a column (NaN if empty or absent).
func (t *Table) First(name string) float64 {
	c := t.Cols[name]
	if len(c) == 0 {
		return math.NaN()
	}
	return c[0]
}

// atofField parses a CSV field written with strconv.FormatFloat (NaN if
// malformed).
func atofField(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}
