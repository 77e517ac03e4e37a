package store

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"vitadv/model/vit"
)

// trajectory is a small per-step record of the kind a trainer saves, with
// the special values a float64 file must keep bit for bit.
func trajectory() map[string]Array {
	return map[string]Array{
		"step":    {Shape: []int{4}, Data: []float64{0, 1, 2, 3}},
		"loss":    {Shape: []int{4}, Data: []float64{0.69, math.Inf(1), math.NaN(), -0.0}},
		"attn":    {Shape: []int{4, 3}, Data: []float64{1, 0, 0, 0.5, 0.25, 0.25, 0.2, 0.3, 0.5, 1e-300, 5e-324, 1 - 0x1p-53}},
		"eta":     {Shape: []int{}, Data: []float64{0.1}},
		"empty_2": {Shape: []int{0, 5}, Data: []float64{}},
	}
}

func TestArraysRoundTrip(t *testing.T) {
	want := trajectory()
	path := tempPath(t, "traj.npz")
	if err := SaveArrays(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("LoadArrays returned %d arrays, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("array %s missing", name)
			continue
		}
		if !slices.Equal(g.Shape, w.Shape) || !sameBits(g.Data, w.Data) {
			t.Errorf("array %s = %v %v, want %v %v", name, g.Shape, g.Data, w.Shape, w.Data)
		}
		if g.Shape == nil {
			t.Errorf("array %s: Shape is nil, want non-nil", name)
		}
	}
}

// TestReproducibleBytes: equal values give equal files, whatever the map's
// insertion order and the time of writing.
func TestReproducibleBytes(t *testing.T) {
	a := trajectory()
	b := map[string]Array{}
	names := []string{"loss", "empty_2", "step", "eta", "attn"}
	for _, n := range names {
		b[n] = a[n]
	}
	pa, pb := tempPath(t, "a.npz"), tempPath(t, "b.npz")
	if err := SaveArrays(pa, a); err != nil {
		t.Fatal(err)
	}
	if err := SaveArrays(pb, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readBytes(t, pa), readBytes(t, pb)) {
		t.Error("SaveArrays: equal maps gave different bytes")
	}
	m := newModel(t)
	if err := SaveModel(pa, m); err != nil {
		t.Fatal(err)
	}
	if err := SaveModel(pb, m.Clone()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readBytes(t, pa), readBytes(t, pb)) {
		t.Error("SaveModel: equal models gave different bytes")
	}
}

func TestSaveArraysBad(t *testing.T) {
	for _, c := range []struct {
		name string
		a    Array
	}{
		{"1x", Array{Shape: []int{1}, Data: []float64{1}}},
		{"a-b", Array{Shape: []int{1}, Data: []float64{1}}},
		{"", Array{Shape: []int{1}, Data: []float64{1}}},
		{"ok", Array{Shape: []int{2, 2}, Data: []float64{1, 2, 3}}},
		{"ok", Array{Shape: []int{-1}, Data: []float64{}}},
		{"ok", Array{Shape: nil, Data: nil}}, // a scalar holds one value
	} {
		path := tempPath(t, "a.npz")
		err := SaveArrays(path, map[string]Array{c.name: c.a})
		wantFormatError(t, err, c.name)
		if _, err := os.Stat(path); err == nil {
			t.Errorf("SaveArrays(%q: %v) left a file", c.name, c.a)
		}
	}
}

// npyEntry is one member of an .npz file as seen by archive/zip.
type npyEntry struct {
	method   uint16
	preamble int // bytes before the data
	header   string
}

// zipEntries lists the members of the zip file at path, read with
// archive/zip and a direct look at the .npy preamble (not with our reader).
func zipEntries(t *testing.T, path string) map[string]npyEntry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a zip file: %v", path, err)
	}
	defer zr.Close()
	out := map[string]npyEntry{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var pre [10]byte
		if _, err := rc.Read(pre[:]); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if string(pre[:6]) != "\x93NUMPY" || pre[6] != 1 || pre[7] != 0 {
			t.Fatalf("member %s starts with %q, want a .npy v1.0 preamble", f.Name, pre[:8])
		}
		n := int(binary.LittleEndian.Uint16(pre[8:]))
		out[f.Name] = npyEntry{method: f.Method, preamble: 10 + n}
	}
	return out
}

// npyioDescr returns the dtype of h without the quotes npyio keeps.
func npyioDescr(h *npy.Header) string { return strings.Trim(h.Descr.Type, "'\"") }

// TestModelFileLayout checks, without Python and without our reader, that
// a model file is a zip of .npy v1.0 members with the documented names,
// dtypes and shapes: archive/zip lists the members, and npyio (an
// independent .npy implementation) reads each header and value.
func TestModelFileLayout(t *testing.T) {
	m := newModel(t)
	path := tempPath(t, "model.npz")
	if err := SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	entries := zipEntries(t, path)
	wantNames := []string{"W_K.npy", "W_Q.npy", "W_V.npy", "arch_json.npy", "w_O.npy"}
	var names []string
	for n, e := range entries {
		names = append(names, n)
		if e.method != zip.Store {
			t.Errorf("member %s: method %d, want %d (stored, as numpy.savez)", n, e.method, zip.Store)
		}
		if e.preamble%npyAlign != 0 {
			t.Errorf("member %s: preamble of %d bytes, want a multiple of %d", n, e.preamble, npyAlign)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, wantNames) {
		t.Fatalf("members = %q, want %q", names, wantNames)
	}

	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	wq, wk := m.SplitQK()
	for _, c := range []struct {
		name  string
		shape []int
		data  []float64
	}{
		{"W_Q.npy", []int{m.D, m.Dh}, wq},
		{"W_K.npy", []int{m.D, m.Dh}, wk},
		{"W_V.npy", []int{m.D, m.Dv}, m.Wv},
		{"w_O.npy", []int{m.Dv}, m.Wo},
	} {
		h := r.Header(c.name)
		if h == nil {
			t.Fatalf("npyio cannot read the header of %s", c.name)
		}
		if npyioDescr(h) != "<f8" || h.Descr.Fortran || !slices.Equal(h.Descr.Shape, c.shape) {
			t.Errorf("%s: npyio header %v, want '<f8' C-order shape %v", c.name, h, c.shape)
		}
		var got []float64
		if err := r.Read(c.name, &got); err != nil {
			t.Fatal(err)
		}
		if !sameBits(got, c.data) {
			t.Errorf("%s: npyio reads %v, want %v", c.name, got, c.data)
		}
	}
	h := r.Header("arch_json.npy")
	if h == nil || len(h.Descr.Shape) != 0 || !strings.HasPrefix(npyioDescr(h), "<U") {
		t.Fatalf("arch_json.npy: npyio header %v, want a '<U' scalar", h)
	}
	var text string
	if err := r.Read("arch_json.npy", &text); err != nil {
		t.Fatal(err)
	}
	var a vit.Arch
	if err := json.Unmarshal([]byte(text), &a); err != nil || a != m.Arch {
		t.Errorf("arch_json = %q (%v), want the JSON of %+v", text, err, m.Arch)
	}
}

// TestSetFileLayout: as TestModelFileLayout, for a data set.
func TestSetFileLayout(t *testing.T) {
	s := newSet(t)
	path := tempPath(t, "set.npz")
	if err := SaveSet(path, s); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range zipEntries(t, path) {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"X.npy", "mu_norm.npy", "y.npy", "y_clean.npy"}; !slices.Equal(names, want) {
		t.Fatalf("members = %q, want %q", names, want)
	}
	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, c := range []struct {
		name  string
		shape []int
		data  []float64
	}{
		{"X.npy", []int{s.N, s.M, s.D}, s.X},
		{"y.npy", []int{s.N}, s.Y},
		{"y_clean.npy", []int{s.N}, s.Clean},
		{"mu_norm.npy", nil, []float64{s.Mu}},
	} {
		h := r.Header(c.name)
		if h == nil || npyioDescr(h) != "<f8" || !slices.Equal(h.Descr.Shape, c.shape) {
			t.Errorf("%s: npyio header %v, want '<f8' shape %v", c.name, h, c.shape)
			continue
		}
		var got []float64
		if err := r.Read(c.name, &got); err != nil {
			t.Fatal(err)
		}
		if !sameBits(got, c.data) {
			t.Errorf("%s: npyio reads other values than were saved", c.name)
		}
	}
}

// TestLoadForeignNPZ: files written by npyio (deflated members without the
// ".npy" suffix, .npy v2.0 headers with npyio's own padding) load.
func TestLoadForeignNPZ(t *testing.T) {
	path := tempPath(t, "foreign.npz")
	dense := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	if err := npz.Write(path, map[string]any{
		"loss": []float64{0.5, 0.25, 0.125},
		"attn": dense,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	if a := got["loss"]; !slices.Equal(a.Shape, []int{3}) || !slices.Equal(a.Data, []float64{0.5, 0.25, 0.125}) {
		t.Errorf("loss = %v, want (3,) [0.5 0.25 0.125]", a)
	}
	if a := got["attn"]; !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Data, dense.RawMatrix().Data) {
		t.Errorf("attn = %v, want (2, 3) [1 … 6]", a)
	}
}

// TestLoadFortranOrder: a Fortran-order array (what NumPy writes for a
// transposed array) is returned in C order.
func TestLoadFortranOrder(t *testing.T) {
	// A (2, 3, 2) array a[i,j,k] = 100i + 10j + k, stored column-major:
	// i fastest, then j, then k.
	shape := []int{2, 3, 2}
	var fortran, c []float64
	for k := 0; k < 2; k++ {
		for j := 0; j < 3; j++ {
			for i := 0; i < 2; i++ {
				fortran = append(fortran, float64(100*i+10*j+k))
			}
		}
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 2; k++ {
				c = append(c, float64(100*i+10*j+k))
			}
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("a.npy")
	if err != nil {
		t.Fatal(err)
	}
	hdr := string(encodeHeader(dtypeF8, shape))
	w.Write([]byte(strings.Replace(hdr, "'fortran_order': False", "'fortran_order': True ", 1)))
	writeF8(w, fortran)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := tempPath(t, "f.npz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	if a := got["a"]; !slices.Equal(a.Shape, shape) || !slices.Equal(a.Data, c) {
		t.Errorf("a = %v %v, want %v %v", a.Shape, a.Data, shape, c)
	}
}

// TestParseDict covers the header dicts NumPy and npyio write, and
// malformed ones.
func TestParseDict(t *testing.T) {
	good := []struct {
		dict  string
		descr string
		fort  bool
		shape []int
	}{
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }   \n", "<f8", false, []int{3, 4}},
		{"{'descr': '<f8', 'fortran_order': True, 'shape': (5,), }\n", "<f8", true, []int{5}},
		{"{'descr': '<U12', 'fortran_order': False, 'shape': (), }", "<U12", false, []int{}},
		{`{"shape": (2,3,4), "descr": "<f8", "fortran_order": False}`, "<f8", false, []int{2, 3, 4}},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 4L)}", "<f8", false, []int{3, 4}},
	}
	for _, c := range good {
		h, err := parseDict(c.dict)
		if err != nil || h.descr != c.descr || h.fortran != c.fort || !slices.Equal(h.shape, c.shape) {
			t.Errorf("parseDict(%q) = %+v, %v, want {%s %v %v}", c.dict, h, err, c.descr, c.fort, c.shape)
		}
	}
	bad := []string{
		"",
		"{",
		"{}",
		"{'descr': '<f8', 'fortran_order': False}",
		"{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1,,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
		"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
		"{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x",
		"{'descr': '\\x3cf8', 'fortran_order': False, 'shape': (1,)}",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (" + strings.Repeat("1,", maxDims+1) + ")}",
	}
	for _, d := range bad {
		if h, err := parseDict(d); err == nil {
			t.Errorf("parseDict(%q) = %+v, want an error", d, h)
		}
	}
}

func TestUnicodeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "{}", `{"d":8}`, "μ₊ ⊥ μ₋ 🙂"} {
		b, n := encodeUnicode(s)
		got, err := readUnicode(bytes.NewReader(append(b, 0, 0, 0, 0)), n+1) // NumPy pads with NULs
		if err != nil || got != s {
			t.Errorf("readUnicode(encodeUnicode(%q)) = %q, %v", s, got, err)
		}
	}
	if _, err := readUnicode(bytes.NewReader([]byte{0, 0xd8, 0, 0}), 1); err == nil {
		t.Error("readUnicode accepted a UTF-16 surrogate")
	}
}
