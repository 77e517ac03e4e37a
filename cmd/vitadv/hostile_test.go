package main

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree lists every file and directory under dir with its content.
func tree(dir string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			out[p+"/"] = ""
			return nil
		}
		b, _ := os.ReadFile(p)
		out[p] = string(b)
		return nil
	})
	return out
}

// TestHostileSizesAndScales: sizes that would exhaust memory and scales
// that would overflow training are refused before any work with a
// *FlagError naming the flag and the value; no file or directory appears
// (neither under -results nor in the working directory).
func TestHostileSizesAndScales(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args       []string
		flag, val  string
		msgExtra   string
		skipValChk bool
	}{
		{[]string{"phase", "-d", "2000000000"}, "d", "2000000000", "", false},
		{[]string{"phase", "-d", "9223372036854775807"}, "d", "9223372036854775807", "", false},
		{[]string{"phase", "-m", "1e9"}, "m", "1e9", "", false},
		{[]string{"phase", "-m", "1000000000"}, "m", "1000000000", "", false},
		{[]string{"phase", "-n", "200000000"}, "n", "200000000", "", false},
		{[]string{"phase", "-reps", "1000000000"}, "reps", "1000000000", "", false},
		{[]string{"phase", "-d", "60000", "-n", "100000"}, "n", "100000", "GB", false},
		{[]string{"tau", "-reps", "1000000000"}, "reps", "1000000000", "", false},
		{[]string{"dynamics", "-seeds", "1000000000"}, "seeds", "1000000000", "", false},
		{[]string{"dynamics", "-steps", "10000000", "-every", "1"}, "steps", "10000000", "rows", false},
		{[]string{"phase", "-eta", "1e300"}, "eta", "1e+300", "", false},
		{[]string{"phase", "-sigma2", "1e300"}, "sigma2", "1e+300", "", false},
		{[]string{"phase", "-init-shrink", "1e-300"}, "init-shrink", "1e-300", "", false},
		{[]string{"phase", "-mu", "1e200"}, "mu", "1e+200", "", false},
		{[]string{"tau", "-mu", "1e200"}, "mu", "1e+200", "", false},
		{[]string{"tau", "-taus", "0,1e300"}, "taus", "1e+300", "", false},
		{[]string{"phase", "-eta", "NaN"}, "eta", "NaN", "", false},
		{[]string{"phase", "-tau", "Inf"}, "tau", "+Inf", "", false},
		{[]string{"mnist", "-d", "5"}, "d", "5", "pool", false},
		{[]string{"mnist", "-mu", "1e200"}, "mu", "1e+200", "", false},
		{[]string{"mnist", "-noise", "1e300"}, "noise", "1e+300", "", false},
		{[]string{"phase", "-workers", "100000"}, "workers", "100000", "", false},
		{[]string{"phase", "-out", "dir/"}, "out", "dir/", "", false},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			root := t.TempDir()
			before, cwd := tree(root), tree(".")
			args := append([]string{c.args[0], "-preset", "smoke", "-results", root}, c.args[1:]...)
			err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, args, noEnv)
			var fe *FlagError
			if !errors.As(err, &fe) || fe.Flag != c.flag || fe.Value != c.val {
				t.Fatalf("err = %v, want *FlagError{Flag: %q, Value: %q}", err, c.flag, c.val)
			}
			if !strings.Contains(err.Error(), "-"+c.flag) || !strings.Contains(err.Error(), c.msgExtra) {
				t.Errorf("message %q does not name -%s (and %q)", err, c.flag, c.msgExtra)
			}
			if !maps.Equal(before, tree(root)) || !maps.Equal(cwd, tree(".")) {
				t.Errorf("a refused command wrote files")
			}
		})
	}
}

// TestDefaultResultsIsScratch: an experiment without -results or -out
// writes under results/tmp (git-ignored), never into the committed tree.
func TestDefaultResultsIsScratch(t *testing.T) {
	t.Chdir(t.TempDir())
	out := vitadv(t, noEnv, "phase", "-preset", "smoke", "-figures=false")
	if _, err := os.Stat(filepath.Join("results", "tmp", "phase", "smoke-clean.csv")); err != nil {
		t.Errorf("default output not under results/tmp: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join("results", "phase")); !os.IsNotExist(err) {
		t.Errorf("an experiment without -results wrote into results/phase")
	}
}

// TestOutWithCSVSuffix: -out x.csv writes x.csv (not x.csv.csv).
func TestOutWithCSVSuffix(t *testing.T) {
	dir := t.TempDir()
	vitadv(t, noEnv, "phase", "-preset", "smoke", "-figures=false", "-out", filepath.Join(dir, "x.csv"))
	if _, err := os.Stat(filepath.Join(dir, "x.csv")); err != nil {
		t.Errorf("x.csv: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.csv.csv")); !os.IsNotExist(err) {
		t.Errorf("x.csv.csv written")
	}
}

// TestReportMissingRoot: report on a missing directory is an error naming
// the flag and creates nothing.
func TestReportMissingRoot(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent")
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"report", "-results", missing}, noEnv)
	var fe *FlagError
	if !errors.As(err, &fe) || fe.Flag != "results" || fe.Value != missing {
		t.Errorf("err = %v, want *FlagError on -results %s", err, missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("report created %s", missing)
	}
}

// TestHelpShowsTypes: -h of every command exits 0 and shows the flag
// types, not "value".
func TestHelpShowsTypes(t *testing.T) {
	for _, cmd := range []string{"phase", "tau", "dynamics", "mnist", "report", "all"} {
		var out bytes.Buffer
		if err := runEnv(&out, &bytes.Buffer{}, []string{cmd, "-h"}, noEnv); err != nil {
			t.Errorf("%s -h: %v", cmd, err)
		}
		if strings.Contains(out.String(), " value\n") || !strings.Contains(out.String(), "-results string") {
			t.Errorf("%s -h: types missing:\n%s", cmd, out.String())
		}
	}
	var out bytes.Buffer
	runEnv(&out, &bytes.Buffer{}, []string{"phase", "-h"}, noEnv)
	for _, want := range []string{"-n ints", "-c floats", "-eta float", "-seed uint", "-project\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("phase -h lacks %q", want)
		}
	}
}

// TestAllVerdict: `all` compares what it computed with a reference tree
// and says so: identical files verify, a changed cell is reported per file
// (row and column) and fails the command.
func TestAllVerdict(t *testing.T) {
	t.Chdir(t.TempDir())
	env := func(k string) string {
		if k == "VITADV_MNIST_DIR" {
			return "nonexistent-mnist"
		}
		return ""
	}
	ref := "ref"
	vitadv(t, env, "all", "-preset", "smoke", "-results", ref, "-compare", "")
	out := vitadv(t, env, "all", "-preset", "smoke", "-compare", ref)
	if !strings.Contains(out, "verified: 5 of 6 CSV files reproduce ref byte for byte") || !strings.Contains(out, "results/tmp/smoke-") {
		t.Errorf("all: no verdict or scratch path in:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join("results", "phase")); !os.IsNotExist(err) {
		t.Errorf("all without -results wrote into results/phase")
	}
	path := filepath.Join(ref, "tau", "smoke.csv")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	f := strings.Split(lines[2], ",")
	f[len(f)-2] = "12345"
	lines[2] = strings.Join(f, ",")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	var w bytes.Buffer
	err := runEnv(&w, &bytes.Buffer{}, []string{"all", "-preset", "smoke", "-compare", ref}, env)
	if err == nil || !strings.Contains(err.Error(), "1 of 5 CSV files differ") {
		t.Errorf("all after a changed reference: err = %v, want 1 of 5 files differ", err)
	}
	if !strings.Contains(w.String(), "tau/smoke.csv") || !strings.Contains(w.String(), "DIFFERS: 1 of") || !strings.Contains(w.String(), "first at row 2") {
		t.Errorf("all output does not locate the difference:\n%s", w.String())
	}
}

// TestPhaseCOverridesPresetMu: the paper preset lays its grid out in ‖μ‖;
// an explicit -c replaces that grid instead of being silently ignored, and
// -c with -mu is refused.
func TestPhaseCOverridesPresetMu(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	err := run(&b, []string{"phase", "-preset", "paper", "-c", "1", "-mu", "5", "-results", dir})
	if err == nil || !strings.Contains(err.Error(), "-c") || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("-c with -mu: err = %v, want an error naming -c", err)
	}
	spec, _, _, _, err := parseExperiment("phase", []string{"-preset", "paper", "-c", "1,10", "-n", "8", "-reps", "1"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := len(spec.job.Cells); got != 2 {
		t.Errorf("paper preset with -c 1,10 -n 8 -reps 1: %d cells, want 2 (the -c grid, not the preset's ‖μ‖ grid)", got)
	}
}
