package figure

import (
	"bytes"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TestHeatRectsTile: the rectangles of a row meet halfway (in log SNR)
// between neighbours, the rows meet halfway between their N, and each
// rectangle carries its point's value.
func TestHeatRectsTile(t *testing.T) {
	var pts []Point
	for _, n := range []int{4, 8} {
		for k, s := range []float64{0.1, 0.2, 0.4} {
			pts = append(pts, Point{N: n, SNR2: s, Value: float64(n + k)})
		}
	}
	r := heatRects(pts)
	if len(r.v) != 6 {
		t.Fatalf("%d rectangles, want 6", len(r.v))
	}
	for i := 0; i < 6; i++ {
		if r.v[i] != pts[i].Value {
			t.Errorf("rect %d value %g, want %g", i, r.v[i], pts[i].Value)
		}
		if !(r.x0[i] < pts[i].SNR2 && pts[i].SNR2 < r.x1[i]) {
			t.Errorf("rect %d [%g, %g] does not contain SNR %g", i, r.x0[i], r.x1[i], pts[i].SNR2)
		}
		if i%3 < 2 && !(math.Abs(r.x1[i]-r.x0[i+1]) <= 1e-15) {
			t.Errorf("rects %d and %d do not meet: %g vs %g", i, i+1, r.x1[i], r.x0[i+1])
		}
	}
	if r.y1[0] != 6 || r.y0[3] != 6 {
		t.Errorf("rows meet at %g and %g, want 6 (halfway between N = 4 and 8)", r.y1[0], r.y0[3])
	}
}

// TestWritePNGAndSVG: Write produces a PNG and an SVG of the drawing; the
// control is the file signatures (a swapped writer fails them).
func TestWritePNGAndSVG(t *testing.T) {
	stem := filepath.Join(t.TempDir(), "x")
	files, err := Write(stem, 2*vg.Inch, 1*vg.Inch, func(dc draw.Canvas) {
		dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}})
	})
	if err != nil || len(files) != 2 {
		t.Fatalf("Write = %v, %v", files, err)
	}
	png, _ := os.ReadFile(stem + ".png")
	svg, _ := os.ReadFile(stem + ".svg")
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("png starts %q, svg contains <svg: %v", png[:min(8, len(png))], bytes.Contains(svg, []byte("<svg")))
	}
}
