package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"vitadv/model/cell"
	"vitadv/model/data/mnist"
	"vitadv/sweep"
)

// TestMNISTEvalCascade: `vitadv mnist -eval-cascade` (the smoke preset at
// τ = 0.3‖μ‖) evaluates with the signal-free cascade: the columns
// apgd_steps and eval_cascade = 1, the sidecar's "eval" records cascade and
// no_signals; against the same run without the flag (the control, the
// PGD alone) its training and clean columns and robust_err_ub are
// bit-identical and robust_err_lb is nowhere lower. Skipped without the
// MNIST idx files (mnist.Find).
func TestMNISTEvalCascade(t *testing.T) {
	if _, err := mnist.Find(os.Getenv); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	tabs := map[bool]*sweep.Table{}
	for _, on := range []bool{false, true} {
		out := filepath.Join(dir, "off")
		if on {
			out = filepath.Join(dir, "on")
		}
		vitadv(t, os.Getenv, "mnist", "-preset", "smoke", "-tau", "0.3", "-eval-cascade="+strconvBool(on), "-figures=false", "-out", out)
		tab, err := sweep.ReadTable(out + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		tabs[on] = tab
		if tab.Has("eval_cascade") != on || tab.Has("apgd_steps") != on {
			t.Fatalf("cascade %v: columns eval_cascade %v, apgd_steps %v", on, tab.Has("eval_cascade"), tab.Has("apgd_steps"))
		}
		for i, v := range tab.Col("eval_cascade") {
			if v != 1 {
				t.Errorf("row %d: eval_cascade = %g, want 1", i, v)
			}
		}
		meta, err := sweep.ReadMeta(out + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		var p cell.Protocol
		if err := json.Unmarshal(meta.Eval, &p); err != nil {
			t.Fatalf("sidecar eval %s: %v", meta.Eval, err)
		}
		if p.Cascade != on || p.NoSignals != on || p.PGDOnly == on {
			t.Errorf("cascade %v: sidecar eval = %+v", on, p)
		}
	}
	off, on := tabs[false], tabs[true]
	for _, col := range []string{"steps", "converged", "train_obj", "train_err", "test_loss", "test_err", "robust_err_ub", "a1", "a2", "entropy"} {
		a, b := off.Col(col), on.Col(col)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Errorf("row %d: %s = %g with the cascade, %g without", i, col, b[i], a[i])
			}
		}
	}
	a, b := off.Col("robust_err_lb"), on.Col("robust_err_lb")
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("robust_err_lb: %d and %d rows", len(a), len(b))
	}
	for i := range a {
		if !(b[i] >= a[i]) {
			t.Errorf("row %d: robust_err_lb = %g with the cascade, below the PGD alone's %g", i, b[i], a[i])
		}
	}
}
