package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vitadv/experiment"
	"vitadv/sweep"
)

// TestPlanEstimates: the plan of `all -preset ci` takes each file's time
// from its committed sidecar (the committed tree of the repository), so
// the estimate is their sum; the paper preset, which has no committed
// files of its own, gets an estimate scaled from them, printed before any
// work, in hours. Control: with no committed tree there is no estimate.
func TestPlanEstimates(t *testing.T) {
	root := filepath.Join("..", "..", "results")
	runs := allRuns(experiment.CI, "scratch")
	planned, source := plan(runs, experiment.CI, "scratch", root, noEnv)
	var want time.Duration
	for _, r := range runs {
		m, err := sweep.ReadMeta(filepath.Join(root, r.csv))
		if err != nil {
			t.Fatal(err)
		}
		want += time.Duration(m.Seconds * float64(time.Second))
	}
	got, complete := total(planned)
	if got != want || !complete {
		t.Errorf("ci plan: %v (complete %v), want %v, the sum of the committed times", got, complete, want)
	}
	if !strings.Contains(source, "from the run times recorded in") {
		t.Errorf("ci plan source %q", source)
	}

	paper, source := plan(allRuns(experiment.Paper, "scratch"), experiment.Paper, "scratch", root, noEnv)
	pt, _ := total(paper)
	if !(pt > 2*time.Hour) || !strings.Contains(source, "scaled from the committed ci run times") {
		t.Errorf("paper plan: %v (%s), want hours scaled from the ci times", pt, source)
	}
	var w bytes.Buffer
	printPlan(&w, "paper", paper, source)
	if !strings.Contains(w.String(), "estimated ") || !strings.Contains(w.String(), "h") {
		t.Errorf("paper plan printed %q, want an estimate in hours", w.String())
	}

	none, _ := plan(runs, experiment.CI, "scratch", "", noEnv)
	if nt, _ := total(none); nt != 0 {
		t.Errorf("plan without a committed tree: %v, want no estimate", nt)
	}
	w.Reset()
	printPlan(&w, "ci", none, "")
	if !strings.Contains(w.String(), "no estimate") {
		t.Errorf("plan without estimates printed %q", w.String())
	}
	if _, err := os.Stat("scratch"); !os.IsNotExist(err) {
		t.Errorf("planning created the results root")
	}
}

// TestETALeft: the time left scales the estimates of the runs left by the
// speed of the finished ones: runs estimated 10 s, 20 s, 30 s, the first
// done in 20 s (twice slower) leaves 100 s.
func TestETALeft(t *testing.T) {
	runs := []plannedRun{{est: 10 * time.Second}, {est: 20 * time.Second}, {est: 30 * time.Second}}
	if got := etaLeft(runs, 1, 20*time.Second); got != 100*time.Second {
		t.Errorf("etaLeft = %v, want 1m40s", got)
	}
	if got := etaLeft(runs, 3, time.Minute); got != 0 {
		t.Errorf("etaLeft with nothing left = %v, want 0", got)
	}
	runs[0].est = 0
	if got := etaLeft(runs, 1, time.Minute); got != 0 {
		t.Errorf("etaLeft with no estimate of the finished run = %v, want 0 (unknown)", got)
	}
}

// TestPlanUnderASecond: a plan of a few milliseconds reads "under a
// second", not "0s".
func TestPlanUnderASecond(t *testing.T) {
	var w bytes.Buffer
	printPlan(&w, "smoke", []plannedRun{{est: 3 * time.Millisecond, cells: 2}}, "test")
	if !strings.Contains(w.String(), "estimated under a second") {
		t.Errorf("printPlan = %q, want \"estimated under a second\"", w.String())
	}
}
