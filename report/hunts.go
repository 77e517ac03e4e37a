package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"vitadv/model/store"
	"vitadv/sweep"
	"vitadv/theorems"
)

// HuntRun is one cmd/hunt command of a committed batch log
// (results/hunt/*.txt) with the tally it printed.
type HuntRun struct {
	File      string // the log, relative to the results root ("hunt/hunt.txt")
	Line      int    // 1-based line of the "$ go run ./cmd/hunt …" command
	Command   string // the command, without "$ "
	Scale     string // scale label (scaleSet.Of of the -scale flag's sizes)
	Statement string // statement ID
	Func      string // its Go function
	// The tally, by label: checks that held, were undecided (a bracket
	// straddles its threshold), ran out of time, fell outside the
	// hypotheses, failed; and the shrunk counterexamples written.
	Holds, Undecided, TimedOut, NA, Fails, Shrunk int
	Elapsed                                       string   // the run's wall time as printed ("1m2s"), "" when absent
	Replays                                       []string // the counterexample files (as the log prints them)
	// Counted is false for -relax and -const runs: outside the hypotheses
	// or at other constants, so they decide nothing about the statement.
	Counted bool
	// Outside is the part of the tally whose points violate a hypothesis
	// of the statement's scope (HuntRecord.Outside); nil when none did.
	Outside *HuntOutside
}

// Checks is the number of checks evaluated, n/a ones (the statement's
// Check refused the point) excepted.
func (r HuntRun) Checks() int { return r.Holds + r.Undecided + r.TimedOut + r.Fails }

// HuntTally is what the committed hunt batches say about one statement at
// one scale: the counted runs' tallies summed, split by the scope each
// check was evaluated in (issue 17) — the fields count the checks inside
// the statement's hypotheses and the recorded counterexamples found there,
// Out those outside, which are findings about practice.
type HuntTally struct {
	Holds, Undecided, TimedOut, NA, Fails int
	Replays                               []string
	Out                                   HuntOutside // Violated: the worst value of each condition over the runs
}

// Hunt is results/hunt read: every run of every batch log, and the tallies
// per statement and scale.
type Hunt struct {
	Runs  []HuntRun
	tally map[string]*HuntTally // "ID/scale"
}

// Tally returns the tally of statement id at scale (nil when not hunted).
func (h *Hunt) Tally(id, scale string) *HuntTally {
	if h == nil || h.tally == nil {
		return nil
	}
	return h.tally[id+"/"+scale]
}

func (h *Hunt) at(id, scale string) *HuntTally {
	if h.tally == nil {
		h.tally = map[string]*HuntTally{}
	}
	t, ok := h.tally[id+"/"+scale]
	if !ok {
		t = &HuntTally{}
		h.tally[id+"/"+scale] = t
	}
	return t
}

// Scales returns the labels of the scales with a hunt tally.
func (h *Hunt) Scales(ss scaleSet) []string {
	var out []string
	if h == nil {
		return nil
	}
	for k := range h.tally {
		out = append(out, k[strings.LastIndex(k, "/")+1:])
	}
	return ss.order(out)
}

var (
	countRE    = regexp.MustCompile(`^(0|[1-9][0-9]{0,8}) (\S.*)$`)
	shrunkRE   = regexp.MustCompile(`^(0|[1-9][0-9]{0,8}) shrunk counterexamples?$`)
	tallyHead  = regexp.MustCompile(`^(\S+) ([A-Za-z_][A-Za-z0-9_]*): (.*)$`)
	headerDRE  = regexp.MustCompile(`\bd\s*=\s*([0-9]+)`)
	replayLine = "  go run ./cmd/hunt -replay "
)

// tallyLabels maps the labels of a tally line to the field they set.
var tallyLabels = map[string]func(*HuntRun) *int{
	"holds":                    func(r *HuntRun) *int { return &r.Holds },
	"undecided":                func(r *HuntRun) *int { return &r.Undecided },
	"timed out":                func(r *HuntRun) *int { return &r.TimedOut },
	"n/a (outside hypotheses)": func(r *HuntRun) *int { return &r.NA },
	"fail":                     func(r *HuntRun) *int { return &r.Fails },
	"fails":                    func(r *HuntRun) *int { return &r.Fails },
}

// parseTally reads a tally line of cmd/hunt into r, by its labels: "ID
// Func: 18 holds, 11 undecided[, 2 timed out], 0 n/a (outside
// hypotheses), 1 fail; 1 shrunk counterexamples; 5s". The counts may come
// in any order; holds and fail are required, an unknown or repeated label
// is an error.
func parseTally(line string, r *HuntRun) error {
	m := tallyHead.FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("not a tally line (want \"ID Func: N holds, …, N fail; N shrunk counterexamples; time\")")
	}
	r.Statement, r.Func = m[1], m[2]
	parts := strings.Split(m[3], "; ")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("tally has %d \";\"-separated parts, want counts; shrunk counterexamples[; time]", len(parts))
	}
	seen := map[string]bool{}
	for _, c := range strings.Split(parts[0], ", ") {
		cm := countRE.FindStringSubmatch(c)
		if cm == nil {
			return fmt.Errorf("count %q is not \"N label\" with N a non-negative integer", c)
		}
		set, ok := tallyLabels[cm[2]]
		if !ok {
			return fmt.Errorf("unknown tally label %q", cm[2])
		}
		key := strings.TrimSuffix(cm[2], "s")
		if seen[key] {
			return fmt.Errorf("tally label %q repeated", cm[2])
		}
		seen[key] = true
		n, err := strconv.Atoi(cm[1])
		if err != nil {
			return fmt.Errorf("count %q: %v", c, err)
		}
		*set(r) = n
	}
	if !seen["hold"] || !seen["fail"] {
		return fmt.Errorf("tally lacks a holds or a fail count")
	}
	sm := shrunkRE.FindStringSubmatch(parts[1])
	if sm == nil {
		return fmt.Errorf("%q is not \"N shrunk counterexamples\"", parts[1])
	}
	r.Shrunk, _ = strconv.Atoi(sm[1])
	if r.Shrunk > r.Fails {
		return fmt.Errorf("%d shrunk counterexamples from %d failed checks", r.Shrunk, r.Fails)
	}
	if len(parts) == 3 {
		if _, err := time.ParseDuration(parts[2]); err != nil {
			return fmt.Errorf("elapsed time %q: %v", parts[2], err)
		}
		r.Elapsed = parts[2]
	}
	return nil
}

// flagValue returns the value of the flag -name (or --name, -name=v) in
// a command's fields, unquoted; present is false when the flag is absent.
// A boolean flag's value is "true" unless written -name=v.
func flagValue(fields []string, name string, boolean bool) (v string, present bool, err error) {
	for i, f := range fields {
		if !strings.HasPrefix(f, "-") {
			continue
		}
		k, val, eq := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(f, "-"), "-"), "=")
		switch {
		case k != name:
			continue
		case eq:
			return strings.Trim(val, `'"`), true, nil
		case boolean:
			return "true", true, nil
		case i+1 >= len(fields):
			return "", true, fmt.Errorf("flag -%s has no value", name)
		}
		return strings.Trim(fields[i+1], `'"`), true, nil
	}
	return "", false, nil
}

// huntScale returns the scale of a text-logged hunt command: its -scale
// flag (default tiny), resolved by theorems.ScaleByName. Logs written when
// "paper" named THEORY §6.5's d = 256 scale (now mid) declare d = 256 in
// their header comment; their "-scale paper" commands are mid (the rule
// cmd/hunt applies to their counterexample files). A -step-frac flag sets
// the scale's StepFrac (theorems.ValidStepFrac). Only the
// conversion of text logs needs this: a JSON run log records the scale
// itself.
func huntScale(fields []string, headerD int) (theorems.Scale, error) {
	name, ok, err := flagValue(fields, "scale", false)
	if err != nil {
		return theorems.Scale{}, err
	}
	if !ok {
		name = "tiny"
	}
	sc, err := theorems.ScaleByName(theorems.CurrentScaleName(name, headerD))
	if err != nil {
		return sc, err
	}
	v, ok, err := flagValue(fields, "step-frac", false)
	if err != nil || !ok {
		return sc, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err == nil {
		err = theorems.ValidStepFrac(f)
	}
	if err != nil {
		return sc, fmt.Errorf("-step-frac %q: must be 0 or in (0, 1]", v)
	}
	sc.StepFrac = f
	return sc, nil
}

// flagValues returns every value of the repeatable flag -name in a
// command's fields, unquoted.
func flagValues(fields []string, name string) []string {
	var out []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if !strings.HasPrefix(f, "-") {
			continue
		}
		k, val, eq := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(f, "-"), "-"), "=")
		if k != name {
			continue
		}
		if !eq {
			if i+1 >= len(fields) {
				break
			}
			i++
			val = fields[i]
		}
		out = append(out, strings.Trim(val, `'"`))
	}
	return out
}

// ceScale classifies a counterexample file by the scale it records.
func (ss scaleSet) ceScale(path string) (string, error) {
	sc, _, err := ss.ceInfo(path)
	return sc, err
}

// ceInfo returns the scale label a counterexample file records and
// whether it was found outside its statement's hypotheses (a non-empty
// "outside" list of violated conditions, written by cmd/hunt).
func (ss scaleSet) ceInfo(path string) (string, bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, err
	}
	var ce struct {
		Scale   theorems.Scale       `json:"scale"`
		Outside []theorems.Condition `json:"outside"`
	}
	if err := json.Unmarshal(b, &ce); err != nil {
		return "", false, &sweep.CorruptError{Path: path, Reason: err.Error()}
	}
	return ss.Of(sizeOfScale(ce.Scale)), len(ce.Outside) > 0, nil
}

// OutsidePrefix begins the line cmd/hunt prints after a tally when some
// of its checks fell outside the statement's hypotheses (FormatOutside).
const OutsidePrefix = "  outside the hypotheses: "

// FormatOutside prints the outside part of a tally as cmd/hunt's text
// logs show it, right after the tally line:
//
//	outside the hypotheses: 18 holds, 11 undecided, 0 timed out, 1 fail; 1 shrunk counterexamples; violated: η ≤ … [LIT]: 0.1 > 0.0009765625 (×102.4)
//
// with each violated condition as theorems.Condition.Record prints it
// (exact: ConvertHuntText reads it back). Which counterexamples are
// outside is recorded in their files.
func FormatOutside(o *HuntOutside) string {
	conds := make([]string, len(o.Violated))
	for i, c := range o.Violated {
		conds[i] = c.Record()
	}
	return fmt.Sprintf("%s%d holds, %d undecided, %d timed out, %d fail; %d shrunk counterexamples; violated: %s",
		OutsidePrefix, o.Holds, o.Undecided, o.TimedOut, o.Fails, len(o.Replays), strings.Join(conds, "; "))
}

var outsideRE = regexp.MustCompile(`^(0|[1-9][0-9]{0,8}) holds, (0|[1-9][0-9]{0,8}) undecided, (0|[1-9][0-9]{0,8}) timed out, (0|[1-9][0-9]{0,8}) fail; (0|[1-9][0-9]{0,8}) shrunk counterexamples; violated: (.+)$`)

// parseOutside reads a line printed by FormatOutside: the outside tally
// (without its replays) and the number of shrunk counterexamples outside.
func parseOutside(line string) (*HuntOutside, int, error) {
	rest, ok := strings.CutPrefix(line, OutsidePrefix)
	m := outsideRE.FindStringSubmatch(rest)
	if !ok || m == nil {
		return nil, 0, fmt.Errorf("not an outside line (want %q N holds, N undecided, N timed out, N fail; N shrunk counterexamples; violated: …)", OutsidePrefix)
	}
	n := make([]int, 5)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	o := &HuntOutside{Holds: n[0], Undecided: n[1], TimedOut: n[2], Fails: n[3], Replays: []string{}}
	for _, cs := range strings.Split(m[6], "; ") {
		c, err := theorems.ParseConditionRecord(cs)
		if err != nil {
			return nil, 0, err
		}
		o.Violated = append(o.Violated, c)
	}
	return o, n[4], nil
}

// LoadHunt reads results/hunt (see loadHunt) with the scales of package
// theorems.
func LoadHunt(dir string) (*Hunt, error) { return defaultScales().loadHunt(dir) }

// loadHunt reads the JSON-lines run logs of dir (*.jsonl, HuntRecord;
// each beside its text log <batch>.txt, which the tables cite) and
// SUMMARY.txt (one line per recorded counterexample; those no log lists
// are added by the scale their file records). Every run is classified by
// the sizes it records and every counterexample file it cites must record
// that scale. A line the format does not allow is a *CorruptError naming
// the file and line. A missing directory gives an empty Hunt.
func (ss scaleSet) loadHunt(dir string) (*Hunt, error) {
	h := &Hunt{}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	slices.Sort(logs)
	listed := map[string]bool{}
	for _, p := range logs {
		runs, err := ss.readHuntRuns(p, dir)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			h.Runs = append(h.Runs, r)
			for _, rp := range r.Replays {
				listed[filepath.Base(rp)] = true
			}
			if !r.Counted {
				continue
			}
			t := h.at(r.Statement, r.Scale)
			t.add(r)
		}
	}
	sumPath := filepath.Join(dir, "SUMMARY.txt")
	sum, err := os.ReadFile(sumPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for i, line := range strings.Split(string(sum), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.Contains(line, "(relaxed)") {
			continue
		}
		j := strings.LastIndex(line, "| ")
		replay, ok := "", false
		if j >= 0 {
			replay, ok = strings.CutPrefix(strings.TrimSpace(line[j+2:]), strings.TrimSpace(replayLine))
		}
		if !ok || strings.TrimSpace(replay) == "" {
			return nil, &sweep.CorruptError{Path: sumPath, Line: i + 1, Reason: fmt.Sprintf("no \"| go run ./cmd/hunt -replay FILE\" at the end of %q", line)}
		}
		replay = strings.TrimSpace(replay)
		if listed[filepath.Base(replay)] {
			continue
		}
		sc, err := ss.ceScale(filepath.Join(dir, filepath.Base(replay)))
		if err != nil {
			return nil, &sweep.CorruptError{Path: sumPath, Line: i + 1, Reason: fmt.Sprintf("counterexample %s: %v", replay, err)}
		}
		_, out, err := ss.ceInfo(filepath.Join(dir, filepath.Base(replay)))
		if err != nil {
			return nil, &sweep.CorruptError{Path: sumPath, Line: i + 1, Reason: fmt.Sprintf("counterexample %s: %v", replay, err)}
		}
		id, _, _ := strings.Cut(line, " ")
		t := h.at(id, sc)
		if out {
			t.Out.Replays = append(t.Out.Replays, replay)
		} else {
			t.Replays = append(t.Replays, replay)
		}
	}
	return h, nil
}

// add sums a counted run into the tally: its checks inside the
// hypotheses into the fields, those outside into Out (the violated
// conditions merged, the worst value of each kept).
func (t *HuntTally) add(r HuntRun) {
	o := r.Outside
	if o == nil {
		o = &HuntOutside{}
	}
	t.Holds += r.Holds - o.Holds
	t.Undecided += r.Undecided - o.Undecided
	t.TimedOut += r.TimedOut - o.TimedOut
	t.NA += r.NA
	t.Fails += r.Fails - o.Fails
	for _, rp := range r.Replays {
		if slices.Contains(o.Replays, rp) {
			t.Out.Replays = append(t.Out.Replays, rp)
		} else {
			t.Replays = append(t.Replays, rp)
		}
	}
	t.Out.Holds += o.Holds
	t.Out.Undecided += o.Undecided
	t.Out.TimedOut += o.TimedOut
	t.Out.Fails += o.Fails
	if len(o.Violated) > 0 {
		merged := theorems.MergeScopes(r.Statement, []theorems.Scope{{Conditions: t.Out.Violated}, {Conditions: o.Violated}})
		t.Out.Violated = merged.Violated
	}
}

// readHuntRuns reads one JSON-lines run log as HuntRuns, checking that
// every counterexample file a run cites records the run's scale.
func (ss scaleSet) readHuntRuns(path, dir string) ([]HuntRun, error) {
	recs, err := ReadHuntLog(path)
	if err != nil {
		return nil, err
	}
	rel := "hunt/" + strings.TrimSuffix(filepath.Base(path), ".jsonl") + ".txt"
	var runs []HuntRun
	for i, rec := range recs {
		r := HuntRun{File: rel, Line: i + 1, Command: rec.Command, Scale: ss.Of(sizeOfScale(rec.Scale)), Statement: rec.Statement, Func: rec.Func,
			Holds: rec.Holds, Undecided: rec.Undecided, TimedOut: rec.TimedOut, NA: rec.NA, Fails: rec.Fails, Shrunk: len(rec.Replays),
			Elapsed: rec.Elapsed, Replays: rec.Replays, Counted: rec.Counted(), Outside: rec.Outside}
		for _, rp := range rec.Replays {
			got, err := ss.ceScale(filepath.Join(dir, filepath.Base(rp)))
			if err != nil {
				return nil, &sweep.CorruptError{Path: path, Line: i + 1, Reason: "counterexample: " + err.Error()}
			}
			if got != r.Scale {
				return nil, &sweep.CorruptError{Path: path, Line: i + 1, Reason: fmt.Sprintf("counterexample %s recorded at scale %s by a command at scale %s", rp, got, r.Scale)}
			}
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// ConvertHuntDir converts every text batch log of dir (*.txt but
// SUMMARY.txt) to its JSON-lines run log <batch>.jsonl (ConvertHuntText),
// written atomically, and returns the files written. It is the one-off
// migration of logs written before cmd/hunt's -log; the text logs stay.
func ConvertHuntDir(dir string) ([]string, error) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	slices.Sort(logs)
	var wrote []string
	for _, p := range logs {
		if filepath.Base(p) == "SUMMARY.txt" {
			continue
		}
		recs, err := ConvertHuntText(p, dir)
		if err != nil {
			return wrote, err
		}
		out := strings.TrimSuffix(p, ".txt") + ".jsonl"
		err = store.WriteFileAtomic(out, func(w io.Writer) error {
			for _, r := range recs {
				b, err := json.Marshal(r)
				if err != nil {
					return err
				}
				if _, err := w.Write(append(b, '\n')); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return wrote, err
		}
		wrote = append(wrote, out)
	}
	return wrote, nil
}

// ConvertHuntText parses one text batch log of cmd/hunt ("$ go run
// ./cmd/hunt …" lines, each followed by its tally line and one indented
// replay line per shrunk counterexample; "#" comments, machine lines and
// blank lines) into run records. The scale of a command is its -scale flag
// (huntScale); every counterexample file it cites (in dir) must record
// that scale. A line the format does not allow is a *CorruptError naming
// the file and line.
func ConvertHuntText(path, dir string) ([]HuntRecord, error) {
	ss := defaultScales()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []HuntRecord
	var cur *HuntRun // the command awaiting its tally or replay lines
	var curRec HuntRecord
	tallied := false
	var outside *HuntOutside // the current command's outside line, if any
	outsideShrunk, outsideLine := 0, 0
	headerD := 0
	bad := func(n int, line, why string) error {
		return &sweep.CorruptError{Path: path, Line: n, Reason: fmt.Sprintf("%s: %q", why, line)}
	}
	finish := func(n int) error {
		if cur == nil {
			return nil
		}
		if !tallied {
			return &sweep.CorruptError{Path: path, Line: cur.Line, Reason: fmt.Sprintf("command %q has no tally line", cur.Command)}
		}
		if len(cur.Replays) != cur.Shrunk {
			return &sweep.CorruptError{Path: path, Line: n, Reason: fmt.Sprintf("%s: the tally counts %d shrunk counterexamples, %d replay lines follow", cur.Statement, cur.Shrunk, len(cur.Replays))}
		}
		curRec.Statement, curRec.Func = cur.Statement, cur.Func
		curRec.Holds, curRec.Undecided, curRec.TimedOut, curRec.NA, curRec.Fails = cur.Holds, cur.Undecided, cur.TimedOut, cur.NA, cur.Fails
		curRec.Replays, curRec.Elapsed = cur.Replays, cur.Elapsed
		if curRec.Replays == nil {
			curRec.Replays = []string{}
		}
		if outside != nil {
			for _, rp := range cur.Replays {
				if _, out, err := ss.ceInfo(filepath.Join(dir, filepath.Base(rp))); err == nil && out {
					outside.Replays = append(outside.Replays, rp)
				}
			}
			if len(outside.Replays) != outsideShrunk {
				return &sweep.CorruptError{Path: path, Line: outsideLine, Reason: fmt.Sprintf("%s: the outside line counts %d shrunk counterexamples, %d of the replayed files record a violated hypothesis", cur.Statement, outsideShrunk, len(outside.Replays))}
			}
			curRec.Outside = outside
			if err := outside.validate(curRec); err != nil {
				return &sweep.CorruptError{Path: path, Line: outsideLine, Reason: err.Error()}
			}
		}
		recs = append(recs, curRec)
		cur, outside = nil, nil
		return nil
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r") // CRLF logs read as LF ones
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "#"):
			if len(recs) == 0 && cur == nil && headerD == 0 {
				if m := headerDRE.FindStringSubmatch(line); m != nil {
					headerD, _ = strconv.Atoi(m[1])
				}
			}
		case strings.HasPrefix(line, "$ "):
			if err := finish(n); err != nil {
				return nil, err
			}
			cmd := strings.TrimPrefix(line, "$ ")
			fields := strings.Fields(cmd)
			if len(fields) < 3 || fields[0] != "go" || fields[1] != "run" || fields[2] != "./cmd/hunt" {
				return nil, bad(n, line, "not a \"go run ./cmd/hunt\" command")
			}
			scale, err := huntScale(fields, headerD)
			if err != nil {
				return nil, bad(n, line, err.Error())
			}
			id, ok, err := flagValue(fields, "statement", false)
			if err != nil || !ok || id == "" {
				return nil, bad(n, line, "no -statement")
			}
			relaxV, _, _ := flagValue(fields, "relax", true)
			curRec = HuntRecord{Command: cmd, Scale: scale, Relaxed: relaxV == "true", Consts: flagValues(fields, "const")}
			cur = &HuntRun{Line: n, Command: cmd, Scale: ss.Of(sizeOfScale(scale)), Statement: id}
			tallied = false
		case strings.HasPrefix(line, replayLine):
			if cur == nil || !tallied {
				return nil, bad(n, line, "replay line outside a command's tally")
			}
			rp := strings.TrimSpace(strings.TrimPrefix(line, replayLine))
			if rp == "" || strings.ContainsAny(rp, " \t") {
				return nil, bad(n, line, "replay line without one counterexample file")
			}
			got, err := ss.ceScale(filepath.Join(dir, filepath.Base(rp)))
			if err != nil {
				return nil, bad(n, line, "counterexample: "+err.Error())
			}
			if got != cur.Scale {
				return nil, bad(n, line, fmt.Sprintf("counterexample recorded at scale %s by a command at scale %s", got, cur.Scale))
			}
			cur.Replays = append(cur.Replays, rp)
		case strings.HasPrefix(line, OutsidePrefix):
			if cur == nil || !tallied || outside != nil || len(cur.Replays) > 0 {
				return nil, bad(n, line, "outside line not right after a command's tally")
			}
			o, shrunk, err := parseOutside(line)
			if err != nil {
				return nil, bad(n, line, err.Error())
			}
			outside, outsideShrunk, outsideLine = o, shrunk, n
		default:
			if cur == nil || tallied {
				return nil, bad(n, line, "unexpected line (want a comment, a \"$ go run ./cmd/hunt\" command, its tally or a replay line)")
			}
			id := cur.Statement
			if err := parseTally(line, cur); err != nil {
				return nil, bad(n, line, err.Error())
			}
			if cur.Statement != id {
				return nil, bad(n, line, fmt.Sprintf("tally of statement %s after a command for %s", cur.Statement, id))
			}
			tallied = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &sweep.CorruptError{Path: path, Line: n + 1, Reason: err.Error()}
	}
	if err := finish(n); err != nil {
		return nil, err
	}
	return recs, nil
}

// status prints a hunt tally, the one wording of every table: "holds
// 30/30"; "holds 18/30, 11 undecided"; "**fails** 13/60, 1 counterexample";
// n/a checks (outside the hypotheses) are counted apart. "not hunted" when
// there is no tally.
func (t *HuntTally) status() string {
	if t == nil || t.Holds+t.Undecided+t.TimedOut+t.Fails+t.NA == 0 && len(t.Replays) == 0 {
		return "not hunted"
	}
	n := t.Holds + t.Undecided + t.TimedOut + t.Fails
	var s string
	switch {
	case t.Fails > 0:
		s = fmt.Sprintf("**fails** %d/%d", t.Fails, n)
	case len(t.Replays) > 0:
		s = "**fails**"
	case t.Holds == 0 && n > 0: // every check undecided or timed out: nothing held
		s = fmt.Sprintf("no decision in %d checks", n)
	default:
		s = fmt.Sprintf("holds %d/%d", t.Holds, n)
	}
	var more []string
	if t.Fails > 0 && t.Holds > 0 {
		more = append(more, fmt.Sprintf("%d hold", t.Holds))
	}
	if t.Undecided > 0 {
		more = append(more, fmt.Sprintf("%d undecided", t.Undecided))
	}
	if t.TimedOut > 0 {
		more = append(more, fmt.Sprintf("%d timed out", t.TimedOut))
	}
	if t.NA > 0 {
		more = append(more, fmt.Sprintf("%d n/a", t.NA))
	}
	if len(t.Replays) > 0 {
		more = append(more, fmt.Sprintf("%d counterexample%s", len(t.Replays), map[bool]string{true: "", false: "s"}[len(t.Replays) == 1]))
	}
	if len(more) > 0 {
		s += ", " + strings.Join(more, ", ")
	}
	return s
}

// huntStatus prints the hunt tally of statement id at scale for the
// tables: the status of the checks inside the statement's hypotheses
// (status), then, when some checks fell outside them (their scope,
// evaluated by cmd/hunt at every point), outside the hypotheses with the
// worst violated conditions and that part's tally as a finding about
// practice — never a bold "fails": it refutes nothing.
func huntStatus(id, scale string, t *HuntTally) string {
	if t == nil {
		return "not hunted"
	}
	o := t.Out
	if o.Checks() == 0 && len(o.Replays) == 0 {
		return t.status()
	}
	out := &HuntTally{Holds: o.Holds, Undecided: o.Undecided, TimedOut: o.TimedOut, Fails: o.Fails, Replays: o.Replays}
	why := theorems.Scope{Statement: id, Conditions: o.Violated, Violated: o.Violated}.Short()
	s := fmt.Sprintf("%s (%s; in practice %s)", outsideWord(), why, strings.ReplaceAll(out.status(), "**fails**", "fails"))
	if in := t.Holds + t.Undecided + t.TimedOut + t.Fails + t.NA; in > 0 || len(t.Replays) > 0 {
		s = "inside the hypotheses: " + t.status() + "; " + s
	}
	return s
}
