package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestHostileFlags: every hostile command line is refused before any work
// with a *valid.Error naming the flag and the value; nothing is written.
func TestHostileFlags(t *testing.T) {
	for _, c := range []struct {
		args       []string
		field, val string
	}{
		{[]string{"-const", "log_base=1"}, "-const", "log_base=1"},
		{[]string{"-const", "log_base=0"}, "-const", "log_base=0"},
		{[]string{"-const", "log_base=-1"}, "-const", "log_base=-1"},
		{[]string{"-const", "c1=NaN"}, "-const", "c1=NaN"},
		{[]string{"-const", "cb=NaN"}, "-const", "cb=NaN"},
		{[]string{"-const", "cb=1e300"}, "-const", "cb=1e+300"},
		{[]string{"-const", "memo_factor=NaN"}, "-const", "memo_factor=NaN"},
		{[]string{"-const", "snr=bogus"}, "-const", "snr=bogus"},
		{[]string{"-const", "growth_t=x"}, "-const", "growth_t=x"},
		{[]string{"-checks", "-1"}, "-checks", "-1"},
		{[]string{"-checks", "0"}, "-checks", "0"},
		{[]string{"-time", "-1s"}, "-time", "-1s"},
		{[]string{"-check-time", "-1s"}, "-check-time", "-1s"},
		{[]string{"-max-fail", "0"}, "-max-fail", "0"},
		{[]string{"-scale", "huge"}, "-scale", "huge"},
		{[]string{"-step-frac", "1.5"}, "-step-frac", "1.5"},
		{[]string{"-step-frac", "-0.5"}, "-step-frac", "-0.5"},
		{[]string{"-step-frac", "NaN"}, "-step-frac", "NaN"},
		{[]string{"-step-frac", "+Inf"}, "-step-frac", "+Inf"},
		{[]string{"-out", ""}, "-out", ""},
		{[]string{"stray"}, "argument", "stray"},
	} {
		dir := t.TempDir()
		args := append([]string{"-statement", "P4", "-out", dir}, c.args...)
		var out bytes.Buffer
		err := run(&out, args)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.val) {
			t.Errorf("run(%v) = %v, want *valid.Error on %s naming %q", args, err, c.field, c.val)
		}
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			t.Errorf("run(%v) wrote %d files", args, len(ents))
		}
	}
}

// TestHelp: -h prints the usage with type names and is not an error.
func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, []string{"-h"}); err != nil {
		t.Fatalf("-h: %v", err)
	}
	for _, want := range []string{"-const name=value", "-checks int", "-time duration", "-replay file"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := parse(&bytes.Buffer{}, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("parse(-h) = %v, want flag.ErrHelp", err)
	}
}

// committedCE returns one committed counterexample file, decoded.
func committedCE(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "results", "hunt", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHostileReplay: replay files with points off the axes, unknown
// statements, a resized scale or bad constants are refused before any
// training, naming the file and the field.
func TestHostileReplay(t *testing.T) {
	p4 := "P4-c2=-1_log2N=1_seed=2.json"
	t3 := "Thm42iii-c2=1_log2N=1_log2shrink=0_seed=2_set=1_tauAbove20=0_trained=1-relaxed.json"
	for _, c := range []struct {
		name, file string
		edit       func(m map[string]any)
		want       string
	}{
		{"log2N=62", p4, func(m map[string]any) { m["point"].(map[string]any)["log2N"] = 62 }, "point.log2N = 62"},
		{"log2N=-5", p4, func(m map[string]any) { m["point"].(map[string]any)["log2N"] = -5 }, "point.log2N = -5"},
		{"set=99", t3, func(m map[string]any) { m["point"].(map[string]any)["set"] = 99 }, "point.set = 99"},
		{"extra axis", p4, func(m map[string]any) { m["point"].(map[string]any)["bogus"] = 1 }, "point"},
		{"missing axis", p4, func(m map[string]any) { delete(m["point"].(map[string]any), "seed") }, "point"},
		{"D=1e9", p4, func(m map[string]any) { m["scale"].(map[string]any)["D"] = 1e9 }, "D:1000000000"},
		{"scale name", p4, func(m map[string]any) { m["scale"].(map[string]any)["name"] = "huge" }, "scale.name"},
		{"step_frac=2", p4, func(m map[string]any) { m["scale"].(map[string]any)["step_frac"] = 2 }, "scale.step_frac = 2"},
		{"step_frac=-1", p4, func(m map[string]any) { m["scale"].(map[string]any)["step_frac"] = -1 }, "scale.step_frac = -1"},
		{"statement", p4, func(m map[string]any) { m["statement"] = "P99" }, "P99"},
		{"log_base", p4, func(m map[string]any) { m["consts"].(map[string]any)["log_base"] = 1 }, "log_base"},
		{"unknown field", p4, func(m map[string]any) { m["extra"] = 1 }, "extra"},
		{"check_seconds", p4, func(m map[string]any) { m["check_seconds"] = -1 }, "check_seconds = -1"},
		{"shrink_seconds", p4, func(m map[string]any) { m["shrink_seconds"] = -0.5 }, "shrink_seconds = -0.5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := committedCE(t, c.file)
			c.edit(m)
			b, _ := json.Marshal(m)
			path := filepath.Join(t.TempDir(), "ce.json")
			os.WriteFile(path, b, 0o644)
			err := run(&bytes.Buffer{}, []string{"-replay", path})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("replay: err = %v, want an error naming %s and %q", err, path, c.want)
			}
		})
	}
	// Truncated and garbled files.
	b, _ := os.ReadFile(filepath.Join("..", "..", "results", "hunt", p4))
	for _, body := range [][]byte{b[:len(b)/2], []byte("{]"), append(append([]byte{}, b...), "{}"...), nil} {
		path := filepath.Join(t.TempDir(), "ce.json")
		os.WriteFile(path, body, 0o644)
		if _, _, err := loadCE(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("loadCE(%q...) = %v, want an error naming the file", body[:min(len(body), 20)], err)
		}
	}
}

// TestCommittedCEValid: every committed counterexample passes the replay
// validation (the negative control of TestHostileReplay).
func TestCommittedCEValid(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "results", "hunt", "*.json"))
	if len(files) == 0 {
		t.Fatal("no committed counterexample files found")
	}
	for _, f := range files {
		if _, _, err := loadCE(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}
