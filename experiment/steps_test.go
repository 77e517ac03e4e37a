package experiment

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"vitadv/sweep"
)

// smokeTau is the smoke τ sweep with two budgets and two replicates.
func smokeTau() TauConfig {
	c := TauPreset(Smoke)
	c.TauOverMu, c.Reps = []float64{0, 0.25}, 2
	return c
}

// TestStepAxisZeroIsToday: the zero StepAxis and a one-value -eta list
// build today's job — same columns, same cells, same seeds — so the
// committed files stay byte-identical (make check compares them too).
func TestStepAxisZeroIsToday(t *testing.T) {
	for name, today := range map[string]*sweep.Job{"tau": smokeTau().Job("x"), "phase": PhasePreset(Smoke, 0.25).Job("x")} {
		for _, etas := range [][]float64{nil, {0.1}} {
			var job *sweep.Job
			if name == "tau" {
				c := smokeTau()
				c.Etas = etas
				job = c.Job("x")
			} else {
				c := PhasePreset(Smoke, 0.25)
				c.Etas = etas
				job = c.Job("x")
			}
			if !slices.Equal(job.Params, today.Params) || !slices.Equal(job.Metrics, today.Metrics) || len(job.Cells) != len(today.Cells) {
				t.Fatalf("%s with Etas %v: columns or cell count changed", name, etas)
			}
			for i := range job.Cells {
				if job.Cells[i].Seed != today.Cells[i].Seed || !slices.Equal(job.Cells[i].Param, today.Cells[i].Param) {
					t.Errorf("%s with Etas %v: cell %d differs", name, etas, i)
				}
			}
		}
	}
}

// col returns the index of column name in a job's parameters.
func col(t *testing.T, job *sweep.Job, name string) int {
	t.Helper()
	i := slices.Index(job.Params, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, job.Params)
	}
	return i
}

// TestEtaAxisCells: with -eta a list, η is the outermost axis, each cell's
// eta column is its η, the cells at the same place of every η block share
// their seed (paired), and with a flow time each η's max_steps is the
// first T with T·η ≥ η·T.
func TestEtaAxisCells(t *testing.T) {
	tau := smokeTau()
	tau.Etas, tau.FlowTime = []float64{0.1, 0.01, 0.3}, 3
	phase := PhasePreset(Smoke, 0.25)
	phase.Etas, phase.FlowTime = tau.Etas, tau.FlowTime
	for name, job := range map[string]*sweep.Job{"tau": tau.Job("x"), "phase": phase.Job("x")} {
		block := len(job.Cells) / 3
		if block*3 != len(job.Cells) {
			t.Fatalf("%s: %d cells, not 3 blocks", name, len(job.Cells))
		}
		ie, is, ift := col(t, job, "eta"), col(t, job, "max_steps"), col(t, job, "flow_time")
		for i, c := range job.Cells {
			eta := tau.Etas[i/block]
			if c.Param[ie] != strconv.FormatFloat(eta, 'g', -1, 64) {
				t.Errorf("%s cell %d: eta %s, want %v", name, i, c.Param[ie], eta)
			}
			want := 1
			for float64(want)*eta < 3 {
				want++
			}
			if c.Param[is] != strconv.Itoa(want) || c.Param[ift] != "3" {
				t.Errorf("%s cell %d (η = %v): max_steps %s, flow_time %s; want %d, 3", name, i, eta, c.Param[is], c.Param[ift], want)
			}
			if c.Seed != job.Cells[i%block].Seed {
				t.Errorf("%s cell %d: seed not paired with cell %d of the first η", name, i, i%block)
			}
		}
	}
	// Control: the η blocks' seeds differ within a block (pairing is not
	// one seed for all).
	if job := tau.Job("x"); job.Cells[0].Seed == job.Cells[1].Seed {
		t.Error("replicates 0 and 1 share a seed")
	}
}

// TestStepAxisRefused: a repeated η, a bad η, a negative flow time or one
// too long for the step limit, and negative early steps are *valid.Errors
// naming the flag.
func TestStepAxisRefused(t *testing.T) {
	for _, c := range []struct {
		ax    StepAxis
		field string
	}{
		{StepAxis{Etas: []float64{0.1, 0.01, 0.1}}, "eta"},
		{StepAxis{Etas: []float64{0.1, -0.01}}, "eta"},
		{StepAxis{Etas: []float64{0.1, math.NaN()}}, "eta"},
		{StepAxis{FlowTime: -1}, "flow-time"},
		{StepAxis{FlowTime: math.Inf(1)}, "flow-time"},
		{StepAxis{Etas: []float64{0.1, 1e-7}, FlowTime: 10}, "flow-time"},
		{StepAxis{Early: -1}, "early-steps"},
	} {
		cfg := smokeTau()
		cfg.StepAxis = c.ax
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: Validate() = %v, want an error naming %s", c.ax, err, c.field)
		}
		ph := PhasePreset(Smoke, 0.25)
		ph.StepAxis = c.ax
		if err := ph.Validate(); err == nil {
			t.Errorf("phase %+v: Validate() = nil", c.ax)
		}
	}
	ok := smokeTau()
	ok.StepAxis = StepAxis{Etas: []float64{0.1, 0.01}, FlowTime: 3, Early: 20}
	if err := ok.Validate(); err != nil {
		t.Errorf("a valid axis refused: %v", err)
	}
}

// checkFlowRows checks the matched-η·T columns of a complete CSV: steps ≤
// max_steps, flow_time_reached = steps·η, censored = 1 exactly when the
// run is not converged (the ceiling ended it before the target), and a
// run that stopped before its ceiling converged.
func checkFlowRows(tab *sweep.Table) error {
	for _, c := range []string{"eta", "steps", "max_steps", "converged", "flow_time", "flow_time_reached", "censored"} {
		if !tab.Has(c) {
			return fmt.Errorf("no column %s", c)
		}
	}
	eta, steps, maxSteps := tab.Col("eta"), tab.Col("steps"), tab.Col("max_steps")
	conv, reached, cens := tab.Col("converged"), tab.Col("flow_time_reached"), tab.Col("censored")
	for i := range eta {
		if !(steps[i] <= maxSteps[i]) {
			return fmt.Errorf("row %d: %v steps above the ceiling %v", i, steps[i], maxSteps[i])
		}
		if want := steps[i] * eta[i]; !(math.Abs(reached[i]-want) <= 1e-5*want) {
			return fmt.Errorf("row %d: flow_time_reached %v, want steps·η = %v", i, reached[i], want)
		}
		if cens[i] != 1-conv[i] {
			return fmt.Errorf("row %d: censored %v with converged %v", i, cens[i], conv[i])
		}
		if steps[i] < maxSteps[i] && conv[i] != 1 {
			return fmt.Errorf("row %d: stopped at %v < %v steps without reaching the target", i, steps[i], maxSteps[i])
		}
	}
	return nil
}

// TestFlowTimeRun runs a smoke τ sweep at two step sizes to a matched η·T
// with a target that some cells reach and some do not, checks its rows
// (checkFlowRows, with controls: a flipped censored flag and a max_steps
// off by one fail), and that the trajectory files follow the schedule and
// survive a resumed run untouched.
func TestFlowTimeRun(t *testing.T) {
	cfg := smokeTau()
	cfg.Etas, cfg.FlowTime, cfg.Target, cfg.Early = []float64{0.1, 0.02}, 0.6, 0.05, 3
	out := filepath.Join(t.TempDir(), "tau")
	job := cfg.Job("x")
	if _, err := sweep.Execute(job, sweep.Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	tab, err := sweep.ReadTable(out + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFlowRows(tab); err != nil {
		t.Fatal(err)
	}
	cens := tab.Col("censored")
	if !slices.Contains(cens, 0) || !slices.Contains(cens, 1) {
		t.Fatalf("censored = %v: want both outcomes at this target (the test would not see a wrong flag)", cens)
	}
	for name, mutate := range map[string]func(*sweep.Table){
		"censored flipped": func(tb *sweep.Table) { tb.Cols["censored"][0] = 1 - tb.Cols["censored"][0] },
		"max_steps - 1": func(tb *sweep.Table) {
			for i, s := range tb.Cols["steps"] {
				if s == tb.Cols["max_steps"][i] {
					tb.Cols["max_steps"][i]--
					return
				}
			}
		},
		"reached off": func(tb *sweep.Table) { tb.Cols["flow_time_reached"][1] += tb.Cols["eta"][1] },
	} {
		tb, _ := sweep.ReadTable(out + ".csv")
		mutate(tb)
		if checkFlowRows(tb) == nil {
			t.Errorf("control %s: checkFlowRows accepted it", name)
		}
	}

	// Trajectories: one file per cell, probes 0..3, then 4, 5, 7, 9, …, and
	// the final step; robust_train_loss is the run's loss at that step.
	dir := TrajDir(out)
	stamp := map[string][]byte{}
	for i := range job.Cells {
		path := filepath.Join(dir, fmt.Sprintf("cell-%d.csv", i))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		stamp[path] = b
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		last := int(tab.Col("steps")[i])
		var steps []int
		for _, l := range lines[1:] {
			s, _ := strconv.Atoi(strings.SplitN(l, ",", 2)[0])
			steps = append(steps, s)
		}
		want := []int{}
		for s := 0; s < last; s = nextProbeRef(s) {
			want = append(want, s)
		}
		want = append(want, last)
		if !slices.Equal(steps, want) {
			t.Errorf("cell %d: probed steps %v, want %v", i, steps, want)
		}
	}
	sum, err := sweep.Execute(job, sweep.Options{Out: out, Workers: 2})
	if err != nil || sum.Computed != 0 {
		t.Fatalf("resumed run: %+v, %v; want nothing computed", sum, err)
	}
	for path, b := range stamp {
		if now, _ := os.ReadFile(path); string(now) != string(b) {
			t.Errorf("%s changed on a resumed run", path)
		}
	}
}

// nextProbeRef is the Early = 3 schedule written out: every step to 3,
// then 4, 5, 7, 9, 12, 15, 19, 24, 30, …
func nextProbeRef(s int) int {
	if s < 3 {
		return s + 1
	}
	return max(s+1, int(math.Ceil(float64(s)*5/4)))
}

// TestAdvAttentionColumns: -adv-attention adds a1_adv … max_a_adv; at τ = 0
// they equal the clean a1 … max_a to the bit (the same inputs), at τ > 0
// they are the attention after the evaluation PGD, which differs from the
// clean one (control: the column pairs would be equal if the attacked
// inputs were never used), and each is a mean of probabilities.
func TestAdvAttentionColumns(t *testing.T) {
	cfg := smokeTau()
	cfg.AdvAttention = true
	out := filepath.Join(t.TempDir(), "tau")
	job := cfg.Job("x")
	if !slices.Contains(job.Metrics, "entropy_adv") {
		t.Fatalf("metrics %v: no entropy_adv", job.Metrics)
	}
	if _, err := sweep.Execute(job, sweep.Options{Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	tab, err := sweep.ReadTable(out + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i, tau := range tab.Col("tau") {
		for _, c := range []string{"a1", "a2", "entropy", "max_a"} {
			clean, adv := tab.Col(c)[i], tab.Col(c + "_adv")[i]
			if !(adv >= 0 && adv <= math.Log(float64(cfg.M))+1e-12) {
				t.Errorf("row %d: %s_adv = %v outside [0, ln M]", i, c, adv)
			}
			if tau == 0 && adv != clean {
				t.Errorf("row %d (τ = 0): %s_adv = %v, want the clean %v", i, c, adv, clean)
			}
			if tau > 0 && adv != clean {
				differ++
			}
		}
	}
	if differ == 0 {
		t.Errorf("at τ > 0 every adversarial attention column equals the clean one: the attacked inputs were not used")
	}
	plain := smokeTau().Job("x")
	if slices.Contains(plain.Metrics, "a1_adv") {
		t.Errorf("without AdvAttention the job has a1_adv: committed files would change")
	}
}
