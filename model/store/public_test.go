package store_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"vitadv/model/data"
	"vitadv/model/store"
	"vitadv/model/vit"
)

// TestModelFileFromOutside: a trained-looking model saved and loaded gives
// the same outputs bit for bit on fresh inputs; the same file cut short at
// every 97th byte is a *store.FormatError (never a panic, never a model);
// a missing file is an error wrapping fs.ErrNotExist. Negative control: a
// model with one weight moved by one ulp gives other outputs, so the
// comparison can fail.
func TestModelFileFromOutside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.npz")
	m, err := vit.NewInit(vit.Arch{D: 12, Dh: 3, Dv: 5, ScaleScores: true}, vit.Init{Law: vit.Gaussian, Shrink: 0.5}, 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	back, err := store.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	_, test, err := data.Draw(data.Config{D: 12, M: 4, N: 2, NTest: 16, MuNorm: 2, Sigma2: 1, SigmaW: 0.5}, 9)
	if err != nil {
		t.Fatal(err)
	}
	out := func(m *vit.Model) []float64 {
		return slices.Clone(m.Forward(vit.NewWorkspace(m.Arch, test.M, test.N), test.X, test.N))
	}
	want := out(m)
	if got := out(back); !slices.Equal(got, want) {
		t.Errorf("loaded model's outputs %v, saved model's %v", got, want)
	}
	if back.Arch != m.Arch {
		t.Errorf("loaded arch %+v, saved %+v", back.Arch, m.Arch)
	}
	moved := m.Clone()
	moved.Wv[3] = math.Nextafter(moved.Wv[3], math.Inf(1))
	if slices.Equal(out(moved), want) {
		t.Error("negative control: a weight moved by one ulp left every output unchanged")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.npz")
	for n := 0; n < len(raw); n += 97 {
		if err := os.WriteFile(cut, raw[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := store.LoadModel(cut)
		var fe *store.FormatError
		if got != nil || !errors.As(err, &fe) {
			t.Fatalf("file cut at byte %d of %d: model %v, err %v; want a *store.FormatError", n, len(raw), got != nil, err)
		}
	}
	if _, err := store.LoadModel(filepath.Join(dir, "absent.npz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want an error wrapping os.ErrNotExist", err)
	}
}
