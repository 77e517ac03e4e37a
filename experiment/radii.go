package experiment

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"vitadv/model/attack"
	"vitadv/model/certify"
	"vitadv/model/store"
)

// radiiColumns are the columns of a tau-sweep cell's per-point radius file.
var radiiColumns = []string{"point", "y", "clean_margin", "cert_margin_lb", "attack_margin", "radius_cert", "radius_attack"}

// RadiiDir returns the directory of the per-point radius files of the tau
// sweep written to base path out: <out>.radii.
func RadiiDir(out string) string { return out + ".radii" }

// radiusIters is the number of bisection halvings of a certified radius
// (resolution 2⁻¹² of the attack radius), and radiusNodes the
// branch-and-bound budget of each certificate of the bisection (a quarter
// of certify.DefaultNodes: the radius is a side output, the bracket at τ
// itself uses the full budget).
const (
	radiusIters = 12
	radiusNodes = 16
)

// fmnSteps is the iteration budget of the minimum-norm attack that gives
// each point's attack radius.
const fmnSteps = 100

// writeRadii writes, for every test point of a tau-sweep cell, the
// bracket [radius_cert, radius_attack] of its robust radius in the cell's
// perturbation set — radius_cert by bisection on the certificate
// (certify.Certifier.Radius), radius_attack the smallest of the FMN
// minimum-norm attack's radius and τ where the evaluation attacks already
// broke the point at τ — together with the margins at the cell's τ (the
// clean margin, the certified lower bound, the worst attack margin). The
// file is <dir>/cell-<index>.csv, written atomically. A point the attacks
// never broke has radius_attack = +Inf (written "inf").
func writeRadii(dir string, index int, set attack.Set, tau, mu float64, out Outcome) error {
	te, m := out.Test, out.Model
	if te == nil || m == nil {
		return nil
	}
	f, err := attack.NewFMN(attack.FMNConfig{Set: set, Steps: fmnSteps}, m.Arch, te.M, te.N)
	if err != nil {
		return err
	}
	xadv := make([]float64, len(te.X))
	f.Perturb(m, te.X, te.Y, te.N, xadv)
	rad := f.Radii()
	c, err := certify.New(m, te.M)
	if err != nil {
		return err
	}
	c.SetNodes(radiusNodes)
	rob, err := attack.Evaluate(m, te, te.N) // clean margins
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
		for i := 0; i < te.N; i++ {
			ra := rad[i]
			if tau > 0 && out.Robust.Margins != nil && out.Robust.Margins[i] <= 0 {
				ra = math.Min(ra, tau)
			}
			hi := ra
			if math.IsInf(hi, 1) {
				hi = 2 * mu // beyond ‖μ‖/√2 no point is robust in an ℓ₂ set (THEORY §3.4)
			}
			rc := c.Radius(te.Sample(i), te.Y[i], set, hi, radiusIters)
			am := math.NaN()
			if out.Robust.Margins != nil {
				am = out.Robust.Margins[i]
			}
			cb := math.NaN()
			if out.Cert.Bounds != nil {
				cb = out.Cert.Bounds[i]
			}
			if _, err := fmt.Fprintf(w, "%d,%s,%s,%s,%s,%s,%s\n", i, ftoa(te.Y[i]), mtoa(rob.Margins[i]), mtoa(cb), mtoa(am), mtoa(rc), mtoa(ra)); err != nil {
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
