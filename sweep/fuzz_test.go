package sweep

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vitadv/model/store"
	"vitadv/model/valid"
)

// fuzzHeader is the header of the fuzzed logs: cell, one parameter, two
// metrics (the second in Job.NA), as fakeJob writes.
var fuzzHeader = []string{"cell", "p", "m", "na"}

// FuzzParseLog: the CSV resume parser never panics on arbitrary bytes; what
// it accepts is consistent (every cell has perCell rows of the header's
// width, starting with the cell's index; the kept prefix is a prefix of the
// input ending in a newline), and a strict parse accepts only complete
// files.
func FuzzParseLog(f *testing.F) {
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n1,10,1,NaN\n"), uint8(1))
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n0,0,2,NaN\n1,10,1,NaN\n1,10"), uint8(2))
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n0,0,1,NaN\n"), uint8(1))
	f.Add([]byte("cell,p,m"), uint8(1))
	f.Add([]byte("cell,p,m,na\n-1,0,1,NaN\nzz\n"), uint8(3))
	f.Fuzz(func(t *testing.T, buf []byte, per uint8) {
		perCell := int(per%4) + 1
		for _, tolerant := range []bool{true, false} {
			cells, keep, err := parseLog("f.csv", buf, fuzzHeader, perCell, tolerant)
			if err != nil {
				var ce *CorruptError
				if !errors.As(err, &ce) && err != errTornHeader {
					t.Fatalf("error %v (%T), want *CorruptError", err, err)
				}
				continue
			}
			if keep < 0 || keep > int64(len(buf)) || keep > 0 && buf[keep-1] != '\n' {
				t.Fatalf("keep = %d of %d bytes, not at a line end", keep, len(buf))
			}
			for i, rows := range cells {
				if len(rows) != perCell {
					t.Fatalf("cell %d has %d rows, want %d", i, len(rows), perCell)
				}
				for _, r := range rows {
					if len(r) != len(fuzzHeader) || r[0] != strconv.Itoa(i) {
						t.Fatalf("cell %d: row %q does not fit", i, r)
					}
				}
			}
			if !tolerant && keep != int64(len(buf)) {
				t.Fatalf("strict parse kept %d of %d bytes", keep, len(buf))
			}
		}
	})
}

// FuzzResume: Execute on an arbitrary existing file either refuses it with
// a typed error and leaves it unchanged (but for a torn tail), or completes the
// job, after which the file holds every cell once with finite metrics.
func FuzzResume(f *testing.F) {
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n"))
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n1,10,1,NaN\n"))
	f.Add([]byte("cell,p,m,na\n0,0,NaN,NaN\n"))
	f.Add([]byte("cell,p,m,na\n1,10,1,NaN\n0,0,1,NaN\n1,10,2,NaN\n"))
	f.Add([]byte("cell,p,m,na\n0,5,1,NaN\n"))
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n1,1"))
	f.Add([]byte("cell,q\n"))
	f.Fuzz(func(t *testing.T, buf []byte) {
		dir := t.TempDir()
		out := filepath.Join(dir, "x")
		os.WriteFile(out+".csv", buf, 0o644)
		job := fakeJob(2, func(int) string { return "1" })
		_, err := Execute(job, Options{Out: out})
		got, _ := os.ReadFile(out + ".csv")
		if err != nil {
			var ce *CorruptError
			var pe *ParamMismatchError
			var me *MetricError
			if !errors.As(err, &ce) && !errors.As(err, &pe) && !errors.As(err, &me) {
				t.Fatalf("error %v (%T), want a typed refusal", err, err)
			}
			// Refused: unchanged, except that a torn tail (an
			// unfinished last cell) may have been cut off.
			if !bytes.HasPrefix(buf, got) {
				t.Fatalf("refused file changed:\n%q\n→\n%q", buf, got)
			}
			return
		}
		cells, _, err := parseLog(out+".csv", got, job.Header(), 1, false)
		if err != nil || len(cells) != 2 {
			t.Fatalf("completed file does not parse to 2 cells: %v\n%q", err, got)
		}
		for _, rows := range cells {
			if err := job.checkMetrics("", rows[0]); err != nil {
				t.Fatalf("completed file holds a bad metric: %v", err)
			}
		}
	})
}

// FuzzReadMeta: the sidecar loader never panics; what it accepts passes
// Meta.Validate; what it refuses is named by its path.
func FuzzReadMeta(f *testing.F) {
	f.Add([]byte(`{"command": "vitadv tau", "job": "tau ci", "shard": "0/1", "cells": 22, "computed_this_run": 22, "seconds_this_run": 27.6}`))
	f.Add([]byte(`{"command": "vitadv tau", "cells": 3`))
	f.Add([]byte(`{"cells": -1}`))
	f.Add([]byte(`{"cells": 1, "seconds_this_run": 1e999}`))
	f.Add([]byte(`{"cells": 1} {}`))
	f.Add([]byte(`{"bogus": 1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		csv := filepath.Join(t.TempDir(), "x.csv")
		os.WriteFile(metaPath(csv), b, 0o644)
		m, err := ReadMeta(csv)
		if err != nil {
			var fe *store.FormatError
			var ve *valid.Error
			if !errors.As(err, &fe) && !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want *store.FormatError or *valid.Error", err, err)
			}
			if !strings.Contains(err.Error(), metaPath(csv)) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid sidecar: %v", err)
		}
	})
}

// FuzzMerge: merging two arbitrary shard files either fails having written
// nothing, or writes a complete file of every cell once with finite
// metrics.
func FuzzMerge(f *testing.F) {
	a := []byte("cell,p,m,na\n0,0,1,NaN\n")
	b := []byte("cell,p,m,na\n1,10,1,NaN\n")
	f.Add(a, b)
	f.Add(a, []byte("cell,p,m,na\n1,10,zz,NaN\n"))
	f.Add(a, []byte("cell,p,m,na\n1,10,1,NaN\n1,10,1,NaN\n"))
	f.Add(a, []byte("cell,p,m,na\n1,11,1,NaN\n"))
	f.Add(a, a)
	f.Add([]byte("cell,p,m,na\n0,0,1,NaN\n1,10,1,NaN\n"), []byte("cell,p,m,na\n1,10,2,NaN\n"))
	f.Fuzz(func(t *testing.T, s0, s1 []byte) {
		dir := t.TempDir()
		out := filepath.Join(dir, "x")
		files := []string{filepath.Join(dir, "s0.csv"), filepath.Join(dir, "s1.csv")}
		os.WriteFile(files[0], s0, 0o644)
		os.WriteFile(files[1], s1, 0o644)
		job := fakeJob(2, func(int) string { return "1" })
		path, err := Merge(job, out, files, "fuzz")
		if err != nil {
			if _, serr := os.Stat(out + ".csv"); !os.IsNotExist(serr) {
				t.Fatalf("failed merge (%v) wrote %s.csv", err, out)
			}
			if _, serr := os.Stat(out + ".json"); !os.IsNotExist(serr) {
				t.Fatalf("failed merge (%v) wrote %s.json", err, out)
			}
			return
		}
		got, _ := os.ReadFile(path)
		cells, _, err := parseLog(path, got, job.Header(), 1, false)
		if err != nil || len(cells) != 2 {
			t.Fatalf("merged file does not hold the 2 cells: %v\n%q", err, got)
		}
		for _, rows := range cells {
			if err := job.checkMetrics("", rows[0]); err != nil {
				t.Fatalf("merged file holds a bad metric: %v", err)
			}
		}
	})
}

// FuzzReadTable: the report's CSV reader never panics; an accepted table
// has one column per header field, each with one value per row.
func FuzzReadTable(f *testing.F) {
	f.Add([]byte("cell,n,c\n0,2,0.5\n1,4,NaN\n"))
	f.Add([]byte("cell,n\n0\n"))
	f.Add([]byte("cell,n\n0,x\n"))
	f.Add([]byte(""))
	f.Add([]byte("a,a\n1,2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "t.csv")
		os.WriteFile(path, b, 0o644)
		tab, err := ReadTable(path)
		if err != nil {
			return
		}
		for _, h := range tab.Header {
			if len(tab.Col(h)) != tab.Rows {
				t.Fatalf("column %s has %d values, %d rows", h, len(tab.Col(h)), tab.Rows)
			}
		}
	})
}
