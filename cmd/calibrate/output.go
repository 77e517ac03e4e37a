package main

import (
	"fmt"
	"io"
	"math"

	"vitadv/model/store"
	"vitadv/theorems"
)

// checkConsts refuses to write fitted constants that are NaN: a fit that
// did not determine its constant must not reach constants.csv as a
// number. ±Inf is kept: it documents a censored estimate (the τ sweep
// did not bracket τ* for some seed; see bootMean).
func checkConsts(consts []theorems.Calibrated) error {
	for _, c := range consts {
		for _, f := range []struct {
			col string
			v   float64
		}{{"estimate", c.Estimate}, {"lo95", c.Lo}, {"hi95", c.Hi}} {
			if math.IsNaN(f.v) {
				return fmt.Errorf("calibrate: %s: %s is NaN (the fit is undetermined: widen -jlo/-jhi, add -seeds or -n); nothing was written", c.Name, f.col)
			}
		}
	}
	return nil
}

// writeFile writes b to path through store.WriteFileAtomic (temporary file,
// fsync, rename), so that a killed run never leaves a half-written result.
func writeFile(path string, b []byte) error {
	return store.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
