package properties

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"vitadv/theorems"
)

// lab is shared by every test of the package so that statements drawing
// the same grid cell share one (deterministic) training.
var lab = theorems.NewLab()

// scale is theorems.Tiny unless VITADV_SCALE names another scale (tiny,
// ci, mid or paper), at the step VITADV_STEP_FRAC gives (0: η = 0.1); an
// unknown name or a bad step fails every test (TestMain).
var scale, scaleErr = theorems.ScaleFromEnv()

// isStrict is VITADV_STRICT read by strictFromEnv; a value other than
// the documented ones fails every test (TestMain).
var isStrict, strictErr = strictFromEnv(os.Getenv)

// TestMain refuses an unknown VITADV_SCALE or VITADV_STRICT before any
// test runs.
func TestMain(m *testing.M) {
	if scaleErr != nil {
		fmt.Fprintln(os.Stderr, "properties: VITADV_SCALE / VITADV_STEP_FRAC:", scaleErr)
		os.Exit(2)
	}
	if strictErr != nil {
		fmt.Fprintln(os.Stderr, "properties:", strictErr)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// wide reports a scale above tiny: the narrowed tiny-scale axes are not used.
func wide() bool   { return scale.Name != "tiny" }
func strict() bool { return isStrict }

// statement returns the statement with the given ID.
func statement(t *testing.T, id string) theorems.Statement {
	t.Helper()
	for _, s := range theorems.All() {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no statement %q in theorems.All()", id)
	return theorems.Statement{}
}

// narrow is a per-axis sub-range [lo, hi] used at the tiny scale only, to
// bound the number of distinct trainings a property can request.
type narrow map[string][2]int

// drawPoint draws every axis of st in its hypothesis range (narrowed at the
// tiny scale), labelled by the axis name.
func drawPoint(rt *rapid.T, axes []theorems.Axis, nw narrow) theorems.Point {
	p := theorems.Point{}
	for _, a := range axes {
		lo, hi := a.Lo, a.Hi
		if r, ok := nw[a.Name]; ok && !wide() {
			lo, hi = max(lo, r[0]), min(hi, r[1])
			if lo > hi {
				lo, hi = a.Lo, a.Lo
			}
		}
		p[a.Name] = rapid.IntRange(lo, hi).Draw(rt, a.Name)
	}
	return p
}

// hasFinding reports whether statement id has a recorded counterexample
// inside its hypotheses at the current scale (see TestFindings).
func hasFinding(t testing.TB, id string) bool { return len(findingsOf(t, id)) > 0 }

// checkProperty is the property test of statement id: rapid draws a point
// inside the hypotheses and the verdict must hold. An error (in particular a
// *HypothesisError) means the generator left the hypotheses: a test bug.
//
// A statement with recorded findings at this scale (results/hunt, see
// TestFindings) replays them and asserts each is still refuted, then skips
// the random search. Under VITADV_STRICT=1 it instead asserts that every
// recorded finding holds — so strict mode fails on each of them — and
// searches the full hypothesis ranges (nw is ignored), replaying the rapid
// fail files first.
func checkProperty(t *testing.T, id string, nw narrow) {
	st := statement(t, id)
	k := theorems.Defaults()
	fs := findingsOf(t, id)
	if strict() {
		nw = nil
		// After the search (rapid refuses a test that has already failed),
		// and even when the search stops the test.
		t.Cleanup(func() {
			for _, f := range fs {
				v, err := replay(f, k)
				if err != nil {
					t.Errorf("%s(%s) = error %v, want a verdict (recorded finding results/hunt/%s)", st.Func, fmtPoint(f.Point), err, f.File)
					continue
				}
				if !v.Holds() {
					t.Errorf("%s(%s) = %v, want holds (recorded finding results/hunt/%s)", st.Func, fmtPoint(f.Point), v, f.File)
				}
			}
		})
	} else if len(fs) > 0 {
		for _, f := range fs {
			v, err := replay(f, k)
			if err != nil {
				t.Fatalf("%s(%s) = error %v, want the recorded failing verdict (results/hunt/%s)", st.Func, fmtPoint(f.Point), err, f.File)
			}
			if !v.Refuted() {
				t.Fatalf("%s(%s) = %v, want FAILS (recorded finding results/hunt/%s no longer reproduces: update STATEMENTS.md)", st.Func, fmtPoint(f.Point), v, f.File)
			}
		}
		t.Skipf("finding: %s fails at scale %s (%d recorded counterexamples, see TestFindings); VITADV_STRICT=1 runs the search", st.Func, scale.Name, len(fs))
	}
	axes := st.Axes(scale, k)
	rapid.Check(t, func(rt *rapid.T) {
		p := drawPoint(rt, axes, nw)
		v, err := st.Check(lab, scale, p, k)
		if err != nil {
			rt.Fatalf("%s(%s) = error %v, want a verdict (the generator left the hypotheses)", st.Func, fmtPoint(p), err)
		}
		if v.Undecided() {
			rt.Skipf("%s(%s) = %v: undecided at this point", st.Func, fmtPoint(p), v)
		}
		if !v.Holds() {
			rt.Fatalf("%s(%s) = %v, want holds", st.Func, fmtPoint(p), v)
		}
	})
}

func fmtPoint(p theorems.Point) string {
	var ks []string
	for k := range p {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var sb strings.Builder
	for i, k := range ks {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(itoa(p[k]))
	}
	return sb.String()
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// tightDER checks a [DER] statement on its extremal instance in both
// directions: it holds as stated, and it fails when strengthened by the
// factor fail > 1. fail is the narrowest strengthening the instance
// supports, justified at each call: 1 + (a few times the bound's rounding
// slack) where the bound is attained exactly, so that a constant weakened
// by more than that — 1/2 lowered to 0.45, say — makes the test fail.
func tightDER(t *testing.T, name string, fail float64, eval func(k theorems.Consts) (theorems.Verdict, error)) {
	t.Helper()
	if !(fail > 1) {
		t.Fatalf("tightDER(%s): strengthening %g, want > 1", name, fail)
	}
	k := theorems.Defaults()
	v, err := eval(k)
	if err != nil {
		t.Fatalf("%s(extremal) = error %v, want a verdict", name, err)
	}
	if !v.Holds() {
		t.Fatalf("%s(extremal) = %v, want holds", name, v)
	}
	// Strengthened, the bound must no longer hold. A bound on a plain
	// quantity is then refuted; a floor on a bracketed robust error
	// (lb ≤ err ≤ ub) is proved only by the attack side, so strengthening
	// it past the witnessed lb leaves it undecided (the certificate cannot
	// show err < 1/2 + ε), which is "no longer proved" — what a weakened
	// constant would break.
	k.Strengthen = fail
	if v, err := eval(k); err != nil || v.Holds() {
		t.Errorf("%s(extremal, strengthen=%.10g) = %v (err %v), want not to hold: the bound is not attained on its extremal instance, or its constant was weakened", name, fail, v, err)
	}
}

// exactFactor is the strengthening tightDER asks to fail where a [DER]
// bound is attained exactly (an error of exactly 1/2 on a paired set, an
// equality case): far above the rounding slack of those bounds (≤ 1e-12
// relative), far below any plausible mistake in a constant.
const exactFactor = 1 + 1e-6

// teethFactors are the strengthenings tried by tightBand, up to 10×.
var teethFactors = []float64{1.3, 1.5, 2, 3, 5, 10}

// tightBand checks a band statement ([CODE]/[SEC]/[PROP]) on its extremal
// instance in both directions: it holds as stated, and it fails at the
// first strengthening of teethFactors that is ≤ want. want is the factor
// measured at the time of writing, pinned at each call: a constant
// weakened enough to move the first failure past it makes the test fail.
func tightBand(t *testing.T, name string, want float64, eval func(k theorems.Consts) (theorems.Verdict, error)) {
	t.Helper()
	k := theorems.Defaults()
	v, err := eval(k)
	if err != nil {
		t.Fatalf("%s(extremal) = error %v, want a verdict", name, err)
	}
	if !v.Holds() {
		t.Fatalf("%s(extremal) = %v, want holds", name, v)
	}
	for _, s := range teethFactors {
		if !(s <= want) {
			break
		}
		k.Strengthen = s
		v, err := eval(k)
		if err != nil {
			t.Fatalf("%s(extremal, strengthen=%g) = error %v", name, s, err)
		}
		if !v.Holds() { // refuted, or (bracketed claims) no longer proved
			t.Logf("%s(extremal) first fails at strengthen=%g (pinned ≤ %g): %v", name, s, want, v)
			return
		}
	}
	t.Errorf("%s(extremal) holds up to strengthen=%g, want it to fail there (the check lost its teeth, or a constant was weakened)", name, want)
}

// wantHypothesis asserts err is a *HypothesisError whose Hypothesis
// contains substr, with Value on the wrong side of Limit.
func wantHypothesis(t *testing.T, call string, err error, substr string) *theorems.HypothesisError {
	t.Helper()
	var h *theorems.HypothesisError
	if !errors.As(err, &h) {
		t.Fatalf("%s = error %v, want *HypothesisError(%q)", call, err, substr)
	}
	if !strings.Contains(h.Hypothesis, substr) {
		t.Fatalf("%s = %v, want hypothesis containing %q", call, h, substr)
	}
	if h.Value == h.Limit {
		t.Errorf("%s = %v, want Value ≠ Limit", call, h)
	}
	return h
}
