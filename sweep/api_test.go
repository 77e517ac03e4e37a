package sweep_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"vitadv/sweep"
)

// cubes is a job of n cells whose metric is the cube of the parameter x =
// cell index + 1, computed by f (the correct f is x³).
func cubes(n int, f func(x int) float64) *sweep.Job {
	params := make([][]string, n)
	for i := range params {
		params[i] = []string{strconv.Itoa(i + 1)}
	}
	return &sweep.Job{Name: "cubes", Params: []string{"x"}, Metrics: []string{"x3"}, PerCell: 1,
		Cells: sweep.NewCells(3, params),
		Run: func(c sweep.Cell) ([][]string, error) {
			x, err := strconv.Atoi(c.Param[0])
			if err != nil {
				return nil, err
			}
			return [][]string{{strconv.FormatFloat(f(x), 'g', -1, 64)}}, nil
		}}
}

// checkCubes is what an outside user checks of a finished cubes file: one
// row per cell, in cell order, each metric x³ of its parameter.
func checkCubes(tb *sweep.Table, n int) error {
	xs, ys := tb.Col("x"), tb.Col("x3")
	if tb.Rows != n || len(xs) != n || len(ys) != n {
		return fmt.Errorf("%d rows (x: %d, x3: %d), want %d", tb.Rows, len(xs), len(ys), n)
	}
	for i := range n {
		if want := float64(i + 1); xs[i] != want {
			return fmt.Errorf("row %d: x = %v, want %v (rows sorted by cell)", i, xs[i], want)
		}
		if want := xs[i] * xs[i] * xs[i]; !(ys[i] == want) {
			return fmt.Errorf("row %d: x3 = %v, want %v", i, ys[i], want)
		}
	}
	return nil
}

// TestExecuteThroughPublicAPI drives the engine as cmd/vitadv does, from
// outside the package: a run stopped after 2 of 6 cells (as if killed)
// resumes with the other 4 computed by 2 workers, the file reads back as
// the job's values, and the sidecar records the command. Negative
// controls: the checker refuses a run whose Run is off by one; a metric
// that is not finite is a *sweep.MetricError; rerunning into the file with
// other parameters is a *sweep.ParamMismatchError.
func TestExecuteThroughPublicAPI(t *testing.T) {
	const n = 6
	cube := func(x int) float64 { return float64(x * x * x) }
	out := filepath.Join(t.TempDir(), "cubes")
	first, err := sweep.Execute(cubes(n, cube), sweep.Options{Out: out, Workers: 1, MaxCells: 2, Command: "test first"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Computed != 2 || first.Complete {
		t.Fatalf("first run: %+v, want 2 computed and incomplete", first)
	}
	sum, err := sweep.Execute(cubes(n, cube), sweep.Options{Out: out, Workers: 2, Command: "test second"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resumed != 2 || sum.Computed != n-2 || !sum.Complete || sum.Done != n {
		t.Fatalf("resumed run: %+v, want 2 resumed, %d computed, complete", sum, n-2)
	}
	tb, err := sweep.ReadTable(sum.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkCubes(tb, n); err != nil {
		t.Errorf("%s: %v", sum.Path, err)
	}
	meta, err := sweep.ReadMeta(sum.Path)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Command != "test second" {
		t.Errorf("sidecar command %q, want the last run's %q", meta.Command, "test second")
	}

	// Negative control: the checker catches a wrong metric.
	bad := filepath.Join(t.TempDir(), "cubes")
	bsum, err := sweep.Execute(cubes(n, func(x int) float64 { return cube(x) + 1 }), sweep.Options{Out: bad, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	btb, err := sweep.ReadTable(bsum.Path)
	if err != nil {
		t.Fatal(err)
	}
	if checkCubes(btb, n) == nil {
		t.Error("checkCubes accepted x³+1: the check cannot fail")
	}

	// A non-finite metric is refused, typed.
	nan := filepath.Join(t.TempDir(), "cubes")
	_, err = sweep.Execute(cubes(n, func(x int) float64 {
		if x == 4 {
			return math.NaN()
		}
		return cube(x)
	}), sweep.Options{Out: nan, Workers: 1})
	var me *sweep.MetricError
	if !errors.As(err, &me) || me.Column != "x3" {
		t.Errorf("NaN metric: err = %v (%T), want *sweep.MetricError on column x3", err, err)
	}

	// Resuming a file made with other parameters is refused, typed.
	other := cubes(n, cube)
	other.Cells[0].Param = []string{"100"}
	_, err = sweep.Execute(other, sweep.Options{Out: out, Workers: 1})
	var pm *sweep.ParamMismatchError
	if !errors.As(err, &pm) {
		t.Errorf("changed parameters: err = %v (%T), want *sweep.ParamMismatchError", err, err)
	}
}
