// Package golden pins computed values to a readable text file under a test
// package's testdata/, one named value per line, so that a change in the
// bits of a result fails the test and says which value moved.
//
// A golden file holds lines "key value": the key names the instance
// ("shape=1 set=frobenius tau=0.5 i=3 margin"), the value is a float64 in
// its shortest round-trip form (strconv 'g', −1: parsing it back gives the
// same bits, so the comparison is exact) or a short text. Vectors too long
// to read element by element are pinned by their Euclidean norm (readable)
// and a 64-bit FNV-1a hash of their bits (exact), one line each per vector,
// so a failure still names the vector that moved.
//
// The files are written from the code as it is, never by hand:
//
//	go test ./model/certify -run Golden -update
//
// rewrites them (through a temporary file and a rename). Without -update,
// Check compares and, on a difference, fails with a line diff.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update is the -update flag of every test binary that imports this
// package (a test-only package: nothing outside _test.go files imports
// it). It is registered once here so that each package does not declare
// its own.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the values computed now")

// Values accumulates the lines of a golden file in order.
type Values struct {
	lines []string
}

// Float appends "key x", x in its shortest round-trip form.
func (v *Values) Float(key string, x float64) {
	v.lines = append(v.lines, key+" "+FormatFloat(x))
}

// Text appends "key s".
func (v *Values) Text(key, s string) {
	v.lines = append(v.lines, key+" "+s)
}

// Vector appends x: one line "key[j] x_j" per element when len(x) ≤ short,
// otherwise two lines, "key ‖·‖₂ n" with the Euclidean norm (summed in
// order, so reproducible) and "key bits" with len(x) and the FNV-1a hash of
// the little-endian bits of every element.
func (v *Values) Vector(key string, x []float64, short int) {
	if len(x) <= short {
		for j, e := range x {
			v.Float(fmt.Sprintf("%s[%d]", key, j), e)
		}
		return
	}
	s := 0.0
	for _, e := range x {
		s += float64(e * e) // rounded: no fused multiply-add (.ci/nofuse)
	}
	v.Float(key+" ‖·‖₂", math.Sqrt(s))
	v.Text(key+" bits", fmt.Sprintf("n=%d,fnv64a=%016x", len(x), Hash(x)))
}

// Len returns the number of lines.
func (v *Values) Len() int { return len(v.lines) }

// Bytes returns the file contents: the lines, each ended by a newline.
func (v *Values) Bytes() []byte {
	return []byte(strings.Join(v.lines, "\n") + "\n")
}

// FormatFloat is the shortest decimal that parses back to the bits of x
// (NaN, +Inf, −Inf as strconv writes them).
func FormatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Hash is the 64-bit FNV-1a hash of the little-endian bits of x.
func Hash(x []float64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, e := range x {
		u := math.Float64bits(e)
		for k := range b {
			b[k] = byte(u >> (8 * k))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// Path is the golden file of name: testdata/<name>.golden, relative to the
// test's package directory (the working directory of go test).
func Path(name string) string { return filepath.Join("testdata", name+".golden") }

// Check compares got with the golden file of name. With -update it writes
// got there instead (and logs that it did). A missing file or a difference
// fails t with the differing lines.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := Path(name)
	if *update {
		if err := write(path, got); err != nil {
			t.Fatalf("golden: %v", err)
		}
		t.Logf("golden: wrote %s (%d lines)", path, bytes.Count(got, []byte("\n")))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run go test with -update to create it from the current code)", err)
	}
	if d := Diff(got, want, 20); d != "" {
		t.Errorf("golden: the computed values differ from %s (rerun with -update only if the change is intended):\n%s", path, d)
	}
}

// Diff describes the lines where got and want differ, at most max of them,
// each as "line n: key: got X, want Y" when both lines have the same key
// (else both lines in full), followed by the number of differing lines and
// any difference in length. It returns "" when they are equal.
func Diff(got, want []byte, max int) string {
	if bytes.Equal(got, want) {
		return ""
	}
	g := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	w := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] == w[i] {
			continue
		}
		n++
		if n > max {
			continue
		}
		gk, gv := cut(g[i])
		wk, wv := cut(w[i])
		if gk == wk {
			fmt.Fprintf(&b, "line %d: %s: got %s, want %s\n", i+1, gk, gv, wv)
		} else {
			fmt.Fprintf(&b, "line %d: got %q, want %q\n", i+1, g[i], w[i])
		}
	}
	if n > max {
		fmt.Fprintf(&b, "… %d more\n", n-max)
	}
	fmt.Fprintf(&b, "%d of %d lines differ", n, min(len(g), len(w)))
	if len(g) != len(w) {
		fmt.Fprintf(&b, "; got %d lines, want %d", len(g), len(w))
	}
	return b.String()
}

// cut splits a line at its last space into key and value.
func cut(line string) (key, value string) {
	i := strings.LastIndexByte(line, ' ')
	if i < 0 {
		return "", line
	}
	return line[:i], line[i+1:]
}

// write puts data at path through a temporary file beside it and a rename,
// so that an interrupted update leaves the old file or the new one.
func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
