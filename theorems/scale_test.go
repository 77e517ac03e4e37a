package theorems

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestScales: every scale's name round-trips through ScaleByName, the four
// sizes are the documented ones (instance.go's table, README "Scales"),
// names are distinct and listed in ScaleNames, and anything else is a
// *ScaleError naming the value.
func TestScales(t *testing.T) {
	want := []struct {
		name         string
		d, m, dh, dv int
	}{
		{"tiny", 64, 4, 32, 32},
		{"ci", 128, 8, 64, 64},
		{"mid", 256, 8, 128, 128},
		{"paper", 1024, 16, 512, 512},
	}
	got := Scales()
	if len(got) != len(want) {
		t.Fatalf("Scales() has %d scales, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		if s.Name != w.name || s.D != w.d || s.M != w.m || s.Dh != w.dh || s.Dv != w.dv {
			t.Errorf("Scales()[%d] = %s d=%d M=%d d_h=%d d_v=%d, want %s d=%d M=%d d_h=%d d_v=%d",
				i, s.Name, s.D, s.M, s.Dh, s.Dv, w.name, w.d, w.m, w.dh, w.dv)
		}
		back, err := ScaleByName(s.Name)
		if err != nil || back != s {
			t.Errorf("ScaleByName(%q) = %+v, %v; want %+v", s.Name, back, err, s)
		}
		if !strings.Contains(ScaleNames, s.Name+" (d="+strconv.Itoa(s.D)+")") {
			t.Errorf("ScaleNames %q does not list %s (d=%d)", ScaleNames, s.Name, s.D)
		}
		if !(s.NTest > 0 && s.MechSteps > 0 && s.MaxSteps >= s.MechSteps/2 && s.Replicates > 0 && s.ProbeEvery > 0) {
			t.Errorf("%s: run sizes %+v not all positive", s.Name, s)
		}
	}
	for name, s := range map[string]Scale{"tiny": Tiny(), "ci": CI(), "mid": Mid(), "paper": Paper()} {
		if s.Name != name {
			t.Errorf("constructor of %s returns name %q", name, s.Name)
		}
	}
	// Negative controls: near misses are refused with the typed error.
	for _, bad := range []string{"", "Tiny", "PAPER", "paper ", "d1024", "smoke", "huge"} {
		s, err := ScaleByName(bad)
		var se *ScaleError
		if !errors.As(err, &se) || se.Name != bad || s != (Scale{}) || !strings.Contains(err.Error(), ScaleNames) {
			t.Errorf("ScaleByName(%q) = %+v, %v; want a *ScaleError listing the scales", bad, s, err)
		}
	}
}

// TestScalesREADME: README's "Scales" table lists exactly Scales(), in
// order, with their d, M and d_h = d_v.
func TestScalesREADME(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(\\w+)` \\| (\\d+) \\| (\\d+) \\| (\\d+) \\|")
	var got []string
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		got = append(got, strings.Join(m[1:], " "))
	}
	var want []string
	for _, s := range Scales() {
		if s.Dh != s.Dv {
			t.Fatalf("%s: d_h = %d ≠ d_v = %d: README's d_h = d_v column cannot show it", s.Name, s.Dh, s.Dv)
		}
		want = append(want, fmt.Sprintf("%s %d %d %d", s.Name, s.D, s.M, s.Dh))
	}
	if !slices.Equal(got, want) {
		t.Errorf("README Scales table rows (name d M d_h) = %q, want %q (theorems.Scales)", got, want)
	}
}
