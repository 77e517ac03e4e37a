package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// FuzzParse fuzzes hunt's command line up to the point where work starts.
// Nothing may panic; a refusal is flag.ErrHelp, a flag-package error, or
// an error naming a flag; an accepted search has valid constants and
// non-empty axes or is refused by checkAxes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"-statement\x00P4", "-statement\x00P4\x00-const\x00log_base=1", "-statement\x00P4\x00-const\x00cb=NaN",
		"-statement\x00P4\x00-checks\x00-1", "-statement\x00P4\x00-time\x00-1s", "-statement\x00P4\x00-check-time\x00-1s", "-statement\x00P4\x00-const\x00snr=bogus",
		"-list", "-replay\x00x.json", "-h", "stray", "-statement\x00Thm4.2(iii)\x00-relax\x00-const\x00c3=0.3",
		"-statement\x00P8\x00-const\x00growth_t=0", "-statement\x00P1b\x00-const\x00ch=1e-300",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x00")
		}
		c, err := parse(io.Discard, args)
		if err != nil {
			return // every path above returns a typed error; none may panic
		}
		if c.list || c.replay != "" {
			return
		}
		if err := c.consts.Validate(); err != nil {
			t.Fatalf("%q: accepted invalid constants: %v", args, err)
		}
		if !(c.checks >= 1 && c.budget > 0 && c.maxFail >= 1 && c.checkTime >= 0) {
			t.Fatalf("%q: accepted checks %d, time %v, max-fail %d, check-time %v", args, c.checks, c.budget, c.maxFail, c.checkTime)
		}
		st, err := find(c.id)
		if err != nil {
			t.Fatalf("%q: accepted an unknown statement", args)
		}
		axes := st.Axes(c.scale, c.consts)
		if err := checkAxes(axes, c.relax); err != nil {
			var ve *valid.Error
			if !errors.As(err, &ve) {
				t.Fatalf("checkAxes: %v (%T)", err, err)
			}
		}
	})
	_ = flag.ErrHelp
}

// FuzzLoadCE fuzzes the replay loader with arbitrary file contents. It
// must never panic; what it accepts has a known statement, a named scale
// and a point inside the statement's axes (so the replay cannot allocate
// beyond the scale or index out of range).
func FuzzLoadCE(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "results", "hunt", "*.json"))
	for _, name := range files[:min(len(files), 4)] {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(`{"statement":"P4","scale":{"name":"tiny","D":1000000000},"point":{"log2N":62}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "ce.json")
		os.WriteFile(path, b, 0o644)
		ce, st, err := loadCE(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, a := range st.Axes(ce.Scale, ce.Consts) {
			x := ce.Point[a.Name]
			if x < min(a.Lo, a.RelaxLo) || x > max(a.Hi, a.RelaxHi) {
				t.Fatalf("accepted %s = %d outside the axis", a.Name, x)
			}
		}
		if err := ce.Consts.Validate(); err != nil {
			t.Fatalf("accepted invalid constants: %v", err)
		}
	})
}
