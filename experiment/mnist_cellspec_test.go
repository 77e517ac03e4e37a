package experiment

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"vitadv/model/cell"
	"vitadv/model/data/mnist"
	"vitadv/model/valid"
)

// TestMNISTCellSpec: the spec CellSpec returns for a cell's (N, σ₂, seed)
// trains and evaluates to that cell's row of the sweep (Job): the same
// training loss and the same bracket, formatted as the CSV writes them, at
// every cell of the smoke preset with the committed AT protocol (cascade,
// joint bounds, deep stage). Control: a bad configuration is the
// *valid.Error of Validate.
func TestMNISTCellSpec(t *testing.T) {
	dir, err := mnist.Find(os.Getenv)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	c := MNISTPreset(Smoke)
	c.TauOverMu, c.Cascade, c.Joint, c.DeepNodes = 0.1, true, true, 256
	job, err := c.Job("x", dir)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(job.Metrics, name) }
	i := 0
	for _, n := range c.N {
		for _, s2 := range c.Sigma2 {
			for range c.Reps {
				rows, err := job.Run(job.Cells[i])
				if err != nil {
					t.Fatal(err)
				}
				spec, err := c.CellSpec(dir, n, s2, job.Cells[i].Seed)
				if err != nil {
					t.Fatal(err)
				}
				run, err := cell.Train(context.Background(), spec)
				if err != nil {
					t.Fatal(err)
				}
				rob, cert, err := run.Bracket(true, spec.Eval, spec.Set, spec.Tau)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{mtoa(run.Result.Loss), mtoa(rob.Error), mtoa(cert.ErrUB)}
				want := []string{rows[0][col("train_obj")], rows[0][col("robust_err_lb")], rows[0][col("robust_err_ub")]}
				if !slices.Equal(got, want) {
					t.Errorf("cell %d (N = %d, σ₂ = %g): CellSpec gives train_obj, lb, ub %v; the sweep's row %v", i, n, s2, got, want)
				}
				i++
			}
		}
	}
	bad := c
	bad.Pool = 3
	var ve *valid.Error
	if _, err := bad.CellSpec(dir, 2, 0.5, 1); !errors.As(err, &ve) || ve.Field != "pool" {
		t.Errorf("control: pool 3 gave %v, want a *valid.Error on pool", err)
	}
}
