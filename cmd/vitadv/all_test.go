package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
)

// TestCompareNothingWording: when no computed CSV has a committed
// counterpart (the smoke preset), `all` says that nothing was compared,
// not "verified: 0 of n", and does not fail; one counterpart gives a
// verdict again (negative control).
func TestCompareNothingWording(t *testing.T) {
	root, ref := t.TempDir(), t.TempDir()
	runs := []allRun{{csv: "phase/smoke-clean.csv"}, {csv: "tau/smoke.csv"}}
	for _, r := range runs {
		p := filepath.Join(root, r.csv)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	}
	var w bytes.Buffer
	if err := compareRuns(&w, runs, nil, root, ref); err != nil {
		t.Fatalf("compareRuns with no counterparts: %v, want nil", err)
	}
	out := w.String()
	if strings.Contains(out, "verified: 0") || !strings.Contains(out, "nothing compared") || !strings.Contains(out, "none of the 2 CSV files") {
		t.Errorf("compareRuns with no counterparts printed:\n%s\nwant \"nothing compared: none of the 2 CSV files …\" and no \"verified: 0\"", out)
	}
	// Control: with one counterpart the verdict line is back.
	p := filepath.Join(ref, "tau/smoke.csv")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	w.Reset()
	if err := compareRuns(&w, runs, nil, root, ref); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), "verified: 1 of 2 CSV files") || strings.Contains(w.String(), "nothing compared") {
		t.Errorf("compareRuns with one counterpart printed:\n%s", w.String())
	}
}

// TestLabelNamesTheFile: with -out, the progress label (the job name)
// names the file written, so that the variants of `all` (ci-d256-clean,
// ci-long, …) are not labelled as the preset's default file; without
// -out it is the default file's name (control).
func TestLabelNamesTheFile(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"phase", "-tau", "0", "-out", "x/phase/ci-d256-clean"}, "phase ci-d256-clean"},
		{[]string{"tau", "-out", "x/tau/ci-long.csv"}, "tau ci-long"},
		{[]string{"phase", "-tau", "0"}, "phase ci-clean"},
		{[]string{"tau"}, "tau ci"},
	} {
		spec, _, _, _, err := parseExperiment(tc.args[0], append([]string{"-preset", "ci"}, tc.args[1:]...), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if spec.job.Name != tc.want {
			t.Errorf("%v: label %q, want %q", tc.args, spec.job.Name, tc.want)
		}
	}
}

// TestCompareSample: a run that computed only shard 0/2 of a file (the
// quick main job's sample of a cascade file) is compared with the
// committed file's rows of those cells — every row of a cell, in file
// order — and the verdict says so. Controls: a changed row of a sampled
// cell differs; a changed row of a cell outside the sample is not seen
// (the sample checks only what it recomputed, as the verdict says).
func TestCompareSample(t *testing.T) {
	root, ref := t.TempDir(), t.TempDir()
	full := "cell,x\n0,a\n0,b\n1,c\n2,d\n3,e\n"
	s := sweepShard(0, 2)
	if got := string(shardRows([]byte(full), s)); got != "cell,x\n0,a\n0,b\n2,d\n" {
		t.Fatalf("shardRows = %q", got)
	}
	runs := []allRun{{csv: "tau/ci.csv", shard: s}}
	write := func(dir, name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(root, "tau/ci.shard-0-of-2.csv", "cell,x\n0,a\n0,b\n2,d\n")
	for _, c := range []struct {
		name, committed string
		ok              bool
	}{
		{"same", full, true},
		{"sampled row changed", strings.Replace(full, "2,d", "2,D", 1), false},
		{"unsampled row changed", strings.Replace(full, "3,e", "3,E", 1), true},
	} {
		write(ref, "tau/ci.csv", c.committed)
		var w bytes.Buffer
		err := compareRuns(&w, runs, nil, root, ref)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v\n%s", c.name, err, c.ok, w.String())
		}
		if c.ok && (!strings.Contains(w.String(), "identical on the 3 of 5 rows recomputed (cells i ≡ 0 mod 2") || !strings.Contains(w.String(), "1 of them on the sample")) {
			t.Errorf("%s: printed\n%s", c.name, w.String())
		}
	}
}

func sweepShard(i, n int) sweep.Shard { return sweep.Shard{I: i, N: n} }
