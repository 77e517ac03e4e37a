package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// UsageError reports a bad command line: the argument and why.
type UsageError struct {
	Arg, Reason string
}

func (e *UsageError) Error() string { return fmt.Sprintf("%s: %s", e.Arg, e.Reason) }

// ClassError reports a result file that does not name its CPU class.
type ClassError struct {
	File, Missing string
}

func (e *ClassError) Error() string {
	return fmt.Sprintf("%s: no %q line (not written by `make bench`?)", e.File, e.Missing)
}

// NoBaselineError reports that no baseline exists for a CPU class.
type NoBaselineError struct {
	Want     string   // the baseline file looked for
	Existing []string // the baselines that do exist
}

func (e *NoBaselineError) Error() string {
	return fmt.Sprintf("no baseline for this CPU and kernel path: %s does not exist (run `make bench bench-baseline` to make one; existing: %s)",
		e.Want, strings.Join(e.Existing, ", "))
}

func run(w io.Writer, args []string) error {
	if len(args) == 0 {
		return &UsageError{"command", "want header, loadavg, baseline or find"}
	}
	fs := flag.NewFlagSet("benchfile "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	command := fs.String("command", "", "the command that made the file (header)")
	commit := fs.String("commit", "", "the commit measured (header)")
	dir := fs.String("dir", "results/bench", "directory of the baselines (baseline, find)")
	if err := fs.Parse(args[1:]); err != nil {
		return &UsageError{args[0], err.Error()}
	}
	switch args[0] {
	case "header":
		if fs.NArg() != 0 {
			return &UsageError{"header", "takes no file"}
		}
		return writeHeader(w, *command, *commit, loadavg(), runtime.NumCPU(), runtime.Version())
	case "loadavg":
		_, err := fmt.Fprintf(w, "# loadavg %s (at the end)\n", loadavg())
		return err
	case "baseline", "find":
		if fs.NArg() != 1 {
			return &UsageError{args[0], "want one result file"}
		}
		name, err := baselineFor(fs.Arg(0), *dir)
		if err != nil {
			return err
		}
		if args[0] == "find" {
			if _, err := os.Stat(name); err != nil {
				existing, _ := filepath.Glob(filepath.Join(*dir, "baseline-*.txt"))
				return &NoBaselineError{Want: name, Existing: existing}
			}
		}
		_, err = fmt.Fprintln(w, name)
		return err
	}
	return &UsageError{args[0], "unknown command: want header, loadavg, baseline or find"}
}

// writeHeader writes the comment lines that open a result file. None is a
// configuration line for benchstat (they start with "# "); the last line
// marks allocs/op as exact, which is a benchstat unit line on purpose.
func writeHeader(w io.Writer, command, commit, load string, ncpu int, goVersion string) error {
	_, err := fmt.Fprintf(w, "# command %s\n# commit %s\n# go %s\n# loadavg %s (at the start)\n# nproc %d\nUnit allocs/op assume=exact\n",
		command, commit, goVersion, load, ncpu)
	return err
}

// loadavg returns the 1-, 5- and 15-minute load averages (Linux), or
// "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// baselineFor names the baseline of result file f in dir:
// dir/baseline-<class>.txt with the class of f's cpu: and linalg: lines.
func baselineFor(f, dir string) (string, error) {
	cpu, path, err := classOf(f)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "baseline-"+Class(cpu, path)+".txt"), nil
}

// classOf returns the values of the first cpu: and linalg: lines of f.
func classOf(f string) (cpu, path string, err error) {
	file, err := os.Open(f)
	if err != nil {
		return "", "", err
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		line := s.Text()
		if v, ok := strings.CutPrefix(line, "cpu:"); ok && cpu == "" {
			cpu = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "linalg:"); ok && path == "" {
			path = strings.TrimSpace(v)
		}
	}
	if err := s.Err(); err != nil {
		return "", "", err
	}
	for _, m := range []struct{ key, v string }{{"cpu:", cpu}, {"linalg:", path}} {
		if m.v == "" {
			return "", "", &ClassError{File: f, Missing: m.key}
		}
	}
	return cpu, path, nil
}

// Class is the file-name form of a CPU class: the CPU's model name (go
// test's cpu: line) and the kernel path (linalg.Path), lower-cased, each run
// of characters other than a–z and 0–9 replaced by one "-", e.g.
//
//	"AMD EPYC 9B14", "asm-avx2-4x12+vec-avx2" → "amd-epyc-9b14-asm-avx2-4x12-vec-avx2"
func Class(cpu, path string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(cpu + " " + path) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
