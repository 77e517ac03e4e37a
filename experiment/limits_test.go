package experiment

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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

// dirState lists every file under dir with its content.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		} else if err == nil && d.IsDir() {
			out[p+"/"] = ""
		}
		return nil
	})
	return out
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
			before := dirState(t, root)
			_, err := Report(root)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want an error naming %q", err, c.want)
			}
			if after := dirState(t, root); !maps.Equal(before, after) {
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

// TestLimits: sizes past the limits are refused before any allocation,
// naming the flag, the value and (for memory) the estimate.
func TestLimits(t *testing.T) {
	base := PhasePreset(Smoke, 0)
	for _, c := range []struct {
		field string
		edit  func(*PhaseConfig)
		want  string
	}{
		{"d", func(p *PhaseConfig) { p.D = 2000000000 }, "2000000000"},
		{"d", func(p *PhaseConfig) { p.D = math.MaxInt }, "9223372036854775807"},
		{"m", func(p *PhaseConfig) { p.M = 1e9 }, "1000000000"},
		{"n", func(p *PhaseConfig) { p.N = []int{200000000} }, "200000000"},
		{"reps", func(p *PhaseConfig) { p.Reps = 1e9 }, "1000000000"},
		{"n", func(p *PhaseConfig) { p.D, p.N = 60000, []int{100000} }, "GB"},
		{"eta", func(p *PhaseConfig) { p.Eta = 1e300 }, "1e+300"},
		{"sigma2", func(p *PhaseConfig) { p.Sigma2 = 1e300 }, "1e+300"},
		{"init-shrink", func(p *PhaseConfig) { p.Shrink = 1e-300 }, "1e-300"},
		{"mu", func(p *PhaseConfig) { p.Mu = []float64{1e200} }, "1e+200"},
		{"c", func(p *PhaseConfig) { p.C = []float64{1e300} }, "1e+300"},
		{"tau", func(p *PhaseConfig) { p.TauOverMu = 1e300 }, "1e+300"},
		{"eta", func(p *PhaseConfig) { p.Eta = math.Inf(1) }, "Inf"},
	} {
		p := base
		p.N, p.C = slicesClone(base.N), append([]float64(nil), base.C...)
		c.edit(&p)
		err := p.Validate()
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want *valid.Error on %s mentioning %s", c.field, err, c.field, c.want)
		}
	}
	if err := base.Validate(); err != nil {
		t.Errorf("negative control: the smoke preset is refused: %v", err)
	}
	for _, p := range Presets() {
		if err := PhasePreset(p, 0.1).Validate(); err != nil {
			t.Errorf("preset %s refused: %v", p, err)
		}
		if err := TauPreset(p).Validate(); err != nil {
			t.Errorf("preset %s tau refused: %v", p, err)
		}
		if err := DynamicsPreset(p).Validate(); err != nil {
			t.Errorf("preset %s dynamics refused: %v", p, err)
		}
		if err := MNISTPreset(p).Validate(); err != nil {
			t.Errorf("preset %s mnist refused: %v", p, err)
		}
	}
}

func slicesClone(v []int) []int { return append([]int(nil), v...) }
