package report

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"vitadv/internal/check"

	"vitadv/model/valid"
	"vitadv/sweep"
)

// fakeJob is a job of n cells whose single metric is metric(cell index).
func fakeJob(n int, metric func(i int) string) *sweep.Job {
	params := make([][]string, n)
	for i := range params {
		params[i] = []string{strconv.Itoa(10 * i)}
	}
	return &sweep.Job{Name: "fake", Params: []string{"p"}, Metrics: []string{"m", "na"}, PerCell: 1, NA: []string{"na"},
		Cells: sweep.NewCells(1, params),
		Run: func(c sweep.Cell) ([][]string, error) {
			return [][]string{{metric(c.Index), "NaN"}}, nil
		}}
}

// TestReportRefusesBadInputs: a garbled or truncated sidecar, a CSV with a
// duplicated row and a missing results root are errors naming the file;
// nothing is written.
func TestReportRefusesBadInputs(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "tau", "x")
	if _, err := sweep.Execute(fakeJob(2, func(int) string { return "1" }), sweep.Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	meta, _ := os.ReadFile(out + ".json")
	csv, _ := os.ReadFile(out + ".csv")
	for _, c := range []struct {
		name      string
		meta, csv []byte
		want      string
	}{
		{"garbled sidecar", []byte("{\"command\": 3"), csv, out + ".json"},
		{"truncated sidecar", meta[:len(meta)/2], csv, out + ".json"},
		{"invalid sidecar", bytes.Replace(meta, []byte(`"cells": 2`), []byte(`"cells": -2`), 1), csv, "cells"},
		{"duplicated row", meta, append(append([]byte{}, csv...), csv[bytes.IndexByte(csv, '\n')+1:]...), "appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(out+".json", c.meta, 0o644)
			os.WriteFile(out+".csv", c.csv, 0o644)
			before := check.DirState(t, root)
			_, err := Report(root)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want an error naming %q", err, c.want)
			}
			if after := check.DirState(t, root); !maps.Equal(before, after) {
				t.Errorf("a refused report wrote files")
			}
		})
	}
	missing := filepath.Join(root, "nonexistent")
	_, err := Report(missing)
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Value != missing {
		t.Errorf("missing root: err = %v, want *valid.Error naming it", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("Report created the missing root")
	}
}
