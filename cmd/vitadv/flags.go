package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"vitadv/experiment"
	"vitadv/model/valid"
)

// FlagError reports a bad command-line flag (or environment variable, whose
// name then starts with "$"), with the value as given and the rule it broke.
type FlagError struct {
	Command string // subcommand, e.g. "phase"
	Flag    string // flag name without the dash, or "$VAR"
	Value   string // value as given
	Reason  string
}

func (e *FlagError) Error() string {
	var b strings.Builder
	if e.Command != "" {
		b.WriteString(e.Command + ": ")
	}
	switch {
	case e.Flag == "" && e.Value == "":
		b.WriteString(e.Reason)
	case e.Flag == "":
		fmt.Fprintf(&b, "%q: %s", e.Value, e.Reason)
	default:
		name := "-" + e.Flag
		if strings.HasPrefix(e.Flag, "$") {
			name = e.Flag
		}
		fmt.Fprintf(&b, "bad %s %q: %s", name, e.Value, e.Reason)
	}
	return b.String()
}

// flagSet is a flag.FlagSet whose values report *FlagError.
type flagSet struct {
	*flag.FlagSet
	cmd   string
	first *FlagError // first error reported by a value's Set
}

func newFlagSet(cmd string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(cmd, flag.ContinueOnError), cmd: cmd}
	fs.SetOutput(io.Discard)
	return fs
}

// value is a flag.Value whose Set reports failures to its flag set.
type value struct {
	fs      *flagSet
	name    string
	set     func(string) error
	get     func() string
	boolean bool
	typ     string // type name shown by -h ("int", "float", ...; "" for booleans)
}

func (v *value) String() string {
	if v == nil || v.get == nil {
		return ""
	}
	return v.get()
}

func (v *value) Set(s string) error {
	if err := v.set(s); err != nil {
		if v.fs.first == nil {
			v.fs.first = &FlagError{Command: v.fs.cmd, Flag: v.name, Value: s, Reason: err.Error()}
		}
		return err
	}
	return nil
}

func (v *value) IsBoolFlag() bool { return v.boolean }

func (fs *flagSet) add(name, typ, usage string, set func(string) error, get func() string, boolean bool) {
	fs.Var(&value{fs: fs, name: name, set: set, get: get, boolean: boolean, typ: typ}, name, usage)
}

// Int binds an integer flag.
func (fs *flagSet) Int(p *int, name, usage string) {
	fs.add(name, "int", usage, func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("not an integer")
		}
		*p = v
		return nil
	}, func() string { return strconv.Itoa(*p) }, false)
}

// Uint64 binds an unsigned integer flag.
func (fs *flagSet) Uint64(p *uint64, name, usage string) {
	fs.add(name, "uint", usage, func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return errors.New("not an unsigned integer")
		}
		*p = v
		return nil
	}, func() string { return strconv.FormatUint(*p, 10) }, false)
}

// Float binds a float flag.
func (fs *flagSet) Float(p *float64, name, usage string) {
	fs.add(name, "float", usage, func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errors.New("not a number")
		}
		*p = v
		return nil
	}, func() string { return strconv.FormatFloat(*p, 'g', -1, 64) }, false)
}

// Bool binds a boolean flag.
func (fs *flagSet) Bool(p *bool, name, usage string) {
	fs.add(name, "", usage, func(s string) error {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("not a boolean (true or false)")
		}
		*p = v
		return nil
	}, func() string { return strconv.FormatBool(*p) }, true)
}

// String binds a string flag.
func (fs *flagSet) String(p *string, name, usage string) {
	fs.add(name, "string", usage, func(s string) error { *p = s; return nil }, func() string { return *p }, false)
}

// Ints binds a comma-separated list of integers.
func (fs *flagSet) Ints(p *[]int, name, usage string) {
	fs.add(name, "ints", usage, func(s string) error {
		var out []int
		for _, f := range strings.Split(s, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("%q is not an integer (want a comma-separated list like 2,4,8)", f)
			}
			if slices.Contains(out, v) {
				return fmt.Errorf("%d appears twice (a grid axis lists each value once)", v)
			}
			out = append(out, v)
		}
		*p = out
		return nil
	}, func() string { return joinInts(*p) }, false)
}

// Floats binds a comma-separated list of numbers.
func (fs *flagSet) Floats(p *[]float64, name, usage string) {
	fs.add(name, "floats", usage, func(s string) error {
		out, err := parseFloats(s)
		if err != nil {
			return err
		}
		*p = out
		return nil
	}, func() string { return joinFloats(*p) }, false)
}

// parseFloats reads a comma-separated list of distinct numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number (want a comma-separated list like 0.1,0.5,2)", f)
		}
		if slices.Contains(out, v) {
			return nil, fmt.Errorf("%s appears twice (a grid axis lists each value once)", strings.TrimSpace(f))
		}
		out = append(out, v)
	}
	return out, nil
}

// Etas binds -eta as a list of step sizes: its first value is *eta (the
// setup's η, the only one of a one-value list, which keeps today's file),
// and a list of two or more is the η axis *etas.
func (fs *flagSet) Etas(eta *float64, etas *[]float64, name, usage string) {
	fs.add(name, "floats", usage, func(s string) error {
		out, err := parseFloats(s)
		if err != nil {
			return err
		}
		*eta, *etas = out[0], nil
		if len(out) >= 2 {
			*etas = out
		}
		return nil
	}, func() string {
		if len(*etas) >= 2 {
			return joinFloats(*etas)
		}
		return strconv.FormatFloat(*eta, 'g', -1, 64)
	}, false)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

// parse checks for unknown flags (so that their error names them), then
// parses args. It returns flag.ErrHelp for -h.
func (fs *flagSet) parse(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break // flag parsing stops at the first non-flag
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return &FlagError{Command: fs.cmd, Flag: name, Value: a, Reason: "unknown flag (see -h)"}
		}
		if v, ok := f.Value.(*value); ok && !v.boolean && !hasValue {
			if i+1 == len(args) {
				return &FlagError{Command: fs.cmd, Flag: name, Value: "", Reason: "missing value"}
			}
			i++
		}
	}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	case fs.first != nil:
		return fs.first
	}
	return &FlagError{Command: fs.cmd, Reason: err.Error()}
}

// check turns a configuration's *valid.Error (whose Field is a flag name)
// into a *FlagError.
func (fs *flagSet) check(err error) error {
	var ve *valid.Error
	if errors.As(err, &ve) {
		return &FlagError{Command: fs.cmd, Flag: ve.Field, Value: fmt.Sprint(ve.Value), Reason: ve.Rule}
	}
	return err
}

// usage writes the flag defaults to w, each flag with its type name
// (flag.PrintDefaults would show "value" for every flag.Var).
func (fs *flagSet) usage(w io.Writer, synopsis string) {
	fmt.Fprintf(w, "usage: vitadv %s\n\nflags:\n", synopsis)
	fs.VisitAll(func(f *flag.Flag) {
		typ := ""
		if v, ok := f.Value.(*value); ok {
			typ = v.typ
		}
		line := "  -" + f.Name
		if typ != "" {
			line += " " + typ
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n    \t%s%s\n", line, strings.ReplaceAll(f.Usage, "\n", "\n    \t"), def)
	})
}

// presetValue checks the value of a parsed -preset flag and returns the
// preset it names.
func presetValue(cmd, value string) (experiment.Preset, error) {
	p := experiment.Preset(value)
	if err := p.Validate(); err != nil {
		// The preset's own rule: "must be ..." or, for a former name
		// (tiny), what it is called now.
		reason := "must be " + experiment.PresetNames
		var ve *valid.Error
		if errors.As(err, &ve) {
			reason = ve.Rule
		}
		return "", &FlagError{Command: cmd, Flag: "preset", Value: string(p), Reason: reason}
	}
	return p, nil
}
