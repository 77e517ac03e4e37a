// Command hunt searches a statement of package theorems for counterexamples,
// possibly outside its stated hypotheses, and writes each shrunk
// counterexample as a self-contained, replayable instance file.
//
// Search. hunt does its own seeded search over the statement's integer grid
// axes (theorems.Statement.Axes), not rapid: point i is drawn uniformly from
// the axes with rand.NewPCG(seed, i), so a run is reproducible from -seed
// and -checks alone. A failing point is shrunk greedily, axis by axis,
// toward the simplest index (0 clipped to the axis range; the lower end for
// N and seeds), keeping each move only while the verdict still fails — the
// same integer-index shrinking rapid does, on the same grids.
//
// Relaxation. -relax draws from each axis's wider [RelaxLo, RelaxHi] range,
// and -const name=value (repeatable; names are the JSON names of
// theorems.Consts, e.g. cb, c1, c3) moves a constant, e.g. to search the
// "benign" claim below its N·SNR² ≥ Cb boundary: -const cb=1. Points outside
// the (relaxed) hypotheses return a *HypothesisError and count as "n/a".
//
// Output. Each counterexample is written to <out>/<ID>-<point>.json
// (statement, scale, point, constants, verdict, replay command), and
// <out>/SUMMARY.txt keeps one line per file. Replay with
//
//	go run ./cmd/hunt -replay results/hunt/<file>.json
//
// which re-evaluates the statement and fails unless the verdict still fails.
//
// Usage:
//
//	go run ./cmd/hunt -statement P4 -checks 200 [-relax] [-const cb=1] [-scale tiny|ci|mid|paper] [-out results/hunt]
//	go run ./cmd/hunt -list
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hunt:", err)
		os.Exit(1)
	}
}
