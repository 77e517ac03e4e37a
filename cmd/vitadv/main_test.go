package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/experiment"
	"vitadv/sweep"
)

// noEnv is an empty environment (no batch-system variables).
func noEnv(string) string { return "" }

// vitadv runs the command in-process and fails the test on error.
func vitadv(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	var out, progress bytes.Buffer
	if err := runEnv(&out, &progress, args, getenv); err != nil {
		t.Fatalf("vitadv %s: %v\nstderr:\n%s", strings.Join(args, " "), err, progress.String())
	}
	return out.String()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// experiments are the smoke-preset runs the crash and shard tests cover: a
// one-row-per-cell sweep, an adversarial one, and the multi-row
// trajectories.
var experiments = []struct {
	name string
	args []string
	csv  string // relative to the results root
}{
	{"phase-clean", []string{"phase", "-preset", "smoke"}, "phase/smoke-clean.csv"},
	{"phase-at", []string{"phase", "-preset", "smoke", "-tau", "0.25"}, "phase/smoke-at-0.25.csv"},
	{"tau", []string{"tau", "-preset", "smoke"}, "tau/smoke.csv"},
	{"dynamics", []string{"dynamics", "-preset", "smoke"}, "dynamics/smoke.csv"},
}

// reference runs an experiment uninterrupted and returns its CSV bytes.
func reference(t *testing.T, args []string, csv string) []byte {
	t.Helper()
	root := t.TempDir()
	vitadv(t, noEnv, append(args, "-results", root, "-figures=false")...)
	return readFile(t, filepath.Join(root, csv))
}

// TestResumeAfterCrash: a run stopped after k cells, whose file is then
// cut at every possible point of its last cell (as kill -9 during the
// write would leave it), resumes to the same bytes as an uninterrupted run.
func TestResumeAfterCrash(t *testing.T) {
	for _, e := range experiments {
		t.Run(e.name, func(t *testing.T) {
			want := reference(t, e.args, e.csv)
			for _, workers := range []string{"1", "2"} {
				root := t.TempDir()
				args := append(e.args, "-results", root, "-figures=false", "-workers", workers)
				vitadv(t, noEnv, append(args, "-max-cells", "2")...)
				path := filepath.Join(root, e.csv)
				partial := readFile(t, path)
				if bytes.Equal(partial, want) {
					t.Fatalf("premise: -max-cells 2 already wrote the whole file")
				}
				// Cut inside the last line (a torn write), and keep a
				// copy to resume from every cut in turn.
				lines := bytes.SplitAfter(partial, []byte("\n"))
				last := len(partial) - len(lines[len(lines)-2])
				for _, cut := range []int{len(partial) - 1, last + 3, last + 1} {
					if err := os.WriteFile(path, partial[:cut], 0o644); err != nil {
						t.Fatal(err)
					}
					vitadv(t, noEnv, args...)
					if got := readFile(t, path); !bytes.Equal(got, want) {
						t.Fatalf("workers=%s cut=%d: resumed file differs from the uninterrupted run\ngot:\n%s\nwant:\n%s", workers, cut, got, want)
					}
				}
			}
		})
	}
}

// TestResumeTornHeader: a crash while the header was being written leaves
// a prefix of it; the rerun starts over.
func TestResumeTornHeader(t *testing.T) {
	e := experiments[0]
	want := reference(t, e.args, e.csv)
	root := t.TempDir()
	path := filepath.Join(root, e.csv)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, want[:10], 0o644); err != nil {
		t.Fatal(err)
	}
	vitadv(t, noEnv, append(e.args, "-results", root, "-figures=false")...)
	if got := readFile(t, path); !bytes.Equal(got, want) {
		t.Fatalf("file after a torn header differs:\n%s\nwant\n%s", got, want)
	}
}

// TestShardMerge: the shards of a run, selected by -shard or by the batch
// system's environment, merge into the bytes of the unsharded run.
func TestShardMerge(t *testing.T) {
	for _, e := range experiments {
		t.Run(e.name, func(t *testing.T) {
			want := reference(t, e.args, e.csv)
			for _, mode := range []string{"flag", "slurm", "k8s"} {
				root := t.TempDir()
				args := append(e.args, "-results", root, "-figures=false")
				const n = 3
				for i := 0; i < n; i++ {
					env := map[string]string{}
					a := args
					switch mode {
					case "flag":
						a = append(a, "-shard", itoa(i)+"/"+itoa(n))
					case "slurm": // arrays numbered from 1
						env["SLURM_ARRAY_TASK_ID"], env["SLURM_ARRAY_TASK_MIN"], env["SLURM_ARRAY_TASK_COUNT"] = itoa(i+1), "1", itoa(n)
					case "k8s":
						env["JOB_COMPLETION_INDEX"], env["VITADV_SHARDS"] = itoa(i), itoa(n)
					}
					vitadv(t, func(k string) string { return env[k] }, a...)
				}
				if _, err := os.Stat(filepath.Join(root, e.csv)); err == nil {
					t.Fatalf("%s: shards wrote the merged file themselves", mode)
				}
				vitadv(t, noEnv, append([]string{"merge"}, args...)...)
				if got := readFile(t, filepath.Join(root, e.csv)); !bytes.Equal(got, want) {
					t.Fatalf("%s: merged file differs from the unsharded run\ngot:\n%s\nwant:\n%s", mode, got, want)
				}
			}
		})
	}
}

// TestMergeIncomplete: merging without every shard is an error, not a
// silently short file.
func TestMergeIncomplete(t *testing.T) {
	root := t.TempDir()
	args := []string{"phase", "-preset", "smoke", "-results", root, "-figures=false"}
	vitadv(t, noEnv, append(args, "-shard", "0/2")...)
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, append([]string{"merge"}, args...), noEnv)
	var me *sweep.MergeError
	if !errors.As(err, &me) {
		t.Fatalf("merge with shard 1/2 missing: err = %v, want *sweep.MergeError", err)
	}
}

// TestResumeOtherSettings: resuming a file with different settings is
// refused with the cell and column named.
func TestResumeOtherSettings(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "x")
	vitadv(t, noEnv, "phase", "-preset", "smoke", "-out", out, "-figures=false", "-max-cells", "1")
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"phase", "-preset", "smoke", "-out", out, "-c", "0.25,8"}, noEnv)
	var pe *sweep.ParamMismatchError
	if !errors.As(err, &pe) || pe.Column != "c" {
		t.Fatalf("resume with other -c: err = %v, want *sweep.ParamMismatchError on column c", err)
	}
}

// TestBadFlags: every bad flag is a *FlagError naming the flag and value.
func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		args       []string
		flag, val  string
		noValueChk bool
	}{
		{[]string{"phase", "-preset", "huge"}, "preset", "huge", false},
		{[]string{"phase", "-n", "2,x"}, "n", "2,x", false},
		{[]string{"phase", "-n", "3"}, "n", "3", false},
		{[]string{"phase", "-c", "-1"}, "c", "-1", false},
		{[]string{"phase", "-tau", "abc"}, "tau", "abc", false},
		{[]string{"phase", "-tau", "-0.5"}, "tau", "-0.5", false},
		{[]string{"phase", "-eta", "0"}, "eta", "0", false},
		{[]string{"phase", "-d", "1.5"}, "d", "1.5", false},
		{[]string{"phase", "-shard", "3/2"}, "shard", "3/2", false},
		{[]string{"phase", "-shard", "1"}, "shard", "1", false},
		{[]string{"phase", "-workers", "0"}, "workers", "0", false},
		{[]string{"phase", "-bogus", "1"}, "bogus", "-bogus", false},
		{[]string{"phase", "-reps"}, "reps", "", false},
		{[]string{"tau", "-taus", "0.1,,2"}, "taus", "0.1,,2", false},
		{[]string{"phase", "-mu", "5,-5"}, "mu", "-5", false},
		{[]string{"tau", "-eps", "0"}, "eps", "0", false},
		{[]string{"tau", "-set", "l3"}, "set", "l3", false},
		{[]string{"dynamics", "-c-benign", "0"}, "c-benign", "0", false},
		{[]string{"dynamics", "-every", "7"}, "every", "7", false},
		{[]string{"mnist", "-pool", "3"}, "pool", "3", false},
		{[]string{"mnist", "-noise", "0"}, "noise", "0", false},
		{[]string{"dynamics", "-eval-cascade"}, "eval-cascade", "-eval-cascade", false},
		{[]string{"merge", "bogus"}, "", "bogus", false},
		{[]string{"frobnicate"}, "", "frobnicate", false},
		{[]string{"report", "-results"}, "results", "", false},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := c.args
			switch args[0] {
			case "phase", "tau", "dynamics", "mnist": // never fall back to a long run in ./results
				args = append([]string{args[0], "-preset", "smoke", "-results", t.TempDir()}, args[1:]...)
			}
			err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, args, noEnv)
			var fe *FlagError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FlagError", err, err)
			}
			if fe.Flag != c.flag || (!c.noValueChk && fe.Value != c.val) {
				t.Errorf("FlagError = {Flag: %q, Value: %q}, want {%q, %q} (%v)", fe.Flag, fe.Value, c.flag, c.val, err)
			}
			if !strings.Contains(err.Error(), c.flag) {
				t.Errorf("message %q does not name the flag %q", err, c.flag)
			}
		})
	}
}

// TestBadEnv: a malformed batch-system environment is a *FlagError naming
// the variable.
func TestBadEnv(t *testing.T) {
	for _, env := range []map[string]string{
		{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "2"},
		{"SLURM_ARRAY_TASK_ID": "0"},
		{"JOB_COMPLETION_INDEX": "1"},
		{"JOB_COMPLETION_INDEX": "x", "VITADV_SHARDS": "2"},
	} {
		err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"phase", "-preset", "smoke", "-results", t.TempDir()}, func(k string) string { return env[k] })
		var fe *FlagError
		if !errors.As(err, &fe) || !strings.HasPrefix(fe.Flag, "$") {
			t.Errorf("env %v: err = %v, want *FlagError on a $VARIABLE", env, err)
		}
	}
}

// TestCSVLoadable: every output is a header plus numeric columns, with one
// row per cell (phase) and the parameters and both SNRs present.
func TestCSVLoadable(t *testing.T) {
	root := t.TempDir()
	out := vitadv(t, noEnv, "phase", "-preset", "smoke", "-results", root)
	if !strings.Contains(out, ".png") || !strings.Contains(out, ".svg") {
		t.Errorf("phase output does not list the figures:\n%s", out)
	}
	for _, f := range []string{"smoke-clean.png", "smoke-clean.svg", "smoke-clean-benign.png"} {
		if st, err := os.Stat(filepath.Join(root, "phase", f)); err != nil || st.Size() == 0 {
			t.Errorf("figure %s missing or empty (%v)", f, err)
		}
	}
	tab, err := sweep.ReadTable(filepath.Join(root, "phase", "smoke-clean.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := experiment.PhasePreset(experiment.Smoke, 0)
	if want := len(cfg.N) * len(cfg.C) * cfg.Reps; tab.Rows != want {
		t.Errorf("rows = %d, want %d cells", tab.Rows, want)
	}
	for _, c := range []string{"cell", "n", "c", "seed", "mu", "snr2", "snrw", "tau", "d", "eta", "test_loss", "test_err", "robust_test_err", "a1", "entropy"} {
		if !tab.Has(c) {
			t.Errorf("column %s missing from %v", c, tab.Header)
		}
	}
	for i, s2 := range tab.Col("snr2") {
		// SNR_w/SNR_2 = σ₂/σ_w = 20 in every preset.
		if r := tab.Col("snrw")[i] / s2; r < 19.999 || r > 20.001 {
			t.Errorf("row %d: snrw/snr2 = %g, want σ₂/σ_w = 20", i, r)
		}
	}
}

// TestPerturbationSet: -set reaches the training and evaluation attacks and
// is recorded in the set_id column (1 = signal-token, attack.Sets order).
func TestPerturbationSet(t *testing.T) {
	root := t.TempDir()
	vitadv(t, noEnv, "tau", "-preset", "smoke", "-set", "signal-token", "-figures=false", "-results", root)
	tab, err := sweep.ReadTable(filepath.Join(root, "tau", "smoke.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range tab.Col("set_id") {
		if id != 1 {
			t.Fatalf("row %d: set_id = %g, want 1 (signal-token)", i, id)
		}
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestAllSmoke: `all` runs every experiment and writes a report that sets
// each figure next to its claim; without MNIST data it skips that
// experiment with a message instead of failing.
func TestAllSmoke(t *testing.T) {
	root := t.TempDir()
	empty := t.TempDir()
	env := func(k string) string {
		if k == "VITADV_MNIST_DIR" {
			return empty // no idx files here: mnist must be skipped
		}
		return ""
	}
	out := vitadv(t, env, "all", "-preset", "smoke", "-results", root)
	if !strings.Contains(out, "skipping mnist") {
		t.Errorf("all without MNIST data: output does not say mnist was skipped:\n%s", out)
	}
	report := string(readFile(t, filepath.Join(root, "REPORT.md")))
	for _, want := range []string{
		"![phase/smoke-clean](phase/smoke-clean.png)", "![phase/smoke-at-0.1](phase/smoke-at-0.1.png)",
		"![phase/smoke-at-0.4](phase/smoke-at-0.4.png)", "![tau/smoke](tau/smoke.png)",
		"(dynamics/smoke-benign.png)", "(dynamics/smoke-harmful.png)", "P2 band", "Regenerate: `go run ./cmd/vitadv",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	for _, f := range []string{"phase/smoke-clean.png", "phase/smoke-clean.svg", "tau/smoke.svg", "dynamics/smoke-harmful.png"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	// The report is a function of the data: rebuilding it changes nothing.
	before := readFile(t, filepath.Join(root, "REPORT.md"))
	png := readFile(t, filepath.Join(root, "phase/smoke-clean.png"))
	vitadv(t, noEnv, "report", "-results", root)
	if !bytes.Equal(before, readFile(t, filepath.Join(root, "REPORT.md"))) || !bytes.Equal(png, readFile(t, filepath.Join(root, "phase/smoke-clean.png"))) {
		t.Errorf("rebuilding the report changed REPORT.md or a figure")
	}
}

// TestPresetTinyRenamed: the d = 16 preset is now "smoke"; its old name
// "tiny" (which names the d = 64 scale of hunt, calibrate and the property
// tests) is refused with a *FlagError that says so, by every subcommand
// that takes -preset. An unknown name gets the plain rule instead.
func TestPresetTinyRenamed(t *testing.T) {
	for _, args := range [][]string{
		{"phase", "-preset", "tiny"},
		{"tau", "-preset=tiny"},
		{"all", "-preset", "tiny", "-compare", ""},
	} {
		err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, append(args, "-results", t.TempDir()), noEnv)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != "preset" || fe.Value != "tiny" {
			t.Fatalf("%q: err = %v (%T), want *FlagError on -preset tiny", args, err, err)
		}
		for _, want := range []string{`renamed to "smoke"`, "d = 64 scale"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: message %q does not say %q", args, err, want)
			}
		}
	}
	// Negative controls: an unknown name is not called renamed, and the
	// new name parses.
	err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, []string{"phase", "-preset", "tinyy", "-results", t.TempDir()}, noEnv)
	var fe *FlagError
	if !errors.As(err, &fe) || strings.Contains(err.Error(), "renamed") || !strings.Contains(err.Error(), `"smoke", "ci" or "paper"`) {
		t.Errorf("-preset tinyy: err = %v, want a *FlagError listing the presets", err)
	}
	if _, _, _, _, err := parseExperiment("phase", []string{"-preset", "smoke"}, noEnv); err != nil {
		t.Errorf("-preset smoke refused: %v", err)
	}
}
