package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzArgs fuzzes calibrate's command line through run(w, args), with an
// -out appended that cannot be created (a path under a regular file): every
// fuzzed line must then fail before any training — on its own flags, or on
// the -out probe, which runs last. Nothing may panic, and nothing may be
// written (not even the probe's directory).
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"", "-boot\x00-1", "-seeds\x000", "-boot\x000", "-tau-seeds\x000", "-jlo\x005\x00-jhi\x00-5", "stray",
		"-tau-c\x00-1", "-n\x004,x", "-dh\x00-8", "-h", "-scale\x00paper", "-skip-tau", "--\x00-out\x00x",
		"-n\x002,4,6\x00-jlo\x00-60\x00-jhi\x0060\x00-seeds\x0010000",
	} {
		f.Add(s)
	}
	file := filepath.Join(f.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		f.Fatal(err)
	}
	bad := filepath.Join(file, "out")
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x00")
		}
		t.Chdir(t.TempDir())
		var out bytes.Buffer
		err := run(&out, append(args, "-out", bad))
		if err == nil && !strings.Contains(out.String(), "usage: calibrate") {
			t.Fatalf("%q: run succeeded with an unwritable -out", args)
		}
		if ents, _ := os.ReadDir("."); len(ents) > 0 {
			t.Fatalf("%q wrote into the working directory", args)
		}
	})
}
