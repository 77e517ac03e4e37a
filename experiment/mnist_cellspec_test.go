package experiment

import (
	"context"
	"errors"
	"math"
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
// joint bounds, deep stage). Controls: a bad configuration, an odd, zero
// or too large N and a negative or NaN σ₂ are *valid.Error values naming
// the field, not panics.
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
	for _, b := range []struct {
		c     MNISTConfig
		n     int
		s2    float64
		field string
	}{
		{bad, 2, 0.5, "pool"},
		{c, 3, 0.5, "n"},
		{c, 0, 0.5, "n"},
		{c, 1 << 20, 0.5, "n"},
		{c, 2, -1, "noise"},
		{c, 2, math.NaN(), "noise"},
	} {
		var ve *valid.Error
		if _, err := b.c.CellSpec(dir, b.n, b.s2, 1); !errors.As(err, &ve) || ve.Field != b.field {
			t.Errorf("control: N = %d, σ₂ = %g, pool %d gave %v, want a *valid.Error on %s", b.n, b.s2, b.c.Pool, err, b.field)
		}
	}
}
