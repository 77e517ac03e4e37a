// Command claims rewrites every generated verdict table of the repository
// from its committed results, through package theorems with
// theorems.Defaults(): results/REPORT.md (the whole report, grouped by
// scale, figures not re-rendered), the claims table and the table of
// verdicts by scale (tiny / ci / mid / paper) of README.md and the status
// section of theorems/STATEMENTS.md (between their marker comments). Tests fail when a
// committed table differs from what this command writes
// (report.TestGeneratedTablesCurrent).
//
// Usage (from the repository root or below it; -repo names another
// checkout):
//
//	go run ./cmd/claims [-repo dir]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"vitadv/internal/modroot"
	"vitadv/report"
)

func run(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("claims", flag.ContinueOnError)
	fs.SetOutput(w)
	repo := fs.String("repo", "", "repository root (holds README.md, results/, theorems/STATEMENTS.md); default: the vitadv module root at or above the working directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *repo == "" {
		root, err := modroot.Find(".")
		if err != nil {
			return fmt.Errorf("%w (or give -repo)", err)
		}
		*repo = root
	}
	changed, err := report.WriteGenerated(*repo)
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		fmt.Fprintln(w, "claims: every generated table is current")
	}
	for _, p := range changed {
		fmt.Fprintln(w, "claims: wrote", p)
	}
	return nil
}

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "claims:", err)
		os.Exit(1)
	}
}
