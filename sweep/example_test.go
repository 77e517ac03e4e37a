package sweep_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"vitadv/sweep"
)

// A job of four cells whose metric is the square of its parameter, run in
// two shards side by side and merged: the merged file is byte for byte the
// file one unsharded run writes (rows sorted by cell).
func ExampleExecute() {
	dir, err := os.MkdirTemp("", "sweep-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	job := func() *sweep.Job {
		params := [][]string{{"1"}, {"2"}, {"3"}, {"4"}}
		return &sweep.Job{Name: "squares", Params: []string{"x"}, Metrics: []string{"x2"}, PerCell: 1,
			Cells: sweep.NewCells(7, params),
			Run: func(c sweep.Cell) ([][]string, error) {
				x, err := strconv.Atoi(c.Param[0])
				return [][]string{{strconv.Itoa(x * x)}}, err
			}}
	}
	out := filepath.Join(dir, "squares")
	var shards []string
	for i := 0; i < 2; i++ {
		sum, err := sweep.Execute(job(), sweep.Options{Out: out, Shard: sweep.Shard{I: i, N: 2}, Workers: 2})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("shard %d/2: %d cells computed, complete %v\n", i, sum.Computed, sum.Complete)
		shards = append(shards, sum.Path)
	}
	merged, err := sweep.Merge(job(), out, shards, "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := sweep.ReadTable(merged)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Header, t.Col("x2"))
	// Output:
	// shard 0/2: 2 cells computed, complete true
	// shard 1/2: 2 cells computed, complete true
	// [cell x x2] [1 4 9 16]
}

// A killed run loses no finished cell: rerunning the same job resumes
// from the file, computing only what is missing.
func ExampleExecute_resume() {
	dir, err := os.MkdirTemp("", "sweep-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	job := &sweep.Job{Name: "ids", Params: []string{"i"}, Metrics: []string{"seed_mod_10"}, PerCell: 1,
		Cells: sweep.NewCells(1, [][]string{{"0"}, {"1"}, {"2"}}),
		Run: func(c sweep.Cell) ([][]string, error) {
			return [][]string{{strconv.FormatUint(c.Seed%10, 10)}}, nil
		}}
	out := filepath.Join(dir, "ids")
	first, _ := sweep.Execute(job, sweep.Options{Out: out, MaxCells: 2}) // stops after 2 cells, as if killed
	second, err := sweep.Execute(job, sweep.Options{Out: out})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("first run: %d computed; second run: %d resumed, %d computed, complete %v\n",
		first.Computed, second.Resumed, second.Computed, second.Complete)
	// Output:
	// first run: 2 computed; second run: 2 resumed, 1 computed, complete true
}
