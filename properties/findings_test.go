package properties

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"vitadv/internal/machine"
	"vitadv/theorems"
)

// huntDir is where cmd/hunt writes its counterexamples (relative to this
// package's directory, where go test runs).
const huntDir = "../results/hunt"

// What a recorded counterexample is today, re-evaluated at the current
// default constants (TestFindings asserts each).
const (
	// finding: the statement as stated fails there (refuted at the
	// default constants, inside the hypotheses).
	finding = "finding"
	// control: recorded with a relaxed constant (cmd/hunt -relax -const):
	// outside the hypotheses (or holding) at the defaults, refuted at the
	// recorded constants — a witness that the hypothesis matters.
	control = "control"
	// withdrawn: no longer decides against the statement (undecided at the
	// defaults); kept on disk until the lead regenerates results/hunt.
	withdrawn = "withdrawn"
	// outside: refuted by the statement's rule at the default constants,
	// but at a point outside the statement's hypotheses as its scope
	// evaluates them (theorems.HuntScope; the file records the violated
	// conditions): a finding about practice, never a refutation (issue
	// 17). At the hunts' η = 0.1 every Thm 4.2(i)/(ii) and P7 point is
	// outside THEORY §4.1's step-size hypothesis.
	outside = "outside"
)

// recordedFiles is the manifest of the committed counterexample files of
// cmd/hunt, with what each is. TestFindings fails when a file listed here is
// missing, does not parse or is no longer what it is listed as, and when
// results/hunt holds a file not listed here: a finding can neither
// disappear nor appear without this list (and the tests that replay it)
// noticing.
var recordedFiles = []struct{ file, kind string }{
	{"D-c2=11_log2N=1_seed=50-relaxed.json", finding}, // N·SNR₂² = 45 is outside the generator's c2 range but inside the hypotheses
	{"P1b-c2=0_log2N=1_seed=1-relaxed.json", control},
	{"P1c-c2=-1_log2N=5_seed=1.json", finding},
	{"P4-c2=-1_log2N=1_seed=2.json", finding},
	{"P4-c2=-1_log2N=2_seed=1.json", finding},
	{"P4-c2=-1_log2N=4_seed=1.json", finding},
	// Every Thm 4.2(i), (ii) and P7 point below trains at the scales'
	// η = 0.1, ×102–×1638 THEORY §4.1's step-size limit (issue 17): what
	// the rule shows there is a finding about practice.
	{"Thm42i-c2=10_log2N=3_seed=1_tau20=2.json", outside},
	// Recorded with C1 relaxed to 4, but inside the τ window at the
	// defaults too (N = 2, N·SNR² = 8 ≥ Cb, τ = 0.1‖μ‖ ≤ C1‖μ‖/log d_h):
	// the generator's log2N ≥ 2 excludes it, the statement does not.
	{"Thm42i-c2=6_log2N=1_seed=1_tau20=2-relaxed.json", outside},
	{"Thm42ii-c2=6_log2N=3_seed=1_tau20=12.json", outside},
	// The same point found again inside THEORY's step-size hypothesis
	// (results/hunt/hunt-inside.txt, -step-frac 0.9: η = 1.1e-4): slowdown
	// 155 = 39·M against SlowHi·M = 16 (734 steps to ε at τ = 0, 113 779 at
	// τ = 0.6‖μ‖, the regime-2 window's upper end C2‖μ‖). Replayed under
	// VITADV_STEP_FRAC=0.9 (28 s; it fails there on the slowdown alone).
	{"Thm42ii-c2=6_log2N=3_seed=1_tau20=12-stepfrac0.9.json", finding},
	{"Thm42ii-c2=6_log2N=5_seed=3_tau20=9-mid.json", outside}, // d = 256 (written as "paper" before the scales were named by size)
	// d = 1024 (results/hunt/hunt-paper.txt): slowdown 33.6 = 2.1·M inside
	// [M/4, 4M], agreement with f_lin 1.00, but the entropy stays at 0.84 ln M.
	{"Thm42ii-c2=6_log2N=5_seed=1_tau20=7-paper.json", outside},
	// d = 1024: a₁ never falls through its midpoint (τ* = +Inf on the sweep
	// and its 1-ulp rerun): the attention does not collapse at d_h = 512.
	{"P7-c2=8_log2N=4_seed=1-paper.json", outside},
	{"Thm42iii-c2=1_log2N=1_log2shrink=0_seed=16_set=1_tauAbove20=0_trained=1-relaxed.json", control},
	{"Thm42iii-c2=1_log2N=1_log2shrink=0_seed=2_set=1_tauAbove20=0_trained=1-relaxed.json", control},
}

// recorded is one counterexample file of cmd/hunt (the fields of
// cmd/hunt.Counterexample; unknown fields are an error).
type recorded struct {
	File      string              `json:"-"`
	Kind      string              `json:"-"` // finding, control or withdrawn (recordedFiles)
	Statement string              `json:"statement"`
	Func      string              `json:"func"`
	Tag       theorems.Tag        `json:"tag"`
	Scale     theorems.Scale      `json:"scale"`
	Point     theorems.Point      `json:"point"`
	Consts    theorems.Consts     `json:"consts"`
	Relaxed   bool                `json:"relaxed"`
	Verdict   string              `json:"verdict"`
	Instances []theorems.Instance `json:"instances"`
	Failed    []string            `json:"failed"`
	Found     string              `json:"found"`
	Replay    string              `json:"replay"`
	// Where and how long (files written before cmd/hunt recorded them lack
	// them).
	Machine       *machine.Info `json:"machine,omitempty"`
	CheckSeconds  float64       `json:"check_seconds,omitempty"`
	ShrinkSeconds float64       `json:"shrink_seconds,omitempty"`
	// The hypotheses of the statement's scope the point violates (files
	// of points inside, or of statements without a scope, lack it).
	Outside []theorems.Condition `json:"outside,omitempty"`
	// The step-size constant of that scope when not THEORY's default.
	CetaTheory float64 `json:"ceta_theory,omitempty"`
}

// parseRecorded decodes one counterexample file strictly: unknown fields,
// trailing data, an unknown statement, a point whose axes differ from the
// statement's, or an empty failed list are errors.
func parseRecorded(name string, b []byte) (recorded, error) {
	var r recorded
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return r, fmt.Errorf("%s: trailing data after the JSON object", name)
	}
	r.File = name
	var st *theorems.Statement
	for _, s := range theorems.All() {
		if s.ID == r.Statement {
			st = &s
		}
	}
	if st == nil {
		return r, fmt.Errorf("%s: unknown statement %q", name, r.Statement)
	}
	if r.Func != st.Func {
		return r, fmt.Errorf("%s: func %q, want %q for statement %s", name, r.Func, st.Func, r.Statement)
	}
	named, err := theorems.ScaleByName(r.Scale.Name)
	if err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	if err := theorems.ValidStepFrac(r.Scale.StepFrac); err != nil {
		return r, fmt.Errorf("%s: scale step_frac %v: %w", name, r.Scale.StepFrac, err)
	}
	named.StepFrac = r.Scale.StepFrac // the step is part of the replay key (sameScale)
	if r.Scale != named {
		// A findings replay keys on the name: sizes that are not the
		// named scale's would replay at another size than recorded.
		return r, fmt.Errorf("%s: scale %+v is not the %s scale %+v", name, r.Scale, named.Name, named)
	}
	axes := st.Axes(r.Scale, r.Consts)
	if len(r.Point) != len(axes) {
		return r, fmt.Errorf("%s: point %v has %d axes, want %d", name, r.Point, len(r.Point), len(axes))
	}
	for _, a := range axes {
		if _, ok := r.Point[a.Name]; !ok {
			return r, fmt.Errorf("%s: point %v lacks axis %q", name, r.Point, a.Name)
		}
	}
	if len(r.Failed) == 0 || r.Consts.Strengthen == 0 {
		return r, fmt.Errorf("%s: no failed bounds or no constants recorded", name)
	}
	return r, nil
}

var (
	recordedOnce sync.Once
	recordedAll  []recorded
	recordedErr  error
)

// loadRecorded parses every manifest file (once per test binary).
func loadRecorded() ([]recorded, error) {
	recordedOnce.Do(func() {
		var errs []error
		for _, f := range recordedFiles {
			b, err := os.ReadFile(filepath.Join(huntDir, f.file))
			if err != nil {
				errs = append(errs, fmt.Errorf("recorded counterexample %s: %w", f.file, err))
				continue
			}
			r, err := parseRecorded(f.file, b)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			r.Kind = f.kind
			recordedAll = append(recordedAll, r)
		}
		recordedErr = errors.Join(errs...)
	})
	return recordedAll, recordedErr
}

// findingsOf returns the recorded findings of statement id at the current
// scale: the points where the statement as stated fails (TestFindings
// checks that each still does).
func findingsOf(t testing.TB, id string) []recorded {
	t.Helper()
	all, err := loadRecorded()
	if err != nil {
		t.Fatalf("recorded counterexamples: %v", err)
	}
	return findingsAt(all, id, scale)
}

// sameScale reports whether a file recorded at scale a replays at scale b:
// the same name and the same step (StepFrac; VITADV_STEP_FRAC).
func sameScale(a, b theorems.Scale) bool { return a.Name == b.Name && a.StepFrac == b.StepFrac }

// findingsAt returns the findings of statement id among all recorded at
// scale sc, by name and step (a file replays only at the scale it was found at):
// the points where its rule fails at the default constants, inside its
// hypotheses (finding) or outside them (outside: the hunts' η = 0.1 is
// outside THEORY's step-size hypothesis, and the property tests draw at
// the same η, so they replay these points instead of rediscovering them).
func findingsAt(all []recorded, id string, sc theorems.Scale) []recorded {
	var out []recorded
	for _, r := range all {
		if r.Statement == id && (r.Kind == finding || r.Kind == outside) && sameScale(r.Scale, sc) {
			out = append(out, r)
		}
	}
	return out
}

// replay evaluates a recorded counterexample at constants k.
func replay(r recorded, k theorems.Consts) (theorems.Verdict, error) {
	for _, s := range theorems.All() {
		if s.ID == r.Statement {
			return s.Check(lab, scale, r.Point, k)
		}
	}
	return theorems.Verdict{}, fmt.Errorf("unknown statement %q", r.Statement)
}

func failedNames(v theorems.Verdict) string {
	var s []string
	for _, b := range v.Failed() {
		s = append(s, b.Name)
	}
	return strings.Join(s, "; ")
}

// TestFindings is the list of known failures. It checks that the committed
// counterexample files of cmd/hunt are exactly the manifest, that each
// parses and is listed in SUMMARY.txt, and replays every one recorded at the
// current scale: a counterexample drawn inside the hypotheses must still be
// refuted (a finding), one drawn with -relax must be outside the hypotheses
// or refuted. Findings and outside findings are told apart by the
// statement's scope at the point (theorems.HuntScope, evaluated for every
// file at every scale): a finding must be inside, an outside one outside,
// with the violated conditions its file records; the log prints the first
// as FINDING and the second as OUTSIDE THE HYPOTHESES (issue 17). It logs one line per statement with a recorded finding
// (`go test -run Findings -v ./properties` in .ci/run shows them), and checks
// that no rapid fail file under testdata/rapid is garbled (rapid would
// silently ignore it).
func TestFindings(t *testing.T) {
	all, err := loadRecorded()
	if err != nil {
		t.Fatalf("recorded counterexamples: %v", err)
	}
	onDisk, _ := filepath.Glob(filepath.Join(huntDir, "*.json"))
	listed := map[string]bool{}
	for _, f := range recordedFiles {
		listed[f.file] = true
	}
	for _, f := range onDisk {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in recordedFiles: register the new counterexample (and its status in STATEMENTS.md)", f)
		}
	}
	sum, err := os.ReadFile(filepath.Join(huntDir, "SUMMARY.txt"))
	if err != nil {
		t.Fatal(err)
	}
	summary := map[string]bool{}
	for _, l := range strings.Split(string(sum), "\n") {
		if i := strings.Index(l, "-replay results/hunt/"); i >= 0 {
			summary[strings.TrimSpace(l[i+len("-replay results/hunt/"):])] = true
		}
	}
	for _, f := range recordedFiles {
		if !summary[f.file] {
			t.Errorf("SUMMARY.txt does not list results/hunt/%s", f.file)
		}
	}

	k := theorems.Defaults()
	byStmt := map[string][]string{}    // findings inside the hypotheses: the statement fails
	outsideOf := map[string][]string{} // findings outside them: about practice
	var controls []string
	for _, r := range all {
		// Which side of the statement's hypotheses the point is on (its
		// scope needs no training, so every file is checked at any scale).
		sk := theorems.DefaultScope()
		if r.CetaTheory != 0 {
			sk.CetaTheory = r.CetaTheory
		}
		sco, scoped, serr := theorems.HuntScope(r.Statement, r.Scale, r.Point, k, sk)
		if serr != nil {
			t.Errorf("%s: the scope at its point: %v", r.File, serr)
			continue
		}
		out := scoped && !sco.Inside()
		if r.Kind == finding || r.Kind == outside {
			if out != (r.Kind == outside) || !slices.Equal(r.Outside, map[bool][]theorems.Condition{true: sco.Violated}[out]) {
				t.Errorf("%s is listed as %s and records outside %v; its scope at the point is %s: list it as %s and label it (go run ./cmd/hunt -label-scope results/hunt)",
					r.File, r.Kind, r.Outside, sco, map[bool]string{true: outside, false: finding}[out])
				continue
			}
		}
		if !sameScale(r.Scale, scale) {
			at, env := r.Scale.Name, "VITADV_SCALE="+r.Scale.Name
			if r.Scale.StepFrac != 0 {
				f := strconv.FormatFloat(r.Scale.StepFrac, 'g', -1, 64)
				at += " step-frac " + f
				env += " VITADV_STEP_FRAC=" + f
			}
			line := fmt.Sprintf("[%s] at scale %s, replayed under %s (%s)", fmtPoint(r.Point), at, env, r.File)
			if out {
				outsideOf[r.Statement] = append(outsideOf[r.Statement], fmt.Sprintf("[%s] at scale %s, %s, replayed under %s (%s)", fmtPoint(r.Point), at, sco.Short(), env, r.File))
			} else if r.Kind == finding {
				byStmt[r.Statement] = append(byStmt[r.Statement], line)
			}
			continue
		}
		v, err := replay(r, k)
		var h *theorems.HypothesisError
		switch r.Kind {
		case finding, outside:
			if err != nil || !v.Refuted() {
				t.Errorf("replay %s: %s(%s) = %v (err %v), want FAILS at the default constants (the recorded finding no longer reproduces: update results/hunt, recordedFiles and STATEMENTS.md)", r.File, r.Func, fmtPoint(r.Point), v, err)
				continue
			}
			if out {
				outsideOf[r.Statement] = append(outsideOf[r.Statement], fmt.Sprintf("[%s] fails: %s, %s (%s)", fmtPoint(r.Point), failedNames(v), sco.Short(), r.File))
				continue
			}
			byStmt[r.Statement] = append(byStmt[r.Statement], fmt.Sprintf("[%s] fails: %s (%s)", fmtPoint(r.Point), failedNames(v), r.File))
		case control:
			if err != nil && !errors.As(err, &h) {
				t.Errorf("replay %s at the defaults: error %v", r.File, err)
				continue
			}
			if err == nil && v.Refuted() {
				t.Errorf("replay %s: %s(%s) fails at the default constants: a finding, not a control; list it as one", r.File, r.Func, fmtPoint(r.Point))
				continue
			}
			rv, rerr := replay(r, r.Consts)
			// The relaxed claim must not hold there: refuted, or — for a
			// floor on a bracketed robust error, which only a certificate
			// could refute — no longer proved by the attacks.
			if rerr != nil || rv.Holds() {
				t.Errorf("replay %s at its relaxed constants: %v (err %v), want not to hold (the relaxed claim no longer breaks there)", r.File, rv, rerr)
				continue
			}
			why := "holds at the defaults"
			if h != nil {
				why = fmt.Sprintf("outside the hypotheses at the defaults: %s (value %.4g, limit %.4g)", h.Hypothesis, h.Value, h.Limit)
			}
			how := "fails"
			if !rv.Refuted() {
				how = "not proved (bracket undecided)"
			}
			controls = append(controls, fmt.Sprintf("control %s %s relaxed (%s): %s at [%s]; %s (%s)", r.Statement, r.Func, relaxedConsts(r.Consts, k), how, fmtPoint(r.Point), why, r.File))
		case withdrawn:
			if err != nil || !v.Undecided() {
				t.Errorf("replay %s: %s(%s) = %v (err %v), want UNDECIDED (withdrawn); if it is decided again, list it as a finding", r.File, r.Func, fmtPoint(r.Point), v, err)
				continue
			}
			controls = append(controls, fmt.Sprintf("withdrawn %s %s at [%s]: %s (%s)", r.Statement, r.Func, fmtPoint(r.Point), strings.ReplaceAll(v.String(), "\n", ";"), r.File))
		default:
			t.Errorf("%s: unknown kind %q", r.File, r.Kind)
		}
	}
	var ids []string
	for id := range byStmt {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		st := statement(t, id)
		t.Logf("FINDING %s %s %s fails: %s", id, st.Func, st.Tag, strings.Join(byStmt[id], " | "))
	}
	ids = ids[:0]
	for id := range outsideOf {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		st := statement(t, id)
		t.Logf("OUTSIDE THE HYPOTHESES %s %s %s, a finding about practice, not a refutation: the rule fails at %s", id, st.Func, st.Tag, strings.Join(outsideOf[id], " | "))
	}
	for _, c := range controls {
		t.Log(c)
	}
	checkFailFiles(t, "testdata/rapid")
}

// rapidFailVersion is the version rapid writes into (and requires of) its
// fail files; a file of another version is ignored by rapid.
const rapidFailVersion = "v0.4.8"

// checkFailFiles fails t for every rapid fail file under dir that rapid
// would ignore: unreadable, without data, with a bad version/seed line or a
// non-numeric value, of another rapid version, or in a directory named after
// no test of this package.
func checkFailFiles(t *testing.T, dir string) {
	t.Helper()
	defined := definedTests(t)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".fail") {
			return err
		}
		if test := filepath.Base(filepath.Dir(path)); !defined[test] {
			t.Errorf("rapid fail file %s is in directory %q, which names no test of this package (rapid would never replay it)", path, test)
		}
		if err := validFailFile(path); err != nil {
			t.Errorf("rapid fail file %s: %v (rapid would silently ignore it)", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// validFailFile mirrors rapid's loader (persist.go): comment lines start
// with #; the first data line is version#seed; every further line is an
// unsigned integer.
func validFailFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var data []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(s, "#") || s == "" {
			continue
		}
		data = append(data, s)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("no data")
	}
	vs := strings.Split(data[0], "#")
	if len(vs) != 2 {
		return fmt.Errorf("bad version#seed line %q", data[0])
	}
	if vs[0] != rapidFailVersion {
		return fmt.Errorf("version %q, rapid replays only %q", vs[0], rapidFailVersion)
	}
	if _, err := strconv.ParseUint(vs[1], 10, 64); err != nil {
		return fmt.Errorf("bad seed %q", vs[1])
	}
	for _, s := range data[1:] {
		if _, err := strconv.ParseUint(s, 0, 64); err != nil {
			return fmt.Errorf("bad value %q", s)
		}
	}
	return nil
}

// TestFindingsParse is the negative control of the manifest checks: a
// garbled file, an unknown field, an unknown statement, a point with a
// missing axis, a scale whose sizes are not its name's, and a garbled rapid
// fail file are all rejected.
func TestFindingsParse(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(huntDir, recordedFiles[2].file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseRecorded("good", good); err != nil {
		t.Fatalf("parseRecorded(%s) = %v, want ok", recordedFiles[2].file, err)
	}
	// A file written by the current cmd/hunt (machine record, wall times).
	{
		var c map[string]any
		json.Unmarshal(good, &c)
		mb, _ := json.Marshal(machine.Current())
		var mm map[string]any
		json.Unmarshal(mb, &mm)
		c["machine"], c["check_seconds"], c["shrink_seconds"] = mm, 1.5, 2.5
		b, _ := json.Marshal(c)
		if r, err := parseRecorded("with machine", b); err != nil || r.Machine == nil || r.CheckSeconds != 1.5 {
			t.Errorf("parseRecorded(file with a machine record) = %+v, %v; want ok", r.Machine, err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(good, &m); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(map[string]any)) []byte {
		var c map[string]any
		json.Unmarshal(good, &c)
		f(c)
		b, _ := json.Marshal(c)
		return b
	}
	for name, b := range map[string][]byte{
		"truncated":         good[:len(good)/2],
		"trailing":          append(append([]byte{}, good...), []byte("{}")...),
		"unknown field":     mutate(func(c map[string]any) { c["extra"] = 1 }),
		"unknown statement": mutate(func(c map[string]any) { c["statement"] = "P99" }),
		"missing axis":      mutate(func(c map[string]any) { delete(c["point"].(map[string]any), "seed") }),
		"no failed bounds":  mutate(func(c map[string]any) { c["failed"] = []string{} }),
		"bad scale":         mutate(func(c map[string]any) { c["scale"].(map[string]any)["name"] = "huge" }),
		// tiny sizes under another scale's name (a findings replay keys on
		// the name), and d = 256 still labelled "paper" (now d = 1024).
		"tiny sizes named mid": mutate(func(c map[string]any) { c["scale"].(map[string]any)["name"] = "mid" }),
		"d=256 named paper": mutate(func(c map[string]any) {
			sc := c["scale"].(map[string]any)
			sc["name"], sc["D"], sc["M"], sc["Dh"], sc["Dv"] = "paper", 256, 8, 128, 128
		}),
	} {
		if _, err := parseRecorded(name, b); err == nil {
			t.Errorf("parseRecorded(%s) = ok, want an error", name)
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"garbled":   "# comment\nnot a version line\n0x1\n",
		"empty":     "# only comments\n",
		"badvalue":  "v0.4.8#12\n0x1\nzz\n",
		"badseed":   "v0.4.8#x\n0x1\n",
		"oldformat": "v0.4.7#12\n0x1\n",
	} {
		p := filepath.Join(dir, name+".fail")
		os.WriteFile(p, []byte(body), 0o644)
		if err := validFailFile(p); err == nil {
			t.Errorf("validFailFile(%s) = ok, want an error", name)
		}
	}
	p := filepath.Join(dir, "ok.fail")
	os.WriteFile(p, []byte("# TestX\nv0.4.8#12\n0x1\n0x2\n"), 0o644)
	if err := validFailFile(p); err != nil {
		t.Errorf("validFailFile(ok) = %v, want ok", err)
	}
}

// relaxedConsts lists the constants of k that differ from def, as name=value.
func relaxedConsts(k, def theorems.Consts) string {
	var a, b map[string]any
	ka, _ := json.Marshal(k)
	kb, _ := json.Marshal(def)
	json.Unmarshal(ka, &a)
	json.Unmarshal(kb, &b)
	var out []string
	for n, v := range a {
		if fmt.Sprint(v) != fmt.Sprint(b[n]) {
			out = append(out, fmt.Sprintf("%s=%v", n, v))
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}
