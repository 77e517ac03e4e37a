package store_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"

	"vitadv/model/data"
	"vitadv/model/store"
	"vitadv/model/vit"
)

// tempDir returns a fresh directory for an example's files.
func tempDir() string {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

func ExampleSaveModel() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.npz")

	m, err := vit.NewInit(vit.Arch{D: 16, Dh: 4, Dv: 2}, vit.DefaultInit(), 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.SaveModel(path, m); err != nil {
		log.Fatal(err)
	}
	back, err := store.LoadModel(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", back.Arch)
	fmt.Println("weights equal:", slices.Equal(back.WQK, m.WQK) && slices.Equal(back.Wv, m.Wv) && slices.Equal(back.Wo, m.Wo))

	// A model file is not a file of '<f8' arrays only: arch_json is a string.
	_, err = store.LoadArrays(path)
	var fe *store.FormatError
	if errors.As(err, &fe) {
		fmt.Printf("LoadArrays: array %s: %s\n", fe.Array, fe.Reason)
	}
	// Output:
	// {D:16 Dh:4 Dv:2 ScaleScores:false TrainWo:false}
	// weights equal: true
	// LoadArrays: array arch_json: dtype '<U62', want '<f8' (float64; convert with a.astype('<f8'))
}

func ExampleSaveArrays() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "trajectory.npz")

	// One column per logged quantity, one row per step.
	traj := map[string]store.Array{
		"step": {Shape: []int{3}, Data: []float64{0, 10, 20}},
		"loss": {Shape: []int{3}, Data: []float64{0.693147, 0.412, 0.108}},
		"attn": {Shape: []int{3, 2}, Data: []float64{0.5, 0.5, 0.7, 0.3, 0.9, 0.1}}, // a_1, a_2
	}
	if err := store.SaveArrays(path, traj); err != nil {
		log.Fatal(err)
	}
	back, err := store.LoadArrays(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"attn", "loss", "step"} {
		fmt.Println(name, back[name].Shape, back[name].Data)
	}
	// Output:
	// attn [3 2] [0.5 0.5 0.7 0.3 0.9 0.1]
	// loss [3] [0.693147 0.412 0.108]
	// step [3] [0 10 20]
}

// A drawn data set survives a round trip through an .npz file bit for bit,
// ‖μ‖ included (so its signals can be rebuilt); NumPy reads the same file
// with np.load.
func ExampleSaveSet() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "test.npz")
	_, test, err := data.Draw(data.Config{D: 8, M: 3, N: 2, NTest: 10, MuNorm: 2, Sigma2: 1, SigmaW: 0.1}, 4)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.SaveSet(path, test); err != nil {
		log.Fatal(err)
	}
	back, err := store.LoadSet(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("N=%d M=%d D=%d ‖μ‖=%g\n", back.N, back.M, back.D, back.Mu)
	fmt.Println("inputs and labels equal:", slices.Equal(back.X, test.X) && slices.Equal(back.Y, test.Y))
	// Output:
	// N=10 M=3 D=8 ‖μ‖=2
	// inputs and labels equal: true
}

// Configurations go to JSON through the same atomic write; LoadJSON is
// strict: an unknown field is a *FormatError naming it (a typo never
// silently falls back to a default), and a value the type's Validate
// rejects is its *valid.Error.
func ExampleLoadJSON() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.json")
	if err := store.SaveJSON(path, data.Config{D: 64, M: 4, N: 20, NTest: 100, SNR2: 0.5, Sigma2: 1, SigmaW: 0.1}); err != nil {
		log.Fatal(err)
	}
	var c data.Config
	fmt.Println(store.LoadJSON(path, &c), c.D, c.SNR2)

	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`{"d": 64, "m": 4, "n": 20, "n_test": 100, "snr_2": 0.5}`), 0o644); err != nil {
		log.Fatal(err)
	}
	err := store.LoadJSON(typo, &c)
	var fe *store.FormatError
	if errors.As(err, &fe) {
		fmt.Printf("%s: field %q: %s\n", filepath.Base(fe.Path), fe.Field, fe.Reason)
	}
	// Output:
	// <nil> 64 0.5
	// typo.json: field "snr_2": unknown field
}

// WriteFileAtomic replaces a file only when the whole write succeeded: a
// writer that fails half-way leaves the old contents, and no temporary file.
func ExampleWriteFileAtomic() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "results.csv")
	write := func(rows ...string) func(io.Writer) error {
		return func(w io.Writer) error {
			for _, r := range rows {
				if r == "FAIL" {
					return errors.New("interrupted")
				}
				if _, err := fmt.Fprintln(w, r); err != nil {
					return err
				}
			}
			return nil
		}
	}
	fmt.Println(store.WriteFileAtomic(path, write("tau,err", "0.1,0.02")))
	fmt.Println(store.WriteFileAtomic(path, write("tau,err", "FAIL")))
	b, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	fmt.Printf("%q, %d file(s) in the directory\n", b, len(entries))
	// Output:
	// <nil>
	// interrupted
	// "tau,err\n0.1,0.02\n", 1 file(s) in the directory
}
