package store

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Array is one named array of an .npz file: float64 values in C
// (row-major) order.
type Array struct {
	Shape []int     // dimensions; empty (or nil) for a scalar
	Data  []float64 // len(Data) = Shape[0]·Shape[1]·…, 1 for a scalar
}

// entry is one array to write.
type entry struct {
	name  string
	descr string
	shape []int
	f8    []float64 // data when descr == dtypeF8
	raw   []byte    // data for any other dtype
}

// writeNPZ writes entries, in sorted name order, as "<name>.npy" members of
// a stored (uncompressed) zip archive, through WriteFileAtomic. Timestamps
// are left zero, so equal entries give equal bytes.
func writeNPZ(path string, entries []entry) error {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return WriteFileAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, e := range entries {
			ew, err := zw.CreateHeader(&zip.FileHeader{Name: e.name + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			if _, err := ew.Write(encodeHeader(e.descr, e.shape)); err != nil {
				return err
			}
			if e.descr == dtypeF8 {
				err = writeF8(ew, e.f8)
			} else {
				_, err = ew.Write(e.raw)
			}
			if err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

// validName reports whether name is a Python identifier in ASCII.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// SaveArrays writes arrays to path as an .npz file of '<f8' arrays in
// sorted name order (so equal maps give equal bytes), through
// WriteFileAtomic. Names must be Python identifiers. A bad name or a Shape
// whose product is not len(Data) is a *FormatError and nothing is written.
func SaveArrays(path string, arrays map[string]Array) error {
	entries := make([]entry, 0, len(arrays))
	for name, a := range arrays {
		if !validName(name) {
			return &FormatError{Path: path, Array: name, Reason: "name is not a Python identifier [A-Za-z_][A-Za-z0-9_]*"}
		}
		if n, ok := count(a.Shape, 8); !ok || n != len(a.Data) {
			return &FormatError{Path: path, Array: name, Reason: fmt.Sprintf("shape %s does not hold len(Data) = %d values", shapeString(a.Shape), len(a.Data))}
		}
		entries = append(entries, entry{name: name, descr: dtypeF8, shape: a.Shape, f8: a.Data})
	}
	return writeNPZ(path, entries)
}

// LoadArrays reads every array of the .npz file at path. Each must be
// '<f8'; Fortran-order arrays are returned in C order. Shape is never nil
// (a scalar has Shape []int{}).
func LoadArrays(path string) (map[string]Array, error) {
	var out map[string]Array
	err := withNPZ(path, func(r *npzReader) error {
		out = make(map[string]Array, len(r.names))
		for _, name := range r.names {
			a, err := r.f8(name)
			if err != nil {
				return err
			}
			out[name] = a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// npzReader gives checked access to the arrays of one .npz file.
type npzReader struct {
	path  string
	size  int64                // file size in bytes
	files map[string]*zip.File // by array name (".npy" stripped)
	names []string             // sorted array names
}

// withNPZ opens path, hands its arrays to use and closes it.
func withNPZ(path string, use func(*npzReader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := newNPZReader(path, f, st.Size())
	if err != nil {
		return err
	}
	return use(r)
}

// newNPZReader indexes the zip archive held by ra (size bytes); path only
// names the file in errors.
func newNPZReader(path string, ra io.ReaderAt, size int64) (*npzReader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &FormatError{Path: path, Reason: "not a readable zip archive", Err: err}
	}
	r := &npzReader{path: path, size: size, files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy") // NumPy writes "<name>.npy", some writers (gonum's npyio) "<name>"
		if !validName(name) {
			// Only names SaveArrays would write: a NUL, a slash or a dot in
			// a name would reach the caller's map keys unchecked.
			return nil, &FormatError{Path: path, Array: f.Name, Reason: "member name is not a Python identifier [A-Za-z_][A-Za-z0-9_]* (with an optional .npy)"}
		}
		if _, dup := r.files[name]; dup {
			return nil, &FormatError{Path: path, Array: name, Reason: "array stored twice"}
		}
		r.files[name] = f
		r.names = append(r.names, name)
	}
	slices.Sort(r.names)
	return r, nil
}

// errorf returns a *FormatError about array name.
func (r *npzReader) errorf(name string, err error, format string, args ...any) *FormatError {
	return &FormatError{Path: r.path, Array: name, Reason: fmt.Sprintf(format, args...), Err: err}
}

// open opens array name and reads its header.
func (r *npzReader) open(name string) (io.ReadCloser, npyHeader, error) {
	f, ok := r.files[name]
	if !ok {
		return nil, npyHeader{}, r.errorf(name, nil, "missing")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, npyHeader{}, r.errorf(name, err, "cannot open zip member %q", f.Name)
	}
	h, err := readHeader(rc)
	if err != nil {
		rc.Close()
		return nil, npyHeader{}, r.errorf(name, err, "bad .npy header")
	}
	return rc, h, nil
}

// f8 reads array name, which must be '<f8', into C order.
func (r *npzReader) f8(name string) (Array, error) {
	rc, h, err := r.open(name)
	if err != nil {
		return Array{}, err
	}
	defer rc.Close()
	if h.descr != dtypeF8 {
		return Array{}, r.errorf(name, nil, "dtype '%s', want '%s' (float64; convert with a.astype('<f8'))", h.descr, dtypeF8)
	}
	n, ok := count(h.shape, 8)
	if !ok {
		return Array{}, r.errorf(name, nil, "shape %s is too large", shapeString(h.shape))
	}
	data, err := readF8(rc, n, int64(n) <= r.size/8)
	if err != nil {
		return Array{}, r.errorf(name, err, "shape %s", shapeString(h.shape))
	}
	if err := expectEOF(rc); err != nil {
		return Array{}, r.errorf(name, err, "corrupted")
	}
	if h.fortran {
		data = fortranToC(data, h.shape)
	}
	return Array{Shape: h.shape, Data: data}, nil
}

// unicode reads array name, which must be a '<U' scalar (shape ()).
func (r *npzReader) unicode(name string) (string, error) {
	rc, h, err := r.open(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	n, ok := parseUnicodeDescr(h.descr)
	if !ok {
		return "", r.errorf(name, nil, "dtype '%s', want a unicode string '<U…'", h.descr)
	}
	if len(h.shape) != 0 {
		return "", r.errorf(name, nil, "shape %s, want () (a single string)", shapeString(h.shape))
	}
	s, err := readUnicode(rc, n)
	if err != nil {
		return "", r.errorf(name, err, "bad string")
	}
	if err := expectEOF(rc); err != nil {
		return "", r.errorf(name, err, "corrupted")
	}
	return s, nil
}

// only returns a *FormatError for the first array not in want.
func (r *npzReader) only(want ...string) error {
	for _, name := range r.names {
		if !slices.Contains(want, name) {
			return r.errorf(name, nil, "unexpected array (this file type holds only %s)", strings.Join(want, ", "))
		}
	}
	return nil
}
