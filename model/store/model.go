package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"vitadv/model/vit"
)

// Array names of a model file; the package comment gives their shapes.
const (
	nameWq   = "W_Q"
	nameWk   = "W_K"
	nameWv   = "W_V"
	nameWo   = "w_O"
	nameArch = "arch_json"
)

// SaveModel writes m to path as an .npz file (arrays W_Q, W_K, W_V, w_O,
// arch_json; see the package comment) through WriteFileAtomic. A model whose
// slices do not match its Arch is a *FormatError and nothing is written.
func SaveModel(path string, m *vit.Model) error {
	if err := checkModel(m); err != nil {
		err.Path = path
		return err
	}
	arch, err := json.Marshal(m.Arch)
	if err != nil {
		return err
	}
	text, n := encodeUnicode(string(arch))
	wq, wk := m.SplitQK()
	return writeNPZ(path, []entry{
		{name: nameWq, descr: dtypeF8, shape: []int{m.D, m.Dh}, f8: wq},
		{name: nameWk, descr: dtypeF8, shape: []int{m.D, m.Dh}, f8: wk},
		{name: nameWv, descr: dtypeF8, shape: []int{m.D, m.Dv}, f8: m.Wv},
		{name: nameWo, descr: dtypeF8, shape: []int{m.Dv}, f8: m.Wo},
		{name: nameArch, descr: unicodeDescr(n), shape: []int{}, raw: text},
	})
}

// checkModel returns a *FormatError (without Path) if m's slices do not
// have the lengths its Arch gives, or the Arch is invalid.
func checkModel(m *vit.Model) *FormatError {
	if err := m.Arch.Validate(); err != nil {
		return &FormatError{Array: nameArch, Reason: "invalid architecture", Err: err}
	}
	for _, c := range []struct {
		name string
		got  int
		want int
	}{
		{"WQK", len(m.WQK), 2 * m.D * m.Dh},
		{nameWv, len(m.Wv), m.D * m.Dv},
		{nameWo, len(m.Wo), m.Dv},
	} {
		if c.got != c.want {
			return &FormatError{Array: c.name, Reason: fmt.Sprintf("length %d, want %d for %+v", c.got, c.want, m.Arch)}
		}
	}
	return nil
}

// LoadModel reads a model written by SaveModel (or by NumPy in the same
// layout). Every array must be present with dtype '<f8' and no others; the
// shapes must agree with each other (W_Q and W_K (D, Dh), W_V (D, Dv), w_O
// (Dv,)) and with arch_json, which is decoded strictly and checked by
// vit.Arch.Validate. Any violation is a *FormatError.
func LoadModel(path string) (*vit.Model, error) {
	var m *vit.Model
	err := withNPZ(path, func(r *npzReader) (err error) {
		m, err = readModel(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// readModel decodes the model held by r.
func readModel(r *npzReader) (*vit.Model, error) {
	if err := r.only(nameWq, nameWk, nameWv, nameWo, nameArch); err != nil {
		return nil, err
	}
	arrays := map[string]Array{}
	for _, name := range []string{nameWq, nameWk, nameWv, nameWo} {
		a, err := r.f8(name)
		if err != nil {
			return nil, err
		}
		arrays[name] = a
	}
	wq, wk, wv, wo := arrays[nameWq], arrays[nameWk], arrays[nameWv], arrays[nameWo]
	shapeErr := func(name string, format string, args ...any) error {
		return r.errorf(name, nil, "shape %s: %s", shapeString(arrays[name].Shape), fmt.Sprintf(format, args...))
	}
	switch {
	case len(wq.Shape) != 2:
		return nil, shapeErr(nameWq, "want 2 dimensions (D, Dh)")
	case !slices.Equal(wk.Shape, wq.Shape):
		return nil, shapeErr(nameWk, "want W_Q's shape %s", shapeString(wq.Shape))
	case len(wv.Shape) != 2 || wv.Shape[0] != wq.Shape[0]:
		return nil, shapeErr(nameWv, "want (D, Dv) with D = %d rows as in W_Q", wq.Shape[0])
	case len(wo.Shape) != 1 || wo.Shape[0] != wv.Shape[1]:
		return nil, shapeErr(nameWo, "want (Dv,) with Dv = %d columns as in W_V", wv.Shape[1])
	}

	text, err := r.unicode(nameArch)
	if err != nil {
		return nil, err
	}
	var arch vit.Arch
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&arch); err != nil {
		return nil, r.errorf(nameArch, err, "bad JSON %q", truncate(text, 200))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, r.errorf(nameArch, nil, "trailing data after the JSON object %q", truncate(text, 200))
	}
	if err := arch.Validate(); err != nil {
		return nil, r.errorf(nameArch, err, "invalid architecture")
	}
	if arch.D != wq.Shape[0] || arch.Dh != wq.Shape[1] || arch.Dv != wv.Shape[1] {
		return nil, r.errorf(nameArch, nil, "d=%d d_h=%d d_v=%d disagree with W_Q %s and W_V %s",
			arch.D, arch.Dh, arch.Dv, shapeString(wq.Shape), shapeString(wv.Shape))
	}

	m, err := vit.New(arch)
	if err != nil { // unreachable: arch was validated above
		return nil, r.errorf(nameArch, err, "invalid architecture")
	}
	m.JoinQK(wq.Data, wk.Data)
	copy(m.Wv, wv.Data)
	copy(m.Wo, wo.Data)
	return m, nil
}
