package store

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"vitadv/model/data"
	"vitadv/model/vit"
)

// loadModelBytes is LoadModel on a file held in memory: the same reader
// and checks, without the disk.
func loadModelBytes(b []byte) (*vit.Model, error) {
	r, err := newNPZReader("mem.npz", bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	return readModel(r)
}

// loadSetBytes is LoadSet on a file held in memory.
func loadSetBytes(b []byte) (*data.Set, error) {
	r, err := newNPZReader("mem.npz", bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	return readSet(r)
}

// savedBytes returns the bytes save writes.
func savedBytes(t testing.TB, save func(path string) error) []byte {
	t.Helper()
	path := tempPath(t, "f.npz")
	if err := save(path); err != nil {
		t.Fatal(err)
	}
	return readBytes(t, path)
}

// payloadRanges returns the byte ranges [lo, hi) of the member data (the
// .npy headers and values) in the zip file b.
func payloadRanges(t *testing.T, b []byte) [][2]int64 {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var rs [][2]int64
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, [2]int64{off, off + int64(f.CompressedSize64)})
	}
	return rs
}

func inRanges(i int, rs [][2]int64) bool {
	for _, r := range rs {
		if int64(i) >= r[0] && int64(i) < r[1] {
			return true
		}
	}
	return false
}

// corruptionCase loads a file from bytes and tells whether the result is
// bit-identical to what was saved.
type corruptionCase struct {
	name string
	save func(path string) error
	load func(b []byte) (same bool, err error)
}

func corruptionCases(t *testing.T) []corruptionCase {
	m := newModel(t)
	s := newSet(t)
	return []corruptionCase{
		{"model", func(p string) error { return SaveModel(p, m) }, func(b []byte) (bool, error) {
			got, err := loadModelBytes(b)
			return err == nil && sameModel(got, m), err
		}},
		{"set", func(p string) error { return SaveSet(p, s) }, func(b []byte) (bool, error) {
			got, err := loadSetBytes(b)
			return err == nil && sameSet(got, s), err
		}},
	}
}

// TestTruncated: every proper prefix of a valid file is rejected with a
// *FormatError (no panic, no partial result).
func TestTruncated(t *testing.T) {
	for _, c := range corruptionCases(t) {
		t.Run(c.name, func(t *testing.T) {
			b := savedBytes(t, c.save)
			if same, err := c.load(b); !same {
				t.Fatalf("premise: the intact file does not load back (%v)", err)
			}
			for k := 0; k < len(b); k++ {
				_, err := c.load(b[:k])
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("load(file[:%d] of %d bytes) = %v, want *FormatError", k, len(b), err)
				}
			}
		})
	}
}

// TestTruncatedOnDisk: the same through LoadModel and LoadSet on real
// files, at a few cut points.
func TestTruncatedOnDisk(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		save func(string) error
		load func(string) error
	}{
		{"model", func(p string) error { return SaveModel(p, newModel(t)) }, func(p string) error { _, err := LoadModel(p); return err }},
		{"set", func(p string) error { return SaveSet(p, newSet(t)) }, func(p string) error { _, err := LoadSet(p); return err }},
		{"arrays", func(p string) error { return SaveArrays(p, trajectory()) }, func(p string) error { _, err := LoadArrays(p); return err }},
	} {
		b := savedBytes(t, c.save)
		for _, k := range []int{0, 1, 22, len(b) / 3, len(b) / 2, len(b) - 22, len(b) - 1} {
			path := filepath.Join(dir, c.name+".npz")
			if err := os.WriteFile(path, b[:k], 0o644); err != nil {
				t.Fatal(err)
			}
			wantFormatError(t, c.load(path), "-")
		}
	}
}

// TestFlipped flips each byte of a valid file in turn (three masks). The
// loader must return a *FormatError or exactly the saved value: a flip in
// zip metadata that the format does not protect (a timestamp, say) may go
// unnoticed, but it cannot change a value. A flip inside a member's data
// (its .npy header or values) must always be caught: the member's CRC-32
// detects every burst error of up to 32 bits.
func TestFlipped(t *testing.T) {
	for _, c := range corruptionCases(t) {
		t.Run(c.name, func(t *testing.T) {
			b := savedBytes(t, c.save)
			payload := payloadRanges(t, b)
			buf := make([]byte, len(b))
			harmless := 0
			for i := range b {
				for _, mask := range []byte{0x01, 0x80, 0xff} {
					copy(buf, b)
					buf[i] ^= mask
					same, err := c.load(buf)
					if err == nil {
						if !same {
							t.Fatalf("byte %d ^ %#x: loaded without error but differs from the saved value", i, mask)
						}
						if inRanges(i, payload) {
							t.Fatalf("byte %d ^ %#x lies in member data but was not detected", i, mask)
						}
						harmless++
						continue
					}
					var fe *FormatError
					if !errors.As(err, &fe) {
						t.Fatalf("byte %d ^ %#x: error %v (%T), want *FormatError", i, mask, err, err)
					}
				}
			}
			// Premise: the loop did corrupt something that matters.
			if harmless == 3*len(b) {
				t.Fatal("no flip was detected")
			}
		})
	}
}

// FuzzLoadModel feeds arbitrary bytes to the model loader. It must never
// panic; an error must be a *FormatError; and a model it accepts must be
// well formed and survive SaveModel and LoadModel bit for bit.
func FuzzLoadModel(f *testing.F) {
	good := savedBytes(f, func(p string) error { return SaveModel(p, newModel(f)) })
	f.Add(good)
	for _, k := range []int{0, 10, len(good) / 2, len(good) - 1} {
		f.Add(good[:k])
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0xff
	f.Add(flipped)
	f.Add(savedBytes(f, func(p string) error { return SaveSet(p, newSet(f)) }))
	f.Add(savedBytes(f, func(p string) error { return SaveArrays(p, trajectory()) }))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := loadModelBytes(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want *FormatError", err, err)
			}
			return
		}
		if fe := checkModel(m); fe != nil {
			t.Fatalf("accepted a malformed model: %v", fe)
		}
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
		again, err := LoadModel(path)
		if err != nil || !sameModel(again, m) {
			t.Fatalf("accepted model does not survive a round trip: %v", err)
		}
	})
}

// FuzzReadNPY feeds arbitrary bytes to the .npy reader as the content of a
// zip member with a correct CRC, which FuzzLoadModel's mutations rarely
// produce. It must never panic; an accepted '<f8' array must hold exactly
// as many values as its shape says.
func FuzzReadNPY(f *testing.F) {
	var seed bytes.Buffer
	seed.Write(encodeHeader(dtypeF8, []int{2, 3}))
	writeF8(&seed, []float64{1, 2, 3, 4, 5, 6})
	f.Add(seed.Bytes())
	f.Add(bytes.Replace(seed.Bytes(), []byte("False"), []byte("True "), 1))
	text, n := encodeUnicode(`{"d":8}`)
	f.Add(append(encodeHeader(unicodeDescr(n), []int{}), text...))
	f.Add(append(encodeHeader(dtypeF8, []int{1 << 40}), 0, 0, 0, 0, 0, 0, 0, 0))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, member []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "a.npy", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(member)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := newNPZReader("mem.npz", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.f8("a")
		var fe *FormatError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("f8: error %v (%T), want *FormatError", err, err)
		}
		if err == nil {
			if n, ok := count(a.Shape, 8); !ok || n != len(a.Data) {
				t.Fatalf("f8: shape %v with %d values", a.Shape, len(a.Data))
			}
		}
		if _, err := r.unicode("a"); err != nil && !errors.As(err, &fe) {
			t.Fatalf("unicode: error %v (%T), want *FormatError", err, err)
		}
	})
}

// TestFlippedValueIsChecksumError: a flipped bit in a stored value is
// reported as the member's CRC mismatch, reachable with errors.Is through
// the *FormatError naming the array.
func TestFlippedValueIsChecksumError(t *testing.T) {
	m := newModel(t)
	b := savedBytes(t, func(p string) error { return SaveModel(p, m) })
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "W_V.npy" {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		// The last byte of the member: the sign and exponent of W_V's last entry.
		i := off + int64(f.CompressedSize64) - 1
		bad := bytes.Clone(b)
		bad[i] ^= 0x01
		_, err = loadModelBytes(bad)
		wantFormatError(t, err, nameWv)
		if !errors.Is(err, zip.ErrChecksum) {
			t.Errorf("load with byte %d flipped = %v, want zip.ErrChecksum inside", i, err)
		}
		return
	}
	t.Fatal("premise: no member W_V.npy")
}
