package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/report"
	"vitadv/theorems"
)

func TestList(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, []string{"-list"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"P8", "Thm4.2(iii)", "P1b"} {
		if !strings.Contains(b.String(), id) {
			t.Errorf("run(-list) output lacks %q", id)
		}
	}
}

// TestHuntReplay relaxes Thm 4.2(iii) below the midpoint threshold (C3 =
// 0.3), where the exact attack can no longer merge the classes and the
// 0.25 floor breaks for a trained model; hunt must find, shrink, write and
// replay a counterexample.
func TestHuntReplay(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	args := []string{"-statement", "Thm4.2(iii)", "-checks", "40", "-relax", "-const", "c3=0.3", "-max-fail", "1", "-out", dir, "-log", filepath.Join(dir, "b.jsonl")}
	if err := run(&b, args); err != nil {
		t.Fatal(err)
	}
	checkRunLog(t, dir, args, b.String())
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("run(%v) wrote no counterexample; output:\n%s", args, b.String())
	}
	sum, err := os.ReadFile(filepath.Join(dir, "SUMMARY.txt"))
	if err != nil || !strings.Contains(string(sum), "Regime3Floor") {
		t.Errorf("SUMMARY.txt = %q (err %v), want a Regime3Floor line", sum, err)
	}
	if cores, secs := ceMachine(t, files[0]); !(cores >= 1 && secs > 0) {
		t.Errorf("%s records machine cores %d, check_seconds %v: want the machine and the check's wall time", files[0], cores, secs)
	}
	b.Reset()
	if err := run(&b, []string{"-replay", files[0]}); err != nil {
		t.Errorf("replay %s: %v", files[0], err)
	}
	if !strings.Contains(b.String(), "reproduced") || !strings.Contains(b.String(), "\n# machine: ") {
		t.Errorf("replay output = %q, want \"reproduced\" and the machine line", b.String())
	}
}

// checkRunLog: the JSON-lines record -log appended says what the text
// tally says — the text output under its "$ " command line, converted by
// report.ConvertHuntText, gives the same record (up to the wall time, read
// at two instants) — and records the command without -out and -log, the
// scale and the relaxation.
func checkRunLog(t *testing.T, dir string, args []string, text string) {
	t.Helper()
	recs, err := report.ReadHuntLog(filepath.Join(dir, "b.jsonl"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("run log: %d records, %v; want 1", len(recs), err)
	}
	got := recs[0]
	if strings.Contains(got.Command, "-out") || strings.Contains(got.Command, "-log") || !got.Relaxed || got.Scale != theorems.Tiny() || got.Counted() {
		t.Errorf("record %+v: want the command without -out/-log, relaxed, tiny, not counted", got)
	}
	txt := filepath.Join(dir, "b.txt")
	if err := os.WriteFile(txt, []byte("$ "+got.Command+"\n"+text), 0o644); err != nil {
		t.Fatal(err)
	}
	fromText, err := report.ConvertHuntText(txt, dir)
	if err != nil || len(fromText) != 1 {
		t.Fatalf("ConvertHuntText: %v, %v", fromText, err)
	}
	want := fromText[0]
	got.Elapsed, want.Elapsed = "", ""
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("run log record\n %s\nthe text tally says\n %s", g, w)
	}
}

// TestRecordedCommand: -out and -log (either form) are dropped, every
// other argument kept in order.
func TestRecordedCommand(t *testing.T) {
	got := recordedCommand([]string{"-statement", "P4", "-out", "x", "-checks", "3", "-log=y.jsonl", "--out=z", "-relax"})
	if want := "go run ./cmd/hunt -statement P4 -checks 3 -relax"; got != want {
		t.Errorf("recordedCommand = %q, want %q", got, want)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-statement", "nope"},
		{"-statement", "P8", "-const", "nope=1"},
		{"-statement", "P8", "-const", "c3"},
		{"-statement", "P8", "-scale", "huge"},
	} {
		if err := run(&bytes.Buffer{}, args); err == nil {
			t.Errorf("run(%v) = nil, want an error", args)
		}
	}
}

// TestReplayRejects: replaying a garbled file, a file naming an unknown
// statement, or a point where the statement holds is an error.
func TestReplayRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	holds := `{"statement":"P8","scale":{"name":"tiny","D":64,"M":4,"Dh":32,"Dv":32,"n_test":100,"mech_steps":500,"max_steps":1000,"replicates":3,"probe_every":10},` +
		`"point":{"tauAbove20":0,"set":0,"trained":0,"log2shrink":4,"log2N":2,"c2":0,"seed":1},"consts":` + constsJSON(t) + `}`
	for name, c := range map[string]struct{ body, want string }{
		"garbled.json": {`{"statement": "P8", "point": {`, "unexpected E"},
		"unknown.json": {`{"statement": "P99"}`, "P99"},
		"holds.json":   {holds, "no longer reproduces"},
	} {
		err := run(&bytes.Buffer{}, []string{"-replay", write(name, c.body)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replay %s = %v, want an error containing %q", name, err, c.want)
		}
	}
}

func constsJSON(t *testing.T) string {
	b, err := json.Marshal(theorems.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
