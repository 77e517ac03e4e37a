package report

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"vitadv/sweep"
)

// recorder is a canvas that records the strings drawn, with their font
// size and baseline.
type recorder struct {
	vg.CanvasSizer
	runs []drawn
}

type drawn struct {
	text string
	size vg.Length
	y    vg.Length
}

func (r *recorder) FillString(f font.Face, pt vg.Point, s string) {
	r.runs = append(r.runs, drawn{s, f.Font.Size, pt.Y})
	r.CanvasSizer.FillString(f, pt, s)
}

// TestFiguresDrawScripts: every text of the dynamics figure of the
// committed dynamics/ci.csv is drawn without raw markup (no "_", "^",
// "{" or "}"), and the scripts are real ones — W_Q's Q drawn smaller
// and lower than its W. Control: a plain plot (text.Plain, the handler the
// figures had) draws "a_1" raw, which the check catches.
func TestFiguresDrawScripts(t *testing.T) {
	tab, err := sweep.ReadTable(filepath.Join("..", "results", "dynamics", "ci.csv"))
	if err != nil {
		t.Fatal(err)
	}
	raw := func(runs []drawn) []string {
		var bad []string
		for _, r := range runs {
			if strings.ContainsAny(r.text, "_^{}") {
				bad = append(bad, r.text)
			}
		}
		return bad
	}
	for benign, d := range SummarizeDynamics(tab) {
		rec := &recorder{CanvasSizer: vgimg.New(dynamicsW, dynamicsH)}
		c := draw.New(rec)
		panels := dynamicsPanels(tab, d, benign)
		cs := plot.Align(panels, draw.Tiles{Rows: 2, Cols: 2}, c)
		for i := range panels {
			for j, p := range panels[i] {
				p.Draw(cs[i][j])
			}
		}
		if bad := raw(rec.runs); len(bad) > 0 {
			t.Errorf("benign=%v: raw markup drawn: %q", benign, bad)
		}
		k := slices.IndexFunc(rec.runs, func(r drawn) bool { return r.text == "Q" })
		if k < 1 || !(rec.runs[k].size < rec.runs[k-1].size && rec.runs[k].y < rec.runs[k-1].y) {
			t.Errorf("benign=%v: W_Q's Q is not drawn as a subscript (runs around it: %v)", benign, rec.runs[max(0, k-1):min(len(rec.runs), k+1)])
		}
	}
	// Control: the plain handler draws the markup.
	rec := &recorder{CanvasSizer: vgimg.New(4*vg.Inch, 3*vg.Inch)}
	p := plot.New()
	p.Title.Text = "a_1 (signal)"
	p.Draw(draw.New(rec))
	if len(raw(rec.runs)) == 0 {
		t.Errorf("control: the plain handler drew no raw markup: %v", rec.runs)
	}
}

// dynamicsColumns are the series of each dynamics panel, as
// dynamicsPanels draws them (a leading "-" plots −column).
var dynamicsColumns = [][][]string{
	{{"train_loss", "test_loss", "test_err"}, {"a1", "a2", "max_a"}},
	{{"gamma_plus", "-gamma_minus", "rho_median"}, {"qk_sig_sig", "qk_sig_xi2", "qk_xi3_sig", "qk_xi3_xi2"}},
}

// legendOverlaps returns the data points (means, every step) of panel p
// that fall inside its legend, drawn in canvas c.
func legendOverlaps(p *plot.Plot, c draw.Canvas, d map[string]DynSeries, cols []string) []string {
	dc := p.DataCanvas(c)
	r := p.Legend.Rectangle(dc)
	x, y := p.Transforms(&dc)
	var out []string
	for _, col := range cols {
		sign := 1.0
		if strings.HasPrefix(col, "-") {
			sign, col = -1, col[1:]
		}
		s := d[col]
		for i := range s.Mean {
			px, py := x(s.Steps[i]), y(sign*s.Mean[i])
			if px >= r.Min.X && px <= r.Max.X && py >= r.Min.Y && py <= r.Max.Y {
				out = append(out, fmt.Sprintf("%s at step %g", col, s.Steps[i]))
			}
		}
	}
	return out
}

// TestDynamicsLegendsClear: in both dynamics figures of the committed
// dynamics/ci.csv no curve passes under a legend (the legend of
// ci-benign's attention panel covered a₁). Control: the same attention
// panel with its y range cut back to the data's (no legendRoom) has a₁
// under its legend.
func TestDynamicsLegendsClear(t *testing.T) {
	tab, err := sweep.ReadTable(filepath.Join("..", "results", "dynamics", "ci.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	sum := SummarizeDynamics(tab)
	for benign, d := range sum {
		panels := dynamicsPanels(tab, d, benign)
		cs := plot.Align(panels, tiles, draw.New(vgimg.New(dynamicsW, dynamicsH)))
		for i := range panels {
			for j, p := range panels[i] {
				if o := legendOverlaps(p, cs[i][j], d, dynamicsColumns[i][j]); len(o) > 0 {
					t.Errorf("benign=%v panel %q: the legend covers %d points, e.g. %s", benign, p.Title.Text, len(o), o[0])
				}
			}
		}
	}
	d := sum[true]
	panels := dynamicsPanels(tab, d, true)
	pa := panels[0][1]
	top := 0.0
	for _, col := range dynamicsColumns[0][1] {
		for _, m := range d[col].Mean {
			top = max(top, m)
		}
	}
	pa.Y.Max = top
	cs := plot.Align(panels, tiles, draw.New(vgimg.New(dynamicsW, dynamicsH)))
	if o := legendOverlaps(pa, cs[0][1], d, dynamicsColumns[0][1]); len(o) == 0 {
		t.Errorf("control: the benign attention panel without legend room has no curve under its legend")
	}
}
