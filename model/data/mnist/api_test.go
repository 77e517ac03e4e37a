package mnist_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"vitadv/model/data/mnist"
)

// writeIDX writes a gzipped idx file: the magic, the count, the extra
// dimensions, then the data bytes (the layout of LeCun's MNIST files).
func writeIDX(t *testing.T, path string, magic uint32, dims []uint32, data []byte) {
	t.Helper()
	var raw bytes.Buffer
	hdr := append([]uint32{magic}, dims...)
	if err := binary.Write(&raw, binary.BigEndian, hdr); err != nil {
		t.Fatal(err)
	}
	raw.Write(data)
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	if _, err := z.Write(raw.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadThroughPublicAPI writes a split of four 2×2 images labelled 0,
// 2, 1, 1 in MNIST's file format and loads it as a user of the package
// would: the 0 and the two 1s come back in file order, the 2 is dropped,
// pixels are bytes/255. Negative controls: an images file with the labels'
// magic, and a labels file shorter than the images, are refused with an
// error naming the file; a missing split is an error wrapping
// os.ErrNotExist; and the pixel comparison notices a changed pixel.
func TestLoadThroughPublicAPI(t *testing.T) {
	dir := t.TempDir()
	imgs := []byte{
		0, 255, 51, 102, // label 0
		1, 1, 1, 1, // label 2: not loaded
		255, 0, 0, 255, // label 1
		10, 20, 30, 40, // label 1
	}
	writeIDX(t, filepath.Join(dir, "small-images-idx3-ubyte.gz"), 0x803, []uint32{4, 2, 2}, imgs)
	writeIDX(t, filepath.Join(dir, "small-labels-idx1-ubyte.gz"), 0x801, []uint32{4}, []byte{0, 2, 1, 1})
	d, err := mnist.Load(dir, "small")
	if err != nil {
		t.Fatal(err)
	}
	px := func(b ...byte) []float64 {
		out := make([]float64, len(b))
		for i, v := range b {
			out[i] = float64(v) / 255
		}
		return out
	}
	equal := func(got, want [][]float64) bool {
		return slices.EqualFunc(got, want, func(a, b []float64) bool { return slices.Equal(a, b) })
	}
	wantZeros := [][]float64{px(0, 255, 51, 102)}
	wantOnes := [][]float64{px(255, 0, 0, 255), px(10, 20, 30, 40)}
	if !equal(d.Zeros, wantZeros) || !equal(d.Ones, wantOnes) {
		t.Errorf("Load = zeros %v, ones %v; want %v, %v", d.Zeros, d.Ones, wantZeros, wantOnes)
	}
	moved := [][]float64{px(255, 0, 0, 255), px(10, 20, 30, 41)}
	if equal(d.Ones, moved) {
		t.Error("a changed pixel compared equal: the comparison cannot fail")
	}

	bad := t.TempDir()
	name := filepath.Join(bad, "x-images-idx3-ubyte.gz")
	writeIDX(t, name, 0x801, []uint32{4, 2, 2}, imgs)
	writeIDX(t, filepath.Join(bad, "x-labels-idx1-ubyte.gz"), 0x801, []uint32{4}, []byte{0, 2, 1, 1})
	if _, err := mnist.Load(bad, "x"); err == nil || !bytes.Contains([]byte(err.Error()), []byte(name)) {
		t.Errorf("images with the labels' magic: err = %v, want an error naming %s", err, name)
	}
	writeIDX(t, filepath.Join(dir, "short-images-idx3-ubyte.gz"), 0x803, []uint32{4, 2, 2}, imgs)
	writeIDX(t, filepath.Join(dir, "short-labels-idx1-ubyte.gz"), 0x801, []uint32{3}, []byte{0, 2, 1})
	if _, err := mnist.Load(dir, "short"); err == nil {
		t.Error("3 labels for 4 images: accepted")
	}
	if _, err := mnist.Load(dir, "absent"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing split: err = %v, want one wrapping os.ErrNotExist", err)
	}
}
