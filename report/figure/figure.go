// Package figure draws the suite's figures with gonum.org/v1/plot: the
// phase-diagram heatmap with its boundary curves, lines with error bars and
// bands, and grids of plots, each written as PNG and SVG through
// store.WriteFileAtomic. It knows nothing of result files: package report
// turns tables into the values drawn here.
package figure

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"vitadv/model/store"
	"vitadv/theorems"
)

// Write writes stem.png and stem.svg of the given size, each drawn by
// paint, through store.WriteFileAtomic; it returns the paths.
func Write(stem string, w, h vg.Length, paint func(dc draw.Canvas)) ([]string, error) {
	png, svg := stem+".png", stem+".svg"
	err := store.WriteFileAtomic(png, func(f io.Writer) error {
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))
		paint(draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = store.WriteFileAtomic(svg, func(f io.Writer) error {
		c := vgsvg.New(w, h)
		paint(draw.New(c))
		_, err := c.WriteTo(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []string{png, svg}, nil
}

// rects is a plotter of filled axis-aligned rectangles (a heatmap on an
// irregular grid).
type rects struct {
	x0, x1, y0, y1, v []float64
	cmap              palette.ColorMap
}

func (r *rects) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for i := range r.v {
		col := color.Color(color.Gray{Y: 200})
		if !math.IsNaN(r.v[i]) {
			v := math.Max(r.cmap.Min(), math.Min(r.cmap.Max(), r.v[i]))
			if cc, err := r.cmap.At(v); err == nil {
				col = cc
			}
		}
		pts := []vg.Point{{X: tx(r.x0[i]), Y: ty(r.y0[i])}, {X: tx(r.x1[i]), Y: ty(r.y0[i])},
			{X: tx(r.x1[i]), Y: ty(r.y1[i])}, {X: tx(r.x0[i]), Y: ty(r.y1[i])}}
		c.FillPolygon(col, c.ClipPolygonXY(pts))
	}
}

func (r *rects) DataRange() (xmin, xmax, ymin, ymax float64) {
	return slices.Min(r.x0), slices.Max(r.x1), slices.Min(r.y0), slices.Max(r.y1)
}

// Point is one cell of a phase diagram: its training-set size, its SNR_2
// and the value drawn. Points come ordered by N, then SNR_2.
type Point struct {
	N     int
	SNR2  float64
	Value float64
}

// Boundary is what a phase diagram draws of the fitted boundary: the
// per-N crossings c*(N) (NaN: none), the fitted C_b with its interval and
// the fitted slope with its interval (NaN: not fitted).
type Boundary struct {
	N                       []int
	CStar                   []float64
	CB, CBLo, CBHi          float64
	Slope, SlopeLo, SlopeHi float64
}

// heatRects lays out grid points as rectangles in (SNR_2 on a log axis, N):
// each spans halfway (in log SNR) to its neighbours in its row and halfway
// to the neighbouring N.
func heatRects(pts []Point) *rects {
	r := &rects{}
	var ns []int
	for _, p := range pts {
		if !slices.Contains(ns, p.N) {
			ns = append(ns, p.N)
		}
	}
	slices.Sort(ns)
	yedge := func(k int) (float64, float64) {
		n := float64(ns[k])
		lo, hi := n-1, n+1
		if k > 0 {
			lo = (n + float64(ns[k-1])) / 2
		} else if len(ns) > 1 {
			lo = n - float64((float64(ns[1])-n)/2)
		}
		if k+1 < len(ns) {
			hi = (n + float64(ns[k+1])) / 2
		} else if len(ns) > 1 {
			hi = n + float64((n-float64(ns[k-1]))/2)
		}
		return lo, hi
	}
	for lo := 0; lo < len(pts); {
		hi := lo
		for hi < len(pts) && pts[hi].N == pts[lo].N {
			hi++
		}
		row := pts[lo:hi]
		y0, y1 := yedge(slices.Index(ns, row[0].N))
		for i, p := range row {
			l := math.Log(p.SNR2)
			a, b := l-0.5, l+0.5
			if i > 0 {
				a = (l + math.Log(row[i-1].SNR2)) / 2
			} else if len(row) > 1 {
				a = l - float64((math.Log(row[1].SNR2)-l)/2)
			}
			if i+1 < len(row) {
				b = (l + math.Log(row[i+1].SNR2)) / 2
			} else if len(row) > 1 {
				b = l + float64((l-math.Log(row[i-1].SNR2))/2)
			}
			r.x0, r.x1 = append(r.x0, math.Exp(a)), append(r.x1, math.Exp(b))
			r.y0, r.y1 = append(r.y0, y0), append(r.y1, y1)
			r.v = append(r.v, p.Value)
		}
		lo = hi
	}
	return r
}

// TheoryC is the constant of the boundary curve drawn on every phase
// diagram: Jiang et al.'s red curve N·SNR_w² = 1000 reads N·SNR_2² = 2.5
// with σ₂/σ_w = 20 (docs/THEORY.md §1.2, [CODE]/[DER]). The theory itself only
// says N·SNR² = Θ(1); the fitted C_b is drawn next to it.
const TheoryC = theorems.TheoryCb

// ticks125 labels a log axis at 1, 2 and 5 times the powers of ten.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)) - 1; e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 3, 64)})
			}
		}
	}
	return ts
}

// reversed is a colour map read backwards: At(v) = inner.At(min+max−v).
type reversed struct{ palette.ColorMap }

func (r reversed) At(v float64) (color.Color, error) {
	return r.ColorMap.At(r.Min() + r.Max() - v)
}

func (r reversed) Palette(n int) palette.Palette {
	p := r.ColorMap.Palette(n).Colors()
	slices.Reverse(p)
	return plainPalette(p)
}

type plainPalette []color.Color

func (p plainPalette) Colors() []color.Color { return p }

// Phase draws a heatmap of the points' values with the theory curve
// N·SNR_2² = TheoryC, the fitted per-N crossings and the fitted C_b curve.
//
// Colours run from blue (0) to red (1); with reverse set, from red to blue,
// so that benign cells are blue in both of a diagram's figures.
func Phase(stem, title, cbLabel string, pts []Point, lo, hi float64, reverse bool, b Boundary) ([]string, error) {
	var cmap palette.ColorMap = moreland.SmoothBlueRed()
	cmap.SetMin(lo)
	cmap.SetMax(hi)
	if reverse {
		cmap = reversed{cmap}
	}
	p := NewPlot()
	p.Title.Text = title
	p.X.Label.Text = "SNR_2 = |μ|/(σ₂√d)  (log scale)"
	p.Y.Label.Text = "N (training points)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = ticks125{}
	r := heatRects(pts)
	r.cmap = cmap
	p.Add(r)
	xmin, xmax, ymin, ymax := r.DataRange()
	curve := func(c float64, n0, n1 float64) plotter.XYs {
		var xy plotter.XYs
		for k := 0; k <= 60; k++ {
			n := n0 + (n1-n0)*float64(k)/60
			if s := math.Sqrt(c / n); s >= xmin && s <= xmax {
				xy = append(xy, plotter.XY{X: s, Y: n})
			}
		}
		return xy
	}
	if xy := curve(TheoryC, ymin, ymax); len(xy) > 1 {
		l, _ := plotter.NewLine(xy)
		l.Color = color.Black
		l.Width = vg.Points(2)
		p.Add(l)
	}
	if !math.IsNaN(b.CB) {
		if xy := curve(b.CB, ymin, ymax); len(xy) > 1 {
			l, _ := plotter.NewLine(xy)
			l.Color = color.RGBA{R: 255, G: 230, B: 0, A: 255}
			l.Width = vg.Points(2)
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			p.Add(l)
		}
	}
	var cross plotter.XYs
	for i, c := range b.CStar {
		if !math.IsNaN(c) {
			cross = append(cross, plotter.XY{X: math.Sqrt(c / float64(b.N[i])), Y: float64(b.N[i])})
		}
	}
	if len(cross) > 0 {
		s, _ := plotter.NewScatter(cross)
		s.GlyphStyle.Shape = draw.CrossGlyph{}
		s.GlyphStyle.Radius = vg.Points(6)
		s.GlyphStyle.Color = color.Black
		p.Add(s)
	}
	p.Title.Text += fmt.Sprintf("\nsolid: N·SNR_2² = %g (Jiang et al.); dashed: fit N·SNR_2² = C_b = %s %s\n×: per-N fits, boundary slope of log SNR_2* vs log N %s %s (theory −0.5)",
		TheoryC, theorems.FormatValue(b.CB, TheoryC), theorems.FormatInterval(b.CBLo, b.CBHi, TheoryC), theorems.FormatValue(b.Slope, theorems.TheorySlope), theorems.FormatInterval(b.SlopeLo, b.SlopeHi, theorems.TheorySlope))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax

	bar := NewPlot()
	cb := &plotter.ColorBar{ColorMap: cmap, Vertical: true}
	bar.Add(cb)
	bar.HideX()
	bar.Y.Label.Text = cbLabel
	bar.Y.Padding = 0

	const w, h = 8 * vg.Inch, 5.5 * vg.Inch
	return Write(stem, w, h, func(dc draw.Canvas) {
		dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}})
		p.Draw(draw.Crop(dc, 0, -1.1*vg.Inch, 0, 0))
		bar.Draw(draw.Crop(dc, w-1.0*vg.Inch, -0.2*vg.Inch, 0.55*vg.Inch, -0.35*vg.Inch))
	})
}

// xyErr is a line with symmetric error bars.
type xyErr struct{ x, y, e []float64 }

func (d xyErr) Len() int                        { return len(d.x) }
func (d xyErr) XY(i int) (float64, float64)     { return d.x[i], d.y[i] }
func (d xyErr) YError(i int) (float64, float64) { return d.e[i], d.e[i] }

// xyFilter returns the finite points (x_i, y_i).
func xyFilter(x, y []float64) (out []plotter.XY) {
	for i := range x {
		if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) {
			out = append(out, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return out
}

// AddSeries adds a line with markers (and error bars every barEvery
// points, if e is non-nil) in style k.
func AddSeries(p *plot.Plot, k int, label string, x, y, e []float64, barEvery int) {
	xy := xyFilter(x, y)
	if len(xy) == 0 {
		return
	}
	l, s, err := plotter.NewLinePoints(plotter.XYs(xy))
	if err != nil {
		return
	}
	l.Color = plotutil.Color(k)
	l.Width = vg.Points(1.5)
	l.Dashes = plotutil.Dashes(k % 3)
	s.Color = plotutil.Color(k)
	s.Shape = plotutil.Shape(k)
	s.Radius = vg.Points(2)
	p.Add(l)
	if barEvery > 0 {
		p.Add(s)
	}
	if e != nil {
		var d xyErr
		for i := 0; i < len(x); i += max(1, barEvery) {
			if !math.IsNaN(y[i]) && !math.IsNaN(e[i]) {
				d.x, d.y, d.e = append(d.x, x[i]), append(d.y, y[i]), append(d.e, e[i])
			}
		}
		if d.Len() > 0 {
			eb, err := plotter.NewYErrorBars(d)
			if err == nil {
				eb.Color = plotutil.Color(k)
				p.Add(eb)
			}
		}
	}
	if barEvery > 0 {
		p.Legend.Add(label, l, s)
	} else {
		p.Legend.Add(label, l)
	}
}

// VLine adds a dashed vertical line at x from y0 to y1 with a legend label.
func VLine(p *plot.Plot, x, y0, y1 float64, label string, k int) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	if err != nil {
		return
	}
	l.Color = color.Gray{Y: 90}
	l.Dashes = plotutil.Dashes(k + 1)
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
}

// Grid draws plots in a rows×cols layout on a white background.
func Grid(stem string, w, h vg.Length, rows, cols int, plots [][]*plot.Plot) ([]string, error) {
	return Write(stem, w, h, func(dc draw.Canvas) {
		dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}})
		t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		cs := plot.Align(plots, t, dc)
		for i := range plots {
			for j, p := range plots[i] {
				if p != nil {
					p.Draw(cs[i][j])
				}
			}
		}
	})
}

// AddBand adds a filled band between lo and hi over x in a light tint of
// style k (the robust-error bracket: attacks below, certificates above),
// with a legend entry. Points where either end is NaN are skipped.
func AddBand(p *plot.Plot, k int, label string, x, lo, hi []float64) {
	var up, down plotter.XYs
	for i := range x {
		if math.IsNaN(lo[i]) || math.IsNaN(hi[i]) {
			continue
		}
		up = append(up, plotter.XY{X: x[i], Y: hi[i]})
		down = append(down, plotter.XY{X: x[i], Y: lo[i]})
	}
	if len(up) < 2 {
		return
	}
	ring := append(plotter.XYs(nil), down...)
	for i := len(up) - 1; i >= 0; i-- {
		ring = append(ring, up[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return
	}
	r, g, b, _ := plotutil.Color(k).RGBA()
	poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 60}
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Legend.Add(label, poly)
}

// LogX puts the x axis of p on a log scale with powers-of-ten ticks (only
// positive x can be drawn: AddLine drops the others).
func LogX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
}

// LogY puts the y axis of p on a log scale with powers-of-ten ticks.
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
}

// logTicks labels a log axis at the powers of ten, or — when its range holds
// fewer than two of them — at 1, 2 and 5 times the powers of ten, or, when
// even those are fewer than two, as a linear axis would: an axis spanning
// less than a decade (0.6 to 0.8, say) still gets labelled values.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	for _, m := range []plot.Ticker{plot.LogTicks{Prec: -1}, ticks125{}} {
		if ts := m.Ticks(lo, hi); labelled(ts) >= 2 {
			return ts
		}
	}
	return plot.DefaultTicks{}.Ticks(lo, hi)
}

// labelled counts the ticks that carry a label.
func labelled(ts []plot.Tick) int {
	n := 0
	for _, t := range ts {
		if t.Label != "" {
			n++
		}
	}
	return n
}

// AddLine adds a thin line without markers in the colour of style k, with
// a legend entry when label is not empty. It draws the finite points with
// x > 0 (a log x axis) and, when positiveY, y > 0 (a log y axis).
func AddLine(p *plot.Plot, k int, label string, x, y []float64, positiveY bool) {
	var xy plotter.XYs
	for _, pt := range xyFilter(x, y) {
		if pt.X > 0 && !math.IsInf(pt.X, 0) && (!positiveY || pt.Y > 0) {
			xy = append(xy, pt)
		}
	}
	if len(xy) == 0 {
		return
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return
	}
	l.Color = plotutil.Color(k)
	l.Width = vg.Points(1)
	l.Dashes = plotutil.Dashes(k % 3)
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
}

// HLine adds a dotted grey horizontal line at y across the x range, with a
// legend label.
func HLine(p *plot.Plot, y float64, label string) {
	f := plotter.NewFunction(func(float64) float64 { return y })
	f.Color = color.Gray{Y: 90}
	f.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(f)
	if label != "" {
		p.Legend.Add(label, f)
	}
}
