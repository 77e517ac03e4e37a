package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"vitadv/sweep"
	"vitadv/theorems"
)

// HuntRecord is one line of a hunt batch's JSON-lines run log
// (results/hunt/<batch>.jsonl, beside the text log <batch>.txt): one
// cmd/hunt command with the scale it ran at and its tally. cmd/hunt appends
// it (-log), the claims tables read it (LoadHunt); nothing parses the text
// logs but the one-off conversion of logs written before the JSON form
// (ConvertHuntText).
type HuntRecord struct {
	Command   string         `json:"command"` // "go run ./cmd/hunt -statement …", as the text log shows it
	Statement string         `json:"statement"`
	Func      string         `json:"func"`
	Scale     theorems.Scale `json:"scale"`            // the sizes the command ran at
	Relaxed   bool           `json:"relaxed"`          // -relax: drawn outside the hypotheses
	Consts    []string       `json:"consts,omitempty"` // -const overrides, name=value
	// The tally: checks that held, were undecided (a bracket straddles
	// its threshold), ran out of time, fell outside the hypotheses,
	// failed.
	Holds     int `json:"holds"`
	Undecided int `json:"undecided"`
	TimedOut  int `json:"timed_out"`
	NA        int `json:"na"`
	Fails     int `json:"fails"`
	// Replays are the shrunk counterexample files, as the replay commands
	// name them ("results/hunt/P4-….json").
	Replays []string `json:"replays"`
	Elapsed string   `json:"elapsed,omitempty"` // wall time of the search, rounded to the second ("1m2s"); "" when not recorded
	// Outside is the part of the tally above whose checks fell outside the
	// statement's hypotheses, as its scope (theorems.HuntScope) evaluates
	// them at each point (issue 17): a finding about practice, never a
	// refutation. nil when every check was inside or the statement has no
	// scope.
	Outside *HuntOutside `json:"outside,omitempty"`
}

// HuntOutside is the outside part of a hunt's tally: the checks (a subset
// of the record's holds, undecided, timed out and fails) whose points
// violate a hypothesis of the statement, the counterexample files found
// there (a subset of the record's replays), and the violated conditions,
// each at the point farthest from meeting it (theorems.MergeScopes).
type HuntOutside struct {
	Holds     int                  `json:"holds"`
	Undecided int                  `json:"undecided"`
	TimedOut  int                  `json:"timed_out"`
	Fails     int                  `json:"fails"`
	Replays   []string             `json:"replays"`
	Violated  []theorems.Condition `json:"violated"`
}

// Checks returns the number of checks outside.
func (o *HuntOutside) Checks() int {
	if o == nil {
		return 0
	}
	return o.Holds + o.Undecided + o.TimedOut + o.Fails
}

// validate checks o against the record r it is part of.
func (o *HuntOutside) validate(r HuntRecord) error {
	switch {
	case o.Holds < 0 || o.Undecided < 0 || o.TimedOut < 0 || o.Fails < 0:
		return fmt.Errorf("negative count in the outside tally")
	case o.Holds > r.Holds || o.Undecided > r.Undecided || o.TimedOut > r.TimedOut || o.Fails > r.Fails:
		return fmt.Errorf("the outside tally counts more checks than the tally")
	case len(o.Replays) > o.Fails:
		return fmt.Errorf("%d shrunk counterexamples outside from %d failed checks outside", len(o.Replays), o.Fails)
	case o.Checks() == 0 && len(o.Replays) == 0:
		return fmt.Errorf("an outside tally with no check")
	case len(o.Violated) == 0:
		return fmt.Errorf("an outside tally without the violated conditions")
	}
	for _, p := range o.Replays {
		if !slices.Contains(r.Replays, p) {
			return fmt.Errorf("outside counterexample %q is not among the record's replays", p)
		}
	}
	for _, c := range o.Violated {
		if c.Holds() || math.IsNaN(c.Value) || math.IsNaN(c.Limit) {
			return fmt.Errorf("outside condition %q holds or is not a number: not a violation", c.Name)
		}
	}
	return nil
}

// Counted reports whether the run decides something about the statement:
// inside the hypotheses and at the default constants.
func (r HuntRecord) Counted() bool { return !r.Relaxed && len(r.Consts) == 0 }

// validate returns the first thing a well-formed record cannot hold.
func (r HuntRecord) validate() error {
	switch {
	case !strings.HasPrefix(r.Command, "go run ./cmd/hunt "):
		return fmt.Errorf("command %q is not a \"go run ./cmd/hunt\" command", r.Command)
	case r.Statement == "" || r.Func == "":
		return fmt.Errorf("no statement or function")
	case r.Holds < 0 || r.Undecided < 0 || r.TimedOut < 0 || r.NA < 0 || r.Fails < 0:
		return fmt.Errorf("negative count in the tally")
	case len(r.Replays) > r.Fails:
		return fmt.Errorf("%d shrunk counterexamples from %d failed checks", len(r.Replays), r.Fails)
	}
	if _, err := theorems.ScaleByName(r.Scale.Name); err != nil && r.Scale.Name != "" {
		return err
	}
	for _, p := range r.Replays {
		if p == "" || strings.ContainsAny(p, " \t") {
			return fmt.Errorf("replay %q is not one counterexample file", p)
		}
	}
	if r.Elapsed != "" {
		if _, err := time.ParseDuration(r.Elapsed); err != nil {
			return fmt.Errorf("elapsed %q: %v", r.Elapsed, err)
		}
	}
	if r.Outside != nil {
		return r.Outside.validate(r)
	}
	return nil
}

// AppendHuntRecord appends r as one line to the run log at path (created
// if absent) and syncs it: a run killed later loses no finished record.
func AppendHuntRecord(path string, r HuntRecord) error {
	if err := r.validate(); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadHuntLog reads a JSON-lines run log. Every line must be one
// HuntRecord with no unknown field that passes its checks; anything else
// is a *sweep.CorruptError naming the file and line.
func ReadHuntLog(path string) ([]HuntRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []HuntRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			return nil, &sweep.CorruptError{Path: path, Line: n, Reason: "blank line (one record per line)"}
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var r HuntRecord
		if err := dec.Decode(&r); err != nil {
			return nil, &sweep.CorruptError{Path: path, Line: n, Reason: err.Error()}
		}
		if dec.More() {
			return nil, &sweep.CorruptError{Path: path, Line: n, Reason: "more than one JSON value on the line"}
		}
		if err := r.validate(); err != nil {
			return nil, &sweep.CorruptError{Path: path, Line: n, Reason: err.Error()}
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, &sweep.CorruptError{Path: path, Line: n + 1, Reason: err.Error()}
	}
	return out, nil
}
