package report_test

import (
	"fmt"
	"os"
	"path/filepath"

	"vitadv/report"
	"vitadv/theorems"
)

// A hunt's run log: cmd/hunt -log appends one record per command, and the
// claims tables tally the records by the scale each records — here two
// runs of P8 at the tiny scale, one of them relaxed (outside the
// hypotheses, so not counted).
func ExampleLoadHunt() {
	dir, err := os.MkdirTemp("", "hunt-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	log := filepath.Join(dir, "batch.jsonl")
	for _, r := range []report.HuntRecord{
		{Command: "go run ./cmd/hunt -statement P8 -checks 200", Statement: "P8", Func: "MidpointFloor",
			Scale: theorems.Tiny(), Holds: 200, Replays: []string{}, Elapsed: "8s"},
		{Command: "go run ./cmd/hunt -statement P8 -checks 100 -relax", Statement: "P8", Func: "MidpointFloor",
			Scale: theorems.Tiny(), Relaxed: true, Holds: 48, NA: 52, Replays: []string{}, Elapsed: "3s"},
	} {
		if err := report.AppendHuntRecord(log, r); err != nil {
			fmt.Println(err)
			return
		}
	}
	h, err := report.LoadHunt(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := h.Tally("P8", "tiny")
	fmt.Printf("%d runs; P8 at tiny: %d holds, %d fail, %d n/a (counted runs only)\n", len(h.Runs), t.Holds, t.Fails, t.NA)
	fmt.Println("first run logged in", h.Runs[0].File)
	// Output:
	// 2 runs; P8 at tiny: 200 holds, 0 fail, 0 n/a (counted runs only)
	// first run logged in hunt/batch.txt
}
