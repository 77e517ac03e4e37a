package mutate

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Summary counts the verdicts of a run.
type Summary struct {
	Total, Killed, Timeout, Survived, Invalid int
}

// Summarize counts rs.
func Summarize(rs []Result) Summary {
	s := Summary{Total: len(rs)}
	for _, r := range rs {
		switch r.Verdict {
		case Killed:
			s.Killed++
		case Timeout:
			s.Timeout++
		case Survived:
			s.Survived++
		case Invalid:
			s.Invalid++
		}
	}
	return s
}

// Ratio is the killed ratio: (killed + timed out) / catalogued. Invalid
// mutants count against it: a catalogue entry that does not compile tests
// nothing.
func (s Summary) Ratio() float64 {
	if s.Total == 0 {
		return 0
	}
	return float64(s.Killed+s.Timeout) / float64(s.Total)
}

func (s Summary) String() string {
	return fmt.Sprintf("killed %d/%d (%.1f%%): %d failed a test, %d timed out; %d survived; %d invalid",
		s.Killed+s.Timeout, s.Total, 100*s.Ratio(), s.Killed, s.Timeout, s.Survived, s.Invalid)
}

// Meta describes a run for the report header.
type Meta struct {
	Command   string // the command that regenerates the report
	Catalogue string
	Workers   int
	Timeout   time.Duration
	Wall      time.Duration
	GoVersion string
}

// WriteReport writes the plain-text report of a run.
func WriteReport(w io.Writer, meta Meta, rs []Result) error {
	s := Summarize(rs)
	var b strings.Builder
	fmt.Fprintf(&b, "# Mutation testing report\n\n")
	fmt.Fprintf(&b, "Regenerate with:  %s\n", meta.Command)
	fmt.Fprintf(&b, "Catalogue:        %s (%d mutants, each applied alone to a scratch copy)\n", meta.Catalogue, s.Total)
	fmt.Fprintf(&b, "Killed means:     go test ./... fails (own package first, then ./...; stops at the first failure)\n")
	fmt.Fprintf(&b, "Toolchain:        %s; workers %d; per-mutant timeout %v; wall time %v\n\n",
		meta.GoVersion, meta.Workers, meta.Timeout, meta.Wall.Round(time.Second))
	fmt.Fprintf(&b, "%s\n\n", s)
	section := func(title string, keep func(Result) bool) {
		n := 0
		for _, r := range rs {
			if keep(r) {
				n++
			}
		}
		fmt.Fprintf(&b, "## %s (%d)\n\n", title, n)
		for _, r := range rs {
			if !keep(r) {
				continue
			}
			fmt.Fprintf(&b, "- %s  [%s, stage %s, %.0fs]  %s\n", r.Mutant.ID, r.Verdict, r.Stage, r.Elapsed.Seconds(), r.Mutant.File)
			fmt.Fprintf(&b, "    bug:  %s\n", r.Mutant.Desc)
			if r.Mutant.Note != "" {
				fmt.Fprintf(&b, "    note: %s\n", r.Mutant.Note)
			}
			if r.By != "" {
				fmt.Fprintf(&b, "    by:   %s\n", r.By)
			}
		}
		b.WriteString("\n")
	}
	section("Survivors", func(r Result) bool { return r.Verdict == Survived })
	section("Invalid", func(r Result) bool { return r.Verdict == Invalid })
	section("Timed out (counted as killed)", func(r Result) bool { return r.Verdict == Timeout })
	section("Killed", func(r Result) bool { return r.Verdict == Killed })
	_, err := io.WriteString(w, b.String())
	return err
}
