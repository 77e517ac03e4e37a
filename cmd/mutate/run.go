package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"vitadv/internal/mutate"
	"vitadv/model/store"
)

func run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(w)
	cat := fs.String("catalogue", "mutate/catalogue.txt", "catalogue of mutants")
	root := fs.String("root", ".", "module root the catalogue's paths are relative to")
	runRE := fs.String("run", "", "only mutants whose id matches this regular expression")
	workers := fs.Int("j", 1, "scratch copies tested in parallel")
	timeout := fs.Duration("timeout", 6*time.Minute, "per-mutant time limit (a timeout counts as killed, reported apart)")
	out := fs.String("out", "results/mutate/REPORT.txt", "report file, written when the whole catalogue runs (with -run only when -out is given); \"\" for none")
	list := fs.Bool("list", false, "check that every mutant applies exactly once, list them and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *workers < 1 {
		return fmt.Errorf("-j %d: need at least 1 worker", *workers)
	}
	if *timeout <= 0 {
		return fmt.Errorf("-timeout %v: must be positive", *timeout)
	}
	ms, err := mutate.ParseFile(filepath.Join(*root, *cat))
	if err != nil {
		return err
	}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return fmt.Errorf("-run: %v", err)
		}
		var keep []mutate.Mutant
		for _, m := range ms {
			if re.MatchString(m.ID) {
				keep = append(keep, m)
			}
		}
		if len(keep) == 0 {
			return fmt.Errorf("-run %q matches no mutant", *runRE)
		}
		ms = keep
	}
	if err := mutate.Check(*root, ms); err != nil {
		return err
	}
	if *list {
		for _, m := range ms {
			fmt.Fprintf(w, "%-34s %-32s %s\n", m.ID, m.File, m.Desc)
		}
		fmt.Fprintf(w, "%d mutants apply\n", len(ms))
		return nil
	}
	start := time.Now()
	rs, err := mutate.Run(ctx, mutate.Options{Root: *root, Workers: *workers, Timeout: *timeout, Log: w}, ms)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	s := mutate.Summarize(rs)
	fmt.Fprintf(w, "\n%s\n", s)
	for _, r := range rs {
		if r.Verdict == mutate.Survived || r.Verdict == mutate.Invalid {
			fmt.Fprintf(w, "  %-8s %s (%s): %s\n", r.Verdict, r.Mutant.ID, r.Mutant.File, r.Mutant.Desc)
		}
	}
	fmt.Fprintf(w, "wall time %v\n", wall.Round(time.Second))
	outSet := false
	fs.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
	if (*runRE == "" || outSet) && *out != "" {
		cmd := "make mutate   (= go run ./cmd/mutate" + flagsUsed(fs) + ")"
		meta := mutate.Meta{Command: cmd, Catalogue: *cat, Workers: *workers, Timeout: *timeout, Wall: wall, GoVersion: runtime.Version()}
		var b strings.Builder
		if err := mutate.WriteReport(&b, meta, rs); err != nil {
			return err
		}
		dst := *out // an absolute -out is taken as given, a relative one under -root
		if !filepath.IsAbs(dst) {
			dst = filepath.Join(*root, dst)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := store.WriteFileAtomic(dst, func(f io.Writer) error {
			_, err := io.WriteString(f, b.String())
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(w, "report: %s\n", dst)
	}
	if s.Survived > 0 || s.Invalid > 0 {
		return errors.New(s.String())
	}
	return nil
}

// flagsUsed lists the flags set on the command line that change verdicts.
func flagsUsed(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "root" {
			return
		}
		fmt.Fprintf(&b, " -%s=%s", f.Name, f.Value)
	})
	return b.String()
}
