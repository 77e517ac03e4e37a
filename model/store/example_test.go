package store_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

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
