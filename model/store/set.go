package store

import (
	"fmt"
	"math"

	"vitadv/model/data"
)

// Array names of a data-set file; the package comment gives their shapes.
const (
	nameX      = "X"
	nameY      = "y"
	nameYClean = "y_clean"
	// nameMu is the optional 0-d array holding ‖μ‖ (data.Set.Mu), written
	// when the set knows it. Files without it (written before it was
	// stored, or by hand) load with Mu = 0.
	nameMu = "mu_norm"
)

// Minimum sizes of a stored set: data.Config's rules for D and M (the
// signals use coordinates 1 and 2; token 1 is the signal, token 2 the
// strong noise). N ≥ 1 and need not be even: a stored set may be a subset.
const (
	minSetN = 1
	minSetM = 2
	minSetD = 2
)

// SaveSet writes s to path as an .npz file (arrays X, y, y_clean, and
// mu_norm, a 0-d '<f8' array holding ‖μ‖, when s.Mu > 0; see the package
// comment) through WriteFileAtomic. A set that LoadSet would reject
// (lengths that disagree with N, M, D; non-finite inputs; labels other than
// ±1; Mu negative or not finite) is a *FormatError and nothing is written.
func SaveSet(path string, s *data.Set) error {
	shape := []int{s.N, s.M, s.D}
	for _, c := range []struct {
		name string
		got  int
		want int
	}{
		{nameX, len(s.X), s.N * s.M * s.D},
		{nameY, len(s.Y), s.N},
		{nameYClean, len(s.Clean), s.N},
	} {
		if c.got != c.want {
			return &FormatError{Path: path, Array: c.name, Reason: fmt.Sprintf("length %d, want %d for N=%d M=%d D=%d", c.got, c.want, s.N, s.M, s.D)}
		}
	}
	if err := checkSet(s); err != nil {
		err.Path = path
		return err
	}
	entries := []entry{
		{name: nameX, descr: dtypeF8, shape: shape, f8: s.X},
		{name: nameY, descr: dtypeF8, shape: []int{s.N}, f8: s.Y},
		{name: nameYClean, descr: dtypeF8, shape: []int{s.N}, f8: s.Clean},
	}
	if s.Mu > 0 {
		entries = append(entries, entry{name: nameMu, descr: dtypeF8, shape: []int{}, f8: []float64{s.Mu}})
	}
	return writeNPZ(path, entries)
}

// checkSet applies the data rules to a set whose lengths agree with N, M,
// D: the minimum sizes above, finite X, labels ±1, Mu finite and ≥ 0 (0:
// unknown). Path is left empty.
func checkSet(s *data.Set) *FormatError {
	if !(s.Mu >= 0) || math.IsInf(s.Mu, 0) {
		return &FormatError{Array: nameMu, Reason: fmt.Sprintf("%s = %v, want a finite ‖μ‖ > 0 (or no %s array)", nameMu, s.Mu, nameMu)}
	}
	if s.N < minSetN || s.M < minSetM || s.D < minSetD {
		return &FormatError{Array: nameX, Reason: fmt.Sprintf("shape (N, M, D) = %s, want N ≥ %d, M ≥ %d, D ≥ %d",
			shapeString([]int{s.N, s.M, s.D}), minSetN, minSetM, minSetD)}
	}
	for i, v := range s.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			n, l, k := i/(s.M*s.D), i/s.D%s.M, i%s.D
			return &FormatError{Array: nameX, Reason: fmt.Sprintf("X[%d, %d, %d] = %v is not finite", n, l, k, v)}
		}
	}
	for _, c := range []struct {
		name string
		y    []float64
	}{{nameY, s.Y}, {nameYClean, s.Clean}} {
		for i, v := range c.y {
			if v != 1 && v != -1 {
				return &FormatError{Array: c.name, Reason: fmt.Sprintf("%s[%d] = %v, want ±1", c.name, i, v)}
			}
		}
	}
	return nil
}

// LoadSet reads a data set written by SaveSet (or by NumPy in the same
// layout): X (N, M, D), y (N,) and y_clean (N,), all '<f8', optionally
// mu_norm (a 0-d '<f8', ‖μ‖ > 0, into Set.Mu; Mu = 0 without it), and no
// other arrays. Shapes that disagree, sizes below N ≥ 1, M ≥ 2, D ≥ 2,
// non-finite inputs, labels other than ±1 or a mu_norm that is not a finite
// positive scalar are a *FormatError.
func LoadSet(path string) (*data.Set, error) {
	var s *data.Set
	err := withNPZ(path, func(r *npzReader) (err error) {
		s, err = readSet(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// readSet decodes the set held by r.
func readSet(r *npzReader) (*data.Set, error) {
	if err := r.only(nameX, nameY, nameYClean, nameMu); err != nil {
		return nil, err
	}
	x, err := r.f8(nameX)
	if err != nil {
		return nil, err
	}
	if len(x.Shape) != 3 {
		return nil, r.errorf(nameX, nil, "shape %s, want 3 dimensions (N, M, D)", shapeString(x.Shape))
	}
	s := &data.Set{N: x.Shape[0], M: x.Shape[1], D: x.Shape[2], X: x.Data}
	for _, c := range []struct {
		name string
		dst  *[]float64
	}{{nameY, &s.Y}, {nameYClean, &s.Clean}} {
		a, err := r.f8(c.name)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 1 || a.Shape[0] != s.N {
			return nil, r.errorf(c.name, nil, "shape %s, want (%d,): N = %d samples as in X %s",
				shapeString(a.Shape), s.N, s.N, shapeString(x.Shape))
		}
		*c.dst = a.Data
	}
	if _, ok := r.files[nameMu]; ok {
		a, err := r.f8(nameMu)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 0 || !(a.Data[0] > 0) || math.IsInf(a.Data[0], 0) {
			return nil, r.errorf(nameMu, nil, "shape %s, value %v: want a 0-d array holding a finite ‖μ‖ > 0", shapeString(a.Shape), a.Data)
		}
		s.Mu = a.Data[0]
	}
	if err := checkSet(s); err != nil {
		err.Path = r.path
		return nil, err
	}
	return s, nil
}
