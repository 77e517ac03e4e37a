package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"vitadv/sweep"
	"vitadv/theorems"
)

// Size is the model shape a results file was computed at: input dimension
// d, tokens M, attention width d_h and value width d_v. A zero field was
// not recorded (e.g. a τ sweep of cmd/calibrate varies d_h) and matches any
// value.
type Size struct{ D, M, Dh, Dv int }

// String prints the recorded fields, e.g. "d=784, M=4, d_h=32, d_v=32".
func (s Size) String() string {
	var parts []string
	for _, f := range []struct {
		name string
		v    int
	}{{"d", s.D}, {"M", s.M}, {"d_h", s.Dh}, {"d_v", s.Dv}} {
		if f.v != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", f.name, f.v))
		}
	}
	return strings.Join(parts, ", ")
}

// sizeOfScale returns the sizes of a theorems.Scale.
func sizeOfScale(sc theorems.Scale) Size { return Size{D: sc.D, M: sc.M, Dh: sc.Dh, Dv: sc.Dv} }

// scaleSet is the list of named scales results are grouped by (from the
// smallest); theorems.Scales() in every generated file, a planted list in
// the tests' negative controls.
type scaleSet []theorems.Scale

// defaultScales are the scales of package theorems: tiny d=64, ci d=128,
// mid d=256, paper d=1024.
func defaultScales() scaleSet { return scaleSet(theorems.Scales()) }

// Of is the one classification of the project's results by scale: the name
// of the scale whose d, M, d_h and d_v equal the file's (fields the file
// does not record, zero in s, are not compared), or "other (d=…, M=…,
// d_h=…, d_v=…)" when no scale matches — such files are shown under that
// label, never dropped. A size with no recorded d is "other (size not
// recorded)".
func (ss scaleSet) Of(s Size) string {
	if s.D <= 0 {
		return "other (size not recorded)"
	}
	for _, sc := range ss {
		z := sizeOfScale(sc)
		if s.D == z.D && (s.M == 0 || s.M == z.M) && (s.Dh == 0 || s.Dh == z.Dh) && (s.Dv == 0 || s.Dv == z.Dv) {
			return sc.Name
		}
	}
	return "other (" + s.String() + ")"
}

// named returns the scale called name, or false for an "other" label.
func (ss scaleSet) named(name string) (theorems.Scale, bool) {
	for _, sc := range ss {
		if sc.Name == name {
			return sc, true
		}
	}
	return theorems.Scale{}, false
}

// order sorts scale labels: the named scales from the smallest, then the
// "other" labels alphabetically.
func (ss scaleSet) order(labels []string) []string {
	rank := func(l string) int {
		for i, sc := range ss {
			if sc.Name == l {
				return i
			}
		}
		return len(ss)
	}
	out := slices.Clone(labels)
	slices.SortStableFunc(out, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

// tableSize returns the size recorded in a results table's d, m, dh and dv
// columns. ok is false when a column holds more than one value (the file
// mixes sizes; it is then classified by its label, see tableScale).
func tableSize(t *sweep.Table) (s Size, ok bool) {
	ok = true
	get := func(col string) int {
		v := t.Col(col)
		if len(v) == 0 || math.IsNaN(v[0]) {
			return 0
		}
		if countDistinct(v) > 1 {
			ok = false
		}
		return int(v[0])
	}
	return Size{D: get("d"), M: get("m"), Dh: get("dh"), Dv: get("dv")}, ok
}

// tableScale classifies a results table by its size columns (scaleSet.Of);
// a table whose size columns vary is "other (mixed sizes)".
func (ss scaleSet) tableScale(t *sweep.Table) string {
	s, ok := tableSize(t)
	if !ok {
		return "other (mixed sizes)"
	}
	return ss.Of(s)
}

// scaleHeading is the heading of a scale's section, e.g.
// "Scale ci (d = 128, M = 8, d_h = d_v = 64)".
func (ss scaleSet) scaleHeading(label string) string {
	sc, ok := ss.named(label)
	if !ok {
		return "Scale " + label
	}
	dh := fmt.Sprintf("d_h = d_v = %d", sc.Dh)
	if sc.Dh != sc.Dv {
		dh = fmt.Sprintf("d_h = %d, d_v = %d", sc.Dh, sc.Dv)
	}
	return fmt.Sprintf("Scale %s (d = %d, M = %d, %s)", sc.Name, sc.D, sc.M, dh)
}

// scaleNotes says where each named scale comes from.
var scaleNotes = map[string]string{
	"tiny":  "the property tests' and the hunts' default size (`theorems.Tiny`)",
	"ci":    "the `ci` preset's size (`theorems.CI`; THEORY §6.5 proposes d = 256, halved so that the whole ci job, `vitadv all -preset ci`, fits in 10 minutes on 2 shared cores)",
	"mid":   "THEORY §6.5's CI-scale configuration (`theorems.Mid`; hunt and calibrate files written before the paper's own size got a scale call it \"paper\")",
	"paper": "the paper's heatmap size (THEORY §2.2, `theorems.Paper`)",
}
