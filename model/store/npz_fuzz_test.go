package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"vitadv/model/valid"
)

// FuzzLoadArrays feeds arbitrary bytes to LoadArrays (the general .npz
// loader) and LoadSet. Neither may panic; errors are *FormatError (or, for
// a set whose arrays decode, the *valid.Error of its configuration); an
// accepted array holds exactly as many values as its shape says, under a
// name SaveArrays would write.
func FuzzLoadArrays(f *testing.F) {
	good := savedBytes(f, func(p string) error { return SaveArrays(p, trajectory()) })
	f.Add(good)
	for _, k := range []int{0, 4, 30, len(good) / 2, len(good) - 22, len(good) - 1} {
		f.Add(good[:k])
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 0x40
	f.Add(flipped)
	f.Add(savedBytes(f, func(p string) error { return SaveSet(p, newSet(f)) }))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The loaders' own code path (withNPZ's reader over the bytes), in
		// memory: file I/O would make each execution a hundred times slower.
		var fe *FormatError
		arrays, err := loadArraysBytes(b)
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("LoadArrays: error %v (%T), want *FormatError", err, err)
		}
		if err == nil {
			for name, a := range arrays {
				if n, ok := count(a.Shape, 8); !ok || n != len(a.Data) {
					t.Fatalf("array %s: shape %v with %d values", name, a.Shape, len(a.Data))
				}
			}
			for name := range arrays {
				if !validName(name) {
					t.Fatalf("accepted array name %q, which SaveArrays would refuse", name)
				}
			}
		}
		var ve *valid.Error
		if _, err := loadSetBytes(b); err != nil && !errors.As(err, &fe) && !errors.As(err, &ve) {
			t.Fatalf("LoadSet: error %v (%T), want *FormatError or *valid.Error", err, err)
		}
	})
}

// loadArraysBytes is LoadArrays on an in-memory file.
func loadArraysBytes(b []byte) (map[string]Array, error) {
	r, err := newNPZReader("mem.npz", bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	out := map[string]Array{}
	for _, name := range r.names {
		a, err := r.f8(name)
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}

// TestLoadArraysBytesIsLoadArrays: the in-memory path the fuzz target uses
// agrees with LoadArrays on a good and a truncated file.
func TestLoadArraysBytesIsLoadArrays(t *testing.T) {
	good := savedBytes(t, func(p string) error { return SaveArrays(p, trajectory()) })
	for _, b := range [][]byte{good, good[:len(good)/2]} {
		path := filepath.Join(t.TempDir(), "a.npz")
		os.WriteFile(path, b, 0o644)
		a1, err1 := LoadArrays(path)
		a2, err2 := loadArraysBytes(b)
		if (err1 == nil) != (err2 == nil) || len(a1) != len(a2) {
			t.Errorf("LoadArrays = %d arrays, %v; in memory = %d arrays, %v", len(a1), err1, len(a2), err2)
		}
	}
}
