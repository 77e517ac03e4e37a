package figure_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"vitadv/report/figure"
)

// pngCentre decodes a PNG file and returns its size and the colour of its
// centre pixel.
func pngCentre(path string) (image.Point, color.RGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Point{}, color.RGBA{}, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return image.Point{}, color.RGBA{}, fmt.Errorf("%s: %v", path, err)
	}
	b := img.Bounds()
	c := color.RGBAModel.Convert(img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2)).(color.RGBA)
	return b.Size(), c, nil
}

// TestWriteThroughPublicAPI draws a canvas filled with one colour through
// figure.Write, as a user of the package would, and reads the PNG back:
// it decodes, its aspect ratio is the requested 2:1, and its centre pixel
// is the fill colour; the SVG holds the same fill. Negative control: the
// same check against another colour fails.
func TestWriteThroughPublicAPI(t *testing.T) {
	fill := color.RGBA{R: 200, G: 30, B: 40, A: 255}
	stem := filepath.Join(t.TempDir(), "fill")
	files, err := figure.Write(stem, 2*vg.Inch, 1*vg.Inch, func(dc draw.Canvas) {
		r := dc.Rectangle
		dc.FillPolygon(fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0] != stem+".png" || files[1] != stem+".svg" {
		t.Fatalf("Write returned %q, want %s.png and %s.svg", files, stem, stem)
	}
	size, got, err := pngCentre(stem + ".png")
	if err != nil {
		t.Fatal(err)
	}
	if size.X != 2*size.Y || size.Y == 0 {
		t.Errorf("PNG of %v pixels, want a 2:1 image", size)
	}
	same := func(a, b color.RGBA) bool { return a == b }
	if !same(got, fill) {
		t.Errorf("centre pixel %v, want the fill %v", got, fill)
	}
	if other := (color.RGBA{R: 40, G: 30, B: 200, A: 255}); same(got, other) {
		t.Errorf("centre pixel %v also matches %v: the colour check cannot fail", got, other)
	}
	svg, err := os.ReadFile(stem + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("#C81E28")) && !bytes.Contains(svg, []byte("rgb(200,30,40)")) {
		t.Errorf("SVG lacks the fill colour: %.300s", svg)
	}
}

// TestPhaseThroughPublicAPI draws a phase diagram of a 2×3 grid twice
// with the same inputs and once with the colours reversed: the same
// inputs give the same bytes (figures are reproducible), the reversed
// colours give a different PNG (a check that compares the files can
// fail).
func TestPhaseThroughPublicAPI(t *testing.T) {
	var pts []figure.Point
	for _, n := range []int{4, 8} {
		for k, s := range []float64{0.1, 0.3, 0.9} {
			pts = append(pts, figure.Point{N: n, SNR2: s, Value: float64(k) / 2})
		}
	}
	nan := math.NaN()
	b := figure.Boundary{N: []int{4, 8}, CStar: []float64{0.5, nan}, CB: nan, CBLo: nan, CBHi: nan, Slope: nan, SlopeLo: nan, SlopeHi: nan}
	dir := t.TempDir()
	render := func(name string, reverse bool) []byte {
		t.Helper()
		stem := filepath.Join(dir, name)
		files, err := figure.Phase(stem, "test", "value", pts, 0, 1, reverse, b)
		if err != nil {
			t.Fatalf("Phase(%s): %v", name, err)
		}
		if len(files) != 2 {
			t.Fatalf("Phase(%s) wrote %q, want a PNG and an SVG", name, files)
		}
		if _, _, err := pngCentre(stem + ".png"); err != nil {
			t.Fatal(err)
		}
		p, err := os.ReadFile(stem + ".png")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, again, rev := render("a", false), render("again", false), render("rev", true)
	if !bytes.Equal(a, again) {
		t.Error("the same phase diagram drawn twice gave different PNG bytes")
	}
	if bytes.Equal(a, rev) {
		t.Error("reversed colours gave the same PNG: the comparison cannot fail")
	}
}
