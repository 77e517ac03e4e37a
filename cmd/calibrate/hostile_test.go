package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/valid"
	"vitadv/theorems"
)

// TestHostileFlags: each hostile command line is refused before any
// training with a *valid.Error naming the flag (as typed) and the value;
// the -out directory is not created or touched.
func TestHostileFlags(t *testing.T) {
	for _, c := range []struct {
		args       []string
		field, val string
	}{
		{[]string{"-boot", "-1"}, "-boot", "-1"},
		{[]string{"-boot", "0"}, "-boot", "0"},
		{[]string{"-seeds", "0"}, "-seeds", "0"},
		{[]string{"-tau-seeds", "0"}, "-tau-seeds", "0"},
		{[]string{"-jlo", "5", "-jhi", "-5"}, "-jhi", "-5"},
		{[]string{"-jhi", "1000"}, "-jhi", "1000"},
		{[]string{"-tau-c", "-1"}, "-tau-c", "-1"},
		{[]string{"-tau-c", "NaN"}, "-tau-c", "NaN"},
		{[]string{"-tau-n", "3"}, "-tau-n", "3"},
		{[]string{"-n", "4,x"}, "-n", "4,x"},
		{[]string{"-n", "0"}, "-n", "0"},
		{[]string{"-dh", "-8"}, "-dh", "-8"},
		{[]string{"-workers", "0"}, "-workers", "0"},
		{[]string{"-scale", "huge"}, "-scale", "huge"},
		{[]string{"-seeds", "10000", "-n", "2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48,50", "-jlo", "-60", "-jhi", "60"}, "-seeds", "10000"},
		{[]string{"stray"}, "argument", "stray"},
	} {
		root := t.TempDir()
		out := filepath.Join(root, "out")
		args := append([]string{"-out", out}, c.args...)
		err := run(&bytes.Buffer{}, args)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.val) {
			t.Errorf("run(%v) = %v, want *valid.Error on %s naming %q", args, err, c.field, c.val)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("run(%v) created -out", args)
		}
	}
}

// TestStrayArgumentKeepsOut: a positional argument before -out used to
// make the flag package drop -out, so the run overwrote the default
// results/calibrate; now it is an error and neither directory is touched.
func TestStrayArgumentKeepsOut(t *testing.T) {
	t.Chdir(t.TempDir())
	out := filepath.Join(t.TempDir(), "out")
	err := run(&bytes.Buffer{}, []string{"-seeds", "1", "oops", "-out", out})
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Value != "oops" {
		t.Fatalf("err = %v, want *valid.Error naming \"oops\"", err)
	}
	for _, d := range []string{out, "results"} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s was created", d)
		}
	}
}

// TestUnwritableOut: an -out that cannot be created or written is an error
// before any training (the run would otherwise take minutes here).
func TestUnwritableOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	for _, out := range []string{"/proc/x", filepath.Join(file, "sub")} {
		err := run(&bytes.Buffer{}, []string{"-out", out})
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "-out" || !strings.Contains(err.Error(), out) {
			t.Errorf("-out %s: err = %v, want *valid.Error on -out", out, err)
		}
	}
}

// TestHelp: -h prints the flags and exits 0.
func TestHelp(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, []string{"-h"}); err != nil {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(b.String(), "-boot int") {
		t.Errorf("-h output lacks \"-boot int\":\n%s", b.String())
	}
}

// TestCheckConsts: a NaN constant is refused naming the constant and the
// column; ±Inf (censored) and finite values pass.
func TestCheckConsts(t *testing.T) {
	nan := math.NaN()
	err := checkConsts([]theorems.Calibrated{{Name: "C_b", Estimate: 1, Lo: nan, Hi: 2}})
	if err == nil || !strings.Contains(err.Error(), "C_b") || !strings.Contains(err.Error(), "lo95") {
		t.Errorf("NaN lo95: err = %v, want an error naming C_b and lo95", err)
	}
	if err := checkConsts([]theorems.Calibrated{{Name: "tau*", Estimate: math.Inf(1), Lo: 0.2, Hi: math.Inf(1)}, {Name: "x", Estimate: 1, Lo: 0, Hi: 2}}); err != nil {
		t.Errorf("censored and finite constants refused: %v", err)
	}
}
