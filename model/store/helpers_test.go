package store

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"vitadv/model/data"
	"vitadv/model/vit"
)

// testArch is small enough that every byte of a model file can be
// corrupted in turn (the file is under 2 KiB), with Dh ≠ Dv so that
// swapped dimensions are caught.
var testArch = vit.Arch{D: 8, Dh: 4, Dv: 3}

// testConfig is the small data configuration of the task brief.
var testConfig = data.Config{D: 8, M: 3, N: 4, NTest: 2, MuNorm: 1, Sigma2: 1, SigmaW: 0.1}

func newModel(t testing.TB) *vit.Model {
	t.Helper()
	m, err := vit.NewInit(testArch, vit.DefaultInit(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newSet(t testing.TB) *data.Set {
	t.Helper()
	train, _, err := data.Draw(testConfig, 1)
	if err != nil {
		t.Fatal(err)
	}
	return train
}

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func sameModel(a, b *vit.Model) bool {
	return a.Arch == b.Arch && sameBits(a.WQK, b.WQK) && sameBits(a.Wv, b.Wv) && sameBits(a.Wo, b.Wo)
}

func sameSet(a, b *data.Set) bool {
	return a.N == b.N && a.M == b.M && a.D == b.D && sameBits(a.X, b.X) && sameBits(a.Y, b.Y) && sameBits(a.Clean, b.Clean) &&
		sameBits([]float64{a.Mu}, []float64{b.Mu})
}

// tempPath returns a path in a fresh temporary directory.
func tempPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

// readBytes returns the contents of path.
func readBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantFormatError fails unless err is a *FormatError for array (any array
// if array is "-") and returns it.
func wantFormatError(t testing.TB, err error, array string) *FormatError {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want *FormatError", err, err)
	}
	if array != "-" && fe.Array != array {
		t.Fatalf("FormatError.Array = %q, want %q (error: %v)", fe.Array, array, err)
	}
	return fe
}
