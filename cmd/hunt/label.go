package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vitadv/model/store"
	"vitadv/report"
	"vitadv/theorems"
)

// labelDir labels the hunt results of dir written before cmd/hunt
// evaluated each point's scope (issue 17): the one-off migration of the
// η = 0.1 hunts. It is exact or refuses:
//
//   - every counterexample file (*.json) of a statement with a scope
//     (theorems.HuntScope) gets the violated conditions at its point and
//     constants as its "outside" field — the file is rewritten only when
//     that is the one change (its other bytes are what cmd/hunt writes);
//   - every command of every text log (*.txt but SUMMARY.txt) of a
//     statement with a scope and no outside line yet: the points of its
//     checks are redrawn from its command (theorems.DrawPoint with its
//     -seed, ranges and constants: checks 0 … n−1, n the tally's total,
//     as the search drew them) and their scopes evaluated. All inside:
//     nothing changes. All outside: the line report.FormatOutside prints
//     is inserted after the tally, with the whole tally outside and the
//     violated conditions merged over the points. Anything else — some
//     points inside and some outside, or n/a checks (which of the points
//     they were cannot be told without training) beside outside ones — is
//     an error: the split would be a guess;
//   - the JSON-lines run logs are then regenerated from the text logs
//     (report.ConvertHuntDir) and SUMMARY.txt from the files.
//
// It returns the files it wrote.
func labelDir(dir string) ([]string, error) {
	var wrote []string
	ces, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	slices.Sort(ces)
	for _, p := range ces {
		changed, err := labelCE(p)
		if err != nil {
			return wrote, err
		}
		if changed {
			wrote = append(wrote, p)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	slices.Sort(logs)
	for _, p := range logs {
		if filepath.Base(p) == "SUMMARY.txt" {
			continue
		}
		changed, err := labelLog(p, dir)
		if err != nil {
			return wrote, err
		}
		if changed {
			wrote = append(wrote, p)
		}
	}
	conv, err := report.ConvertHuntDir(dir)
	wrote = append(wrote, conv...)
	if err != nil {
		return wrote, err
	}
	if len(ces) > 0 {
		if err := updateSummary(dir); err != nil {
			return wrote, err
		}
		wrote = append(wrote, filepath.Join(dir, "SUMMARY.txt"))
	}
	return wrote, nil
}

// labelCE sets the "outside" field of one counterexample file (see
// labelDir) and reports whether the file changed.
func labelCE(path string) (bool, error) {
	orig, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	ce, _, err := loadCE(path)
	if err != nil {
		return false, err
	}
	sco, ok, err := theorems.HuntScope(ce.Statement, ce.Scale, ce.Point, ce.Consts, ce.scopeConsts())
	if err != nil {
		return false, fmt.Errorf("%s: the scope at its point: %w", path, err)
	}
	var want []theorems.Condition
	if ok && !sco.Inside() {
		want = sco.Violated
	}
	if len(ce.Outside) > 0 {
		if slices.Equal(ce.Outside, want) {
			return false, nil // labelled already
		}
		return false, fmt.Errorf("%s: records outside conditions %v, its scope gives %v", path, ce.Outside, want)
	}
	if len(want) == 0 {
		return false, nil
	}
	// Insert the field as the file's last member, in MarshalIndent's
	// layout, leaving every other byte as it is (files written by older
	// versions of cmd/hunt lack fields today's would write).
	body, ok := bytes.CutSuffix(orig, []byte("\n}\n"))
	if !ok {
		return false, fmt.Errorf("%s: does not end in \"\\n}\\n\" as cmd/hunt writes it: refusing to rewrite it", path)
	}
	field, err := json.MarshalIndent(want, "  ", "  ")
	if err != nil {
		return false, err
	}
	b := slices.Concat(body, []byte(",\n  \"outside\": "), field, []byte("\n}\n"))
	if err := store.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}); err != nil {
		return false, err
	}
	back, _, err := loadCE(path)
	if err != nil || !slices.Equal(back.Outside, want) {
		return true, fmt.Errorf("%s: the labelled file does not read back (err %v)", path, err)
	}
	return true, nil
}

// labelLog inserts the outside lines into one text log (see labelDir) and
// reports whether it changed.
func labelLog(path, dir string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	lines := strings.SplitAfter(string(b), "\n")
	var out []string
	changed, headerD, seenCmd := false, 0, false
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		if strings.HasPrefix(lines[i], "#") && !seenCmd && headerD == 0 {
			// As report.ConvertHuntText: a header's "d = 256" marks a log
			// written when "paper" named the d = 256 scale (now mid).
			if m := headerDRE.FindStringSubmatch(lines[i]); m != nil {
				headerD, _ = strconv.Atoi(m[1])
			}
		}
		cmd, ok := strings.CutPrefix(strings.TrimRight(lines[i], "\r\n"), "$ go run ./cmd/hunt ")
		if !ok {
			continue
		}
		seenCmd = true
		// The tally is the next line that is not a comment.
		j := i + 1
		for j < len(lines) && strings.HasPrefix(lines[j], "#") {
			j++
		}
		if j >= len(lines) {
			return false, fmt.Errorf("%s:%d: command without a tally", path, i+1)
		}
		if j+1 < len(lines) && strings.HasPrefix(lines[j+1], report.OutsidePrefix) {
			continue // labelled already
		}
		line, err := outsideLineFor(cmd, headerD, strings.TrimRight(lines[j], "\r\n"), dir, lines[j+1:])
		if err != nil {
			return false, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		if line == "" {
			continue
		}
		out = append(out, lines[i+1:j+1]...)
		out = append(out, line+"\n")
		i = j
		changed = true
	}
	if !changed {
		return false, nil
	}
	return true, store.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(out, ""))
		return err
	})
}

// headerDRE finds the token dimension a batch log's header states.
var headerDRE = regexp.MustCompile(`\bd\s*=\s*([0-9]+)`)

// outsideLineFor returns the outside line of one logged command (cmd, its
// arguments; headerD, the d its log's header states; tally, its tally line; rest, the log's lines after the tally,
// whose leading replay lines are the command's counterexamples), or "" when
// every point is inside or the statement has no scope.
func outsideLineFor(cmd string, headerD int, tally, dir string, rest []string) (string, error) {
	fields := strings.Fields(cmd)
	for i, f := range fields {
		fields[i] = strings.Trim(f, `'"`) // as the shell that ran it
	}
	c, err := parse(io.Discard, fields)
	if err != nil {
		return "", fmt.Errorf("command %q: %w", cmd, err)
	}
	frac := c.scale.StepFrac
	if c.scale, err = theorems.ScaleByName(theorems.CurrentScaleName(c.scale.Name, headerD)); err != nil {
		return "", err
	}
	c.scale.StepFrac = frac
	st, _ := find(c.id)
	var n [5]int // holds, undecided, timed out, n/a, fails
	if err := scanTally(tally, st, &n); err != nil {
		return "", err
	}
	axes := st.Axes(c.scale, c.consts)
	var scopes []theorems.Scope
	inside, outside := 0, 0
	total := n[0] + n[1] + n[2] + n[3] + n[4]
	for i := 0; i < total; i++ {
		sco, ok, err := theorems.HuntScope(st.ID, c.scale, theorems.DrawPoint(axes, c.relax, c.seed, i), c.consts, c.scope)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", nil
		}
		if sco.Inside() {
			inside++
		} else {
			outside++
			scopes = append(scopes, sco)
		}
	}
	switch {
	case outside == 0:
		return "", nil
	case inside > 0:
		return "", fmt.Errorf("%s: %d of the %d points inside the hypotheses, %d outside: which checks were which is not in the log", st.ID, inside, total, outside)
	case n[3] > 0:
		return "", fmt.Errorf("%s: %d n/a checks among points outside the hypotheses: which points they were is not in the log", st.ID, n[3])
	}
	o := &report.HuntOutside{Holds: n[0], Undecided: n[1], TimedOut: n[2], Fails: n[4], Replays: []string{},
		Violated: theorems.MergeScopes(st.ID, scopes).Violated}
	for _, l := range rest {
		rp, ok := strings.CutPrefix(strings.TrimRight(l, "\r\n"), "  go run ./cmd/hunt -replay ")
		if !ok {
			break
		}
		ce, _, err := loadCE(filepath.Join(dir, filepath.Base(rp)))
		if err != nil {
			return "", err
		}
		if len(ce.Outside) > 0 {
			o.Replays = append(o.Replays, rp)
		}
	}
	return report.FormatOutside(o), nil
}

// scanTally reads the counts of a tally line of statement st in cmd/hunt's
// format into n (holds, undecided, timed out, n/a, fails); a count the
// line lacks (older formats) is 0.
func scanTally(line string, st theorems.Statement, n *[5]int) error {
	rest, ok := strings.CutPrefix(line, st.ID+" "+st.Func+": ")
	if !ok {
		return fmt.Errorf("tally %q is not %s's", line, st.ID)
	}
	counts, _, _ := strings.Cut(rest, ";")
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(counts, ", ", "\n")))
	for sc.Scan() {
		num, label, _ := strings.Cut(sc.Text(), " ")
		x, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("tally %q: count %q", line, sc.Text())
		}
		switch label {
		case "holds":
			n[0] = x
		case "undecided":
			n[1] = x
		case "timed out":
			n[2] = x
		case "n/a (outside hypotheses)":
			n[3] = x
		case "fail", "fails":
			n[4] = x
		default:
			return fmt.Errorf("tally %q: unknown label %q", line, label)
		}
	}
	return nil
}
