package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vitadv/report"
	"vitadv/theorems"
)

// huntText runs hunt with args into dir (run log dir/b.jsonl) and returns
// its text log as a batch writes it ("$ " command line, then the output).
func huntText(t *testing.T, dir string, args []string) string {
	t.Helper()
	var b bytes.Buffer
	if err := run(&b, append(args, "-out", dir, "-log", filepath.Join(dir, "b.jsonl"))); err != nil {
		t.Fatalf("run(%v): %v", args, err)
	}
	return "$ go run ./cmd/hunt " + strings.Join(args, " ") + "\n" + b.String()
}

// TestHuntRecordsOutside (issue 17): a tiny hunt of Thm 4.2(i) trains at
// η = 0.1, outside THEORY's step-size hypothesis at every cell, so every
// check is tallied outside (holds, undecided, fails alike), with the
// violated condition, in the text log and in the run log; the claims
// tables read it as outside, never as a bare "holds". Control: P3 (clean
// GD, ScopeClean) records no outside part.
func TestHuntRecordsOutside(t *testing.T) {
	dir := t.TempDir()
	text := huntText(t, dir, []string{"-statement", "Thm4.2(i)", "-checks", "6"})
	recs, err := report.ReadHuntLog(filepath.Join(dir, "b.jsonl"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("run log: %v, %v", recs, err)
	}
	r := recs[0]
	if r.Outside == nil || r.Outside.Checks() != r.Holds+r.Undecided+r.TimedOut+r.Fails || r.Outside.Checks() != 6 {
		t.Fatalf("record %+v outside %+v: want all 6 checks outside", r, r.Outside)
	}
	if len(r.Outside.Violated) != 1 || !strings.HasPrefix(r.Outside.Violated[0].Name, "η ≤ CetaTheory") || !(r.Outside.Violated[0].Factor() > 100) {
		t.Errorf("violated %+v: want THEORY's step-size condition, ×100 or more", r.Outside.Violated)
	}
	if !strings.Contains(text, "\n"+report.OutsidePrefix) {
		t.Errorf("text log lacks the outside line:\n%s", text)
	}
	dir2 := t.TempDir()
	huntText(t, dir2, []string{"-statement", "P3", "-checks", "2"})
	recs, err = report.ReadHuntLog(filepath.Join(dir2, "b.jsonl"))
	if err != nil || len(recs) != 1 || recs[0].Outside != nil {
		t.Errorf("control: P3 (clean GD) record %+v, %v: want no outside part", recs, err)
	}
}

// TestHuntInsideStepSize: with -step-frac the same kind of hunt trains
// inside THEORY's step-size hypothesis, so a P12 check (whose scope is the
// training conditions and the regime-1 budget) is tallied inside — the
// run log has no outside part and records the scale's step_frac, and the
// text log no outside line. Control: at η = 0.1 (no -step-frac) the same
// point is outside, with the step-size condition violated.
func TestHuntInsideStepSize(t *testing.T) {
	for _, c := range []struct {
		frac    string
		outside bool
	}{{"0.9", false}, {"", true}} {
		dir := t.TempDir()
		args := []string{"-statement", "P12", "-checks", "1"}
		if c.frac != "" {
			args = append(args, "-step-frac", c.frac)
		}
		text := huntText(t, dir, args)
		recs, err := report.ReadHuntLog(filepath.Join(dir, "b.jsonl"))
		if err != nil || len(recs) != 1 {
			t.Fatalf("%v: run log %v, %v", args, recs, err)
		}
		r := recs[0]
		if n := r.Holds + r.Undecided + r.TimedOut + r.Fails; n != 1 {
			t.Fatalf("%v: %d checks tallied, want 1", args, n)
		}
		if got := r.Outside != nil; got != c.outside {
			t.Errorf("%v: outside part %+v, want outside = %v", args, r.Outside, c.outside)
		}
		if got := strings.Contains(text, "\n"+report.OutsidePrefix); got != c.outside {
			t.Errorf("%v: text log outside line %v, want %v:\n%s", args, got, c.outside, text)
		}
		if want := map[string]float64{"0.9": 0.9, "": 0}[c.frac]; r.Scale.StepFrac != want {
			t.Errorf("%v: recorded step_frac %v, want %v", args, r.Scale.StepFrac, want)
		}
		if c.outside && (len(r.Outside.Violated) == 0 || !strings.HasPrefix(r.Outside.Violated[0].Name, "η ≤ CetaTheory")) {
			t.Errorf("control: violated %+v, want THEORY's step-size condition", r.Outside.Violated)
		}
	}
}

// TestLabelScopeExact: the converter that labels hunt logs written before
// the scopes were evaluated (-label-scope) is exact: a hunt's text log
// with its outside line removed is labelled back to the hunt's own text,
// byte for byte, and its regenerated run log equals the record the hunt
// appended (up to the wall time); a counterexample file without its
// "outside" field is labelled back to the scope at its point, every other
// byte kept. Controls: a log whose points are not all on one side of the
// hypotheses (a -ceta-theory between the points' step-size factors puts some inside) and a file not
// in cmd/hunt's layout are refused, and a labelled directory is left as
// it is.
func TestLabelScopeExact(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-statement", "Thm4.2(i)", "-checks", "6"}
	text := huntText(t, dir, args)
	want, err := report.ReadHuntLog(filepath.Join(dir, "b.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var old []string
	for _, l := range strings.SplitAfter(text, "\n") {
		if !strings.HasPrefix(l, report.OutsidePrefix) {
			old = append(old, l)
		}
	}
	old2 := strings.Join(old, "")
	if old2 == text {
		t.Fatal("premise: the hunt printed no outside line")
	}
	ldir := t.TempDir()
	os.WriteFile(filepath.Join(ldir, "b.txt"), []byte(old2), 0o644)
	if _, err := labelDir(ldir); err != nil {
		t.Fatalf("labelDir: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(ldir, "b.txt")); string(got) != text {
		t.Errorf("labelled log\n%s\nthe hunt's own log\n%s", got, text)
	}
	got, err := report.ReadHuntLog(filepath.Join(ldir, "b.jsonl"))
	if err != nil || len(got) != 1 {
		t.Fatalf("labelled run log: %v, %v", got, err)
	}
	got[0].Elapsed, want[0].Elapsed = "", ""
	g, _ := json.Marshal(got[0])
	w, _ := json.Marshal(want[0])
	if !bytes.Equal(g, w) {
		t.Errorf("labelled run log record\n %s\nthe hunt's\n %s", g, w)
	}
	// Idempotent: a second pass changes no text log or file.
	before, _ := os.ReadFile(filepath.Join(ldir, "b.txt"))
	if wrote, err := labelDir(ldir); err != nil || slices.Contains(wrote, filepath.Join(ldir, "b.txt")) {
		t.Errorf("second labelDir: wrote %v, %v; want the text log untouched", wrote, err)
	}
	if after, _ := os.ReadFile(filepath.Join(ldir, "b.txt")); !bytes.Equal(before, after) {
		t.Error("second labelDir changed the text log")
	}

	// Mixed sides: refused. CetaTheory between the step-size factors of the
	// three points puts some inside and some outside.
	st, _ := find("Thm4.2(i)")
	var lo, hi float64
	for i := 0; i < 6; i++ {
		sco, _, _ := theorems.HuntScope(st.ID, theorems.Tiny(), theorems.DrawPoint(st.Axes(theorems.Tiny(), theorems.Defaults()), false, 1, i), theorems.Defaults(), theorems.DefaultScope())
		c, _ := sco.Find("η ≤ CetaTheory")
		if f := c.Factor(); i == 0 || f < lo {
			lo = f
		}
		if f := c.Factor(); f > hi {
			hi = f
		}
	}
	if !(lo < hi) {
		t.Fatalf("premise: the six points share the step-size factor %g", lo)
	}
	mdir := t.TempDir()
	mixed := strings.Replace(old2, "-checks 6\n", fmt.Sprintf("-checks 6 -ceta-theory %g\n", (lo+hi)/2), 1)
	os.WriteFile(filepath.Join(mdir, "b.txt"), []byte(mixed), 0o644)
	if _, err := labelDir(mdir); err == nil || !strings.Contains(err.Error(), "inside the hypotheses") {
		t.Errorf("labelDir on a log with points on both sides = %v, want a refusal", err)
	}

	// A counterexample file: the committed tiny Thm 4.2(i) one, its
	// "outside" field removed.
	src, err := os.ReadFile(filepath.Join("..", "..", "results", "hunt", "Thm42i-c2=10_log2N=3_seed=1_tau20=2.json"))
	if err != nil {
		t.Fatal(err)
	}
	bare := src
	if i := bytes.Index(src, []byte(",\n  \"outside\": ")); i >= 0 {
		bare = append(append([]byte{}, src[:i]...), []byte("\n}\n")...)
	}
	cdir := t.TempDir()
	p := filepath.Join(cdir, "Thm42i-c2=10_log2N=3_seed=1_tau20=2.json")
	os.WriteFile(p, bare, 0o644)
	if changed, err := labelCE(p); err != nil || !changed {
		t.Fatalf("labelCE = %v, %v; want the file labelled", changed, err)
	}
	ce, _, err := loadCE(p)
	if err != nil {
		t.Fatal(err)
	}
	sco, _, _ := theorems.HuntScope(ce.Statement, ce.Scale, ce.Point, ce.Consts, theorems.DefaultScope())
	if len(ce.Outside) == 0 || !slices.Equal(ce.Outside, sco.Violated) {
		t.Errorf("labelled outside %v, want the scope's violated conditions %v", ce.Outside, sco.Violated)
	}
	lab, _ := os.ReadFile(p)
	if !bytes.HasPrefix(lab, bare[:len(bare)-3]) {
		t.Error("labelCE changed bytes before the new field")
	}
	if len(src) != len(bare) && !bytes.Equal(lab, src) {
		t.Errorf("labelled file differs from the committed labelled one:\n%s\nvs\n%s", lab, src)
	}
	os.WriteFile(p, append(bare[:len(bare)-3:len(bare)-3], []byte("}\n")...), 0o644)
	if _, err := labelCE(p); err == nil {
		t.Error("labelCE on a file not in cmd/hunt's layout = nil, want a refusal")
	}
	// A file found with -ceta-theory records the constant, and its scope
	// is evaluated with it: at 1e4, η = 0.1 is inside the limit, so
	// nothing is labelled; a constant that is not one is refused.
	loose := append(append([]byte{}, bare[:len(bare)-3]...), []byte(",\n  \"ceta_theory\": 10000\n}\n")...)
	os.WriteFile(p, loose, 0o644)
	if changed, err := labelCE(p); err != nil || changed {
		t.Errorf("labelCE at ceta_theory 1e4 = %v, %v; want the file left as it is (inside)", changed, err)
	}
	bad := append(append([]byte{}, bare[:len(bare)-3]...), []byte(",\n  \"ceta_theory\": -1\n}\n")...)
	os.WriteFile(p, bad, 0o644)
	if _, _, err := loadCE(p); err == nil || !strings.Contains(err.Error(), "ceta_theory") {
		t.Errorf("loadCE with ceta_theory -1 = %v, want a refusal naming it", err)
	}
}
