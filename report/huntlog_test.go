package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/sweep"
	"vitadv/theorems"
)

// loadTextLogs converts the text batch logs of dir to JSON-lines run logs
// (ConvertHuntDir) and loads the directory: the tests of the text format
// go through the one-off conversion, as the committed logs did.
func loadTextLogs(dir string) (*Hunt, error) {
	if _, err := ConvertHuntDir(dir); err != nil {
		return nil, err
	}
	return LoadHunt(dir)
}

// TestCommittedHuntLogsConverted: every committed text batch log under
// results/hunt has its JSON-lines run log beside it, byte for byte what
// ConvertHuntText gives, so the two forms cannot drift apart and the claims
// tables (which read the JSON) say what the text logs say.
func TestCommittedHuntLogsConverted(t *testing.T) {
	for _, dir := range []string{filepath.Join("..", "results", "hunt"), filepath.Join(fixtureRoot, "hunt")} {
		logs, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		n := 0
		for _, p := range logs {
			if filepath.Base(p) == "SUMMARY.txt" {
				continue
			}
			n++
			tmp := t.TempDir()
			for _, f := range append(mustGlob(t, filepath.Join(dir, "*.json")), p) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(tmp, filepath.Base(f)), b, 0o644)
			}
			if _, err := ConvertHuntDir(tmp); err != nil {
				t.Fatalf("ConvertHuntDir(%s) = %v", p, err)
			}
			want, err := os.ReadFile(filepath.Join(tmp, strings.TrimSuffix(filepath.Base(p), ".txt")+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(strings.TrimSuffix(p, ".txt") + ".jsonl")
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: the committed .jsonl (err %v) is not the conversion of the text log; run go run ./cmd/hunt -convert %s", p, err, dir)
			}
		}
		if n == 0 {
			t.Errorf("%s: no text batch log (premise)", dir)
		}
	}
}

func mustGlob(t *testing.T, pat string) []string {
	t.Helper()
	m, err := filepath.Glob(pat)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// goodRecord is a valid record at the tiny scale with no counterexample.
func goodRecord() HuntRecord {
	return HuntRecord{Command: "go run ./cmd/hunt -statement P8 -checks 3", Statement: "P8", Func: "MidpointFloor",
		Scale: theorems.Tiny(), Holds: 3, Replays: []string{}, Elapsed: "1s"}
}

// TestHuntLogRoundTrip: AppendHuntRecord then ReadHuntLog gives the
// records back, and LoadHunt tallies them by the scale they record (a mid
// record lands in the mid column, with no -scale flag to read).
func TestHuntLogRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.jsonl")
	a, b := goodRecord(), goodRecord()
	b.Scale, b.Command, b.Holds = theorems.Mid(), "go run ./cmd/hunt -statement P8 -checks 5", 5
	r := goodRecord()
	r.Relaxed, r.Holds = true, 7
	for _, rec := range []HuntRecord{a, b, r} {
		if err := AppendHuntRecord(path, rec); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadHuntLog(path)
	if err != nil || len(got) != 3 || got[1].Scale != theorems.Mid() || got[2].Counted() || !got[0].Counted() {
		t.Fatalf("ReadHuntLog = %+v, %v", got, err)
	}
	h, err := LoadHunt(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tiny, mid := h.Tally("P8", "tiny"), h.Tally("P8", "mid"); tiny == nil || tiny.Holds != 3 || mid == nil || mid.Holds != 5 {
		t.Errorf("tallies tiny %+v, mid %+v; want 3 (the relaxed 7 not counted) and 5", tiny, mid)
	}
	if h.Runs[0].File != "hunt/b.txt" {
		t.Errorf("run file %q, want the text log beside the JSON one, hunt/b.txt", h.Runs[0].File)
	}
}

// TestHuntLogHostileRecords: each malformed line is a *CorruptError naming
// the file and the line; the control (the good record) reads.
func TestHuntLogHostileRecords(t *testing.T) {
	good := `{"command":"go run ./cmd/hunt -statement P8","statement":"P8","func":"MidpointFloor","scale":{"name":"tiny","D":64,"M":4,"Dh":32,"Dv":32},"relaxed":false,"holds":1,"undecided":0,"timed_out":0,"na":0,"fails":0,"replays":[]}`
	for _, c := range []struct{ name, line, want string }{
		{"control", good, ""},
		{"unknown field", strings.Replace(good, `"holds"`, `"hold":1,"holds"`, 1), "unknown field"},
		{"negative count", strings.Replace(good, `"holds":1`, `"holds":-1`, 1), "negative"},
		{"replays beyond fails", strings.Replace(good, `"replays":[]`, `"replays":["x.json"]`, 1), "shrunk counterexamples from 0 failed"},
		{"not a hunt command", strings.Replace(good, `go run ./cmd/hunt`, `rm -rf`, 1), "not a"},
		{"unknown scale", strings.Replace(good, `"name":"tiny"`, `"name":"huge"`, 1), "unknown scale"},
		{"bad elapsed", strings.Replace(good, `"replays":[]`, `"replays":[],"elapsed":"soon"`, 1), "elapsed"},
		{"two values", good + " {}", "more than one"},
		{"truncated", good[:len(good)/2], "unexpected EOF"},
		{"blank line", good + "\n", "blank line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			os.WriteFile(path, []byte(good+"\n"+c.line+"\n"), 0o644)
			_, err := ReadHuntLog(path)
			if c.want == "" {
				if err != nil {
					t.Fatalf("control: %v", err)
				}
				return
			}
			var ce *sweep.CorruptError
			if !errors.As(err, &ce) || ce.Path != path || ce.Line < 2 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want a *CorruptError at line ≥ 2 of %s mentioning %q", err, path, c.want)
			}
		})
	}
}

// TestHuntLogReplayScale: a record citing a counterexample file recorded at
// another scale is refused, naming the line; the same record at the file's
// scale loads.
func TestHuntLogReplayScale(t *testing.T) {
	ce, err := os.ReadFile(filepath.Join(fixtureRoot, "hunt", "Thm42ii-mid.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []theorems.Scale{theorems.Tiny(), theorems.Mid()} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Thm42ii-mid.json"), ce, 0o644)
		r := goodRecord()
		r.Statement, r.Func, r.Scale, r.Fails, r.Replays = "Thm4.2(ii)", "X", sc, 1, []string{"results/hunt/Thm42ii-mid.json"}
		if err := AppendHuntRecord(filepath.Join(dir, "b.jsonl"), r); err != nil {
			t.Fatal(err)
		}
		_, err := LoadHunt(dir)
		var c *sweep.CorruptError
		switch sc.Name {
		case "mid":
			if err != nil {
				t.Errorf("control at the file's scale: %v", err)
			}
		default:
			if !errors.As(err, &c) || c.Line != 1 || !strings.Contains(err.Error(), "recorded at scale mid") {
				t.Errorf("scale %s: err = %v, want a *CorruptError at line 1 naming scale mid", sc.Name, err)
			}
		}
	}
}

// TestHuntScaleStepFrac: the conversion of a text-logged command reads
// -step-frac into the scale (cmd/hunt's rule: 0, or in (0, 1]), so the
// converted record of a hunt inside THEORY's step-size hypothesis records
// the step size it ran at; any other value is refused. Control: a command
// without the flag keeps the named scale.
func TestHuntScaleStepFrac(t *testing.T) {
	cmd := func(extra string) []string {
		return strings.Fields("go run ./cmd/hunt -statement P12 -checks 3 " + extra)
	}
	if sc, err := huntScale(cmd(""), 0); err != nil || sc != theorems.Tiny() {
		t.Errorf("no -step-frac: %+v, %v; want the tiny scale", sc, err)
	}
	for _, c := range []struct {
		extra string
		want  float64
	}{{"-step-frac 0.9", 0.9}, {"-step-frac=1", 1}, {"-scale ci -step-frac 0.5", 0.5}, {"-step-frac 0", 0}} {
		sc, err := huntScale(cmd(c.extra), 0)
		if err != nil || sc.StepFrac != c.want {
			t.Errorf("%q: StepFrac %v, %v; want %v", c.extra, sc.StepFrac, err, c.want)
		}
	}
	for _, bad := range []string{"-step-frac 2", "-step-frac -0.5", "-step-frac NaN", "-step-frac x", "-step-frac"} {
		if _, err := huntScale(cmd(bad), 0); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
