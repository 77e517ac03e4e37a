package experiment

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vitadv/model/cell"
	"vitadv/model/store"
)

// radiiColumns are the columns of a tau-sweep cell's per-point radius file.
var radiiColumns = []string{"point", "y", "clean_margin", "cert_margin_lb", "attack_margin", "radius_cert", "radius_attack"}

// RadiiDir returns the directory of the per-point radius files of the tau
// sweep written to base path out: <out>.radii.
func RadiiDir(out string) string { return out + ".radii" }

// writeRadii writes, for every test point of a tau-sweep cell, the
// bracket [radius_cert, radius_attack] of its robust radius in the cell's
// perturbation set and its margins at the cell's τ (cell.Run.Radii: the
// clean margin, the certified lower bound, the worst attack margin). The
// file is <dir>/cell-<index>.csv, written atomically. A point the attacks
// never broke has radius_attack = +Inf (written "inf").
func writeRadii(dir string, index int, set cell.Set, tau, mu float64, out Outcome) error {
	if out.Run == nil || out.Run.Test == nil || out.Run.Model == nil {
		return nil
	}
	radii, err := out.Run.Radii(out.Eval, set, tau, mu)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("cell-%d.csv", index))
	return store.WriteFileAtomic(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, joinComma(radiiColumns)); err != nil {
			return err
		}
		for i, r := range radii {
			if _, err := fmt.Fprintf(w, "%d,%s,%s,%s,%s,%s,%s\n", i, ftoa(r.Y), mtoa(r.CleanMargin), mtoa(r.CertMarginLB), mtoa(r.AttackMargin), mtoa(r.Cert), mtoa(r.Attack)); err != nil {
				return err
			}
		}
		return nil
	})
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
