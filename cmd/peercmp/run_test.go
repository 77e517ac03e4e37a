package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// TestRunRejectsBadFlags: bad arguments fail before any benchmark runs.
func TestRunRejectsBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-sizes", "paper,huge"}, `unknown size "huge"`},
		{[]string{"-rounds", "0"}, "-rounds and -threads must be >= 1"},
		{[]string{"-threads", "0"}, "-rounds and -threads must be >= 1"},
	} {
		err := run(io.Discard, io.Discard, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

// TestShapesMatchBench: every comparison size names a sub-benchmark that
// bench/vit_test.go defines (the Go side is found by that name).
func TestShapesMatchBench(t *testing.T) {
	want := map[string]bool{
		"N=20/M=16/d=1024/dh=512": true,
		"N=10/M=4/d=64/dh=32":     true,
		"N=50/M=8/d=256/dh=128":   true,
	}
	for _, s := range shapes {
		if !want[s.sub()] {
			t.Errorf("shape %s = %s, not a size of bench/vit_test.go", s.name, s.sub())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}} {
		if got := median(c.v); got != c.want {
			t.Errorf("median(%v) = %g, want %g", c.v, got, c.want)
		}
	}
}

// TestHelpExitsZero: -h prints the usage and is not an error; a stray
// argument is.
func TestHelpExitsZero(t *testing.T) {
	var out, errw bytes.Buffer
	if err := run(&out, &errw, []string{"-h"}); err != nil {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(errw.String(), "-rounds int") {
		t.Errorf("-h usage lacks \"-rounds int\":\n%s", errw.String())
	}
	if err := run(&out, &errw, []string{"stray"}); err == nil || !strings.Contains(err.Error(), "stray") {
		t.Errorf("stray argument: err = %v, want an error naming it", err)
	}
}

// TestPortableArgs: absolute paths in the recorded command become base
// names; everything else is kept as given.
func TestPortableArgs(t *testing.T) {
	got := strings.Join(portableArgs([]string{"-python", "/opt/venv/bin/python3", "-o=/home/u/out.txt", "-rounds", "3", "-o", "results/bench/p.txt"}), " ")
	want := "-python <python3> -o=<out.txt> -rounds 3 -o results/bench/p.txt"
	if got != want {
		t.Errorf("portableArgs = %q, want %q", got, want)
	}
}

// TestWriteAtomic: the file gets the new contents whole and no temporary
// file is left; a directory that does not exist is an error, and the old
// file stays.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/peer.txt"
	for _, body := range []string{"first\n", "second, longer\n"} {
		if err := writeAtomic(p, []byte(body)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != body {
			t.Fatalf("after writing %q: %q, %v", body, got, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1 (a temporary file left?)", len(ents))
	}
	if err := writeAtomic(dir+"/missing/peer.txt", []byte("x")); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}
