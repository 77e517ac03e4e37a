package figure

import (
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Sub- and superscripts in figure text. The figures' font (Liberation
// Serif) lacks most Unicode subscript letters (₊ ₋ ₙ ⱼ ₕ, and there is no
// subscript Q or K at all) and gonum's LaTeX handler does not render
// scripts, so labels mark them up as in TeX — x_1, x_{n,2}, x^T, x^{2} —
// and scriptText draws each script in a smaller font, lowered or raised.

// Script sizes and shifts, as fractions of the font size (TeX's
// \scriptstyle is 70%; the shifts are those of common text fonts).
const (
	scriptScale = 0.7
	subShift    = -0.22
	supShift    = 0.38
)

// run is a piece of a label at one script level (-1 sub, 0, +1 sup).
type run struct {
	text  string
	level int
}

// parseScripts splits a line into runs: "_x" and "^x" script the next
// rune, "_{…}" and "^{…}" the braced text; anything else is plain.
func parseScripts(s string) []run {
	var out []run
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, run{cur.String(), 0})
			cur.Reset()
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if (c != '_' && c != '^') || i+1 == len(rs) {
			cur.WriteRune(c)
			continue
		}
		level := -1
		if c == '^' {
			level = 1
		}
		var arg string
		if rs[i+1] == '{' {
			j := i + 2
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j == len(rs) { // unbalanced: plain text
				cur.WriteRune(c)
				continue
			}
			arg, i = string(rs[i+2:j]), j
		} else {
			arg, i = string(rs[i+1]), i+1
		}
		flush()
		out = append(out, run{arg, level})
	}
	flush()
	return out
}

// scriptText is text.Plain with sub- and superscripts (parseScripts).
type scriptText struct{ text.Plain }

// face returns the face of a run at level in fnt, and its baseline shift.
func (h scriptText) face(fnt font.Font, level int) (font.Face, vg.Length) {
	if level == 0 {
		return h.Fonts.Lookup(fnt, fnt.Size), 0
	}
	shift := vg.Length(subShift)
	if level > 0 {
		shift = supShift
	}
	return h.Fonts.Lookup(fnt, fnt.Size*scriptScale), shift * fnt.Size
}

// Box is the bounding box of a line with its scripts.
func (h scriptText) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	base := h.Fonts.Lookup(fnt, fnt.Size)
	ext := base.Extents()
	height, depth = ext.Ascent, ext.Descent
	for _, r := range parseScripts(txt) {
		f, shift := h.face(fnt, r.level)
		width += f.Width(r.text)
		e := f.Extents()
		height = max(height, e.Ascent+shift)
		depth = max(depth, e.Descent-shift)
	}
	return width, height, depth
}

// Draw is text.Plain's Draw, run by run.
func (h scriptText) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if len(txt) == 0 {
		return
	}
	main := h.Fonts.Lookup(sty.Font, sty.Font.Size)
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = vg.Length(pt.Y*sin)+vg.Length(pt.X*cos), vg.Length(pt.Y*cos)-vg.Length(pt.X*sin)
	lines := h.Lines(txt)
	pt.Y += vg.Length(sty.Height(txt)*vg.Length(sty.YAlign)) - main.Extents().Ascent
	for i, line := range lines {
		w, _, _ := h.Box(line, sty.Font)
		x := vg.Length(sty.XAlign) * w
		n := vg.Length(len(lines) - i)
		for _, r := range parseScripts(line) {
			f, shift := h.face(sty.Font, r.level)
			c.FillString(f, pt.Add(vg.Point{X: x, Y: vg.Length(n*sty.Font.Size) + shift}), r.text)
			x += f.Width(r.text)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}

// NewPlot is plot.New with scriptText for every text of the plot: title,
// legend, axis labels and tick labels.
func NewPlot() *plot.Plot {
	p := plot.New()
	h := scriptText{text.Plain{Fonts: font.DefaultCache}}
	p.TextHandler = h
	p.Title.TextStyle.Handler = h
	p.Legend.TextStyle.Handler = h
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler = h
		a.Tick.Label.Handler = h
	}
	return p
}

// LegendRoom raises the top of p's y range so that a legend of n entries
// in the top corner sits above the data instead of over it: the legend
// takes about (n + 1) lines of a panel some 20 lines high, so the range
// grows by that fraction of the panel.
func LegendRoom(p *plot.Plot, n int) {
	frac := float64(n+1) / 20
	span := p.Y.Max - p.Y.Min
	if !(span > 0) {
		return
	}
	p.Y.Max += span * frac / (1 - frac)
}
