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
// Budgets. -time bounds the search: no check or shrink candidate starts
// after it (one under way finishes). -check-time D (default 0: none)
// bounds each check and each shrink candidate: at D its trainings stop
// before their next update and no new training or robust evaluation starts
// (theorems.Lab.SetDeadline; an evaluation already running finishes, so a
// check may overrun D by one robust evaluation). An abandoned check counts
// as "timed out" — never a hold, never a fail — and an abandoned shrink
// candidate as not failing (the shrinker keeps the last confirmed
// failure). Trainings cut short are not memoized: a later check retrains
// them in full. Progress goes to stderr: every 10 s the check under way,
// its time against its budget, the tallies so far and an ETA (mean time
// per finished check times the checks left, capped by -time).
//
// Output. The tally goes to stdout in this fixed format (the batch logs
// results/hunt/*.txt are these lines under "$ go run ./cmd/hunt …" lines,
// for people to read):
//
//	<ID> <Func>: <h> holds, <u> undecided, <t> timed out, <n> n/a (outside hypotheses), <f> fail; <c> shrunk counterexamples; <elapsed>
//	  go run ./cmd/hunt -replay <file>     (one line per shrunk counterexample)
//	# machine: <CPU>, <cores> cores (GOMAXPROCS <n>), <os/arch>, <go version>, <kernels>; wall <duration>
//
// When some checks fell outside the statement's hypotheses as its scope
// evaluates them at each point (theorems.HuntScope: for Thm 4.2(i), (ii),
// P7 and P12 the training conditions with THEORY §4.1's step size, whose
// constant -ceta-theory sets; issue 17), a second line gives that part of
// the tally and the violated conditions, each at its worst point
// (report.FormatOutside; indented by two spaces in the output):
//
//	outside the hypotheses: <h> holds, <u> undecided, <t> timed out, <f> fail; <c> shrunk counterexamples; violated: <condition> [TAG]: <value> > <limit> (×<factor>)
//
// Those checks are findings about practice, never refutations: the tables
// print them as outside the hypotheses. A failure found outside is shrunk
// only through points outside (one found inside, only through points
// inside), and its file lists the violated conditions ("outside").
// -label-scope DIR labels logs and files written before the scopes were
// evaluated (exact, or it refuses; see labelDir).
//
// h + u + t + n + f is the number of checks evaluated. Logs written before
// the "timed out" column (or before "undecided") lack those fields and the
// machine line. Replay prints the verdict, "reproduced: …" and the same
// machine line.
//
// With -log FILE the run also appends one JSON line to FILE
// (report.HuntRecord: the command without -out and -log, the scale's
// sizes, the relaxation and -const overrides, the tally, the
// counterexample files, the wall time). The batches write
// results/hunt/<batch>.jsonl beside <batch>.txt, and the claims tables
// read those (report.LoadHunt), never the text. -convert DIR converts the
// text logs of DIR written before -log existed (report.ConvertHuntDir).
//
// Each counterexample is written to <out>/<ID>-<point>.json (-out defaults
// to the git-ignored scratch directory results/tmp/hunt; the batches of
// results/hunt pass -out results/hunt): statement, scale, point,
// constants, verdict, replay command, the machine and the wall time of the
// check at the point; and <out>/SUMMARY.txt keeps one
// line per file. Replay with
//
//	go run ./cmd/hunt -replay results/hunt/<file>.json
//
// which re-evaluates the statement and fails unless the verdict still fails.
//
// Usage:
//
//	go run ./cmd/hunt -statement P4 -checks 200 [-relax] [-const cb=1] [-scale tiny|ci|mid|paper] [-time 5m] [-check-time 0] [-out results/tmp/hunt]
//	go run ./cmd/hunt -convert results/hunt
//	go run ./cmd/hunt -label-scope results/hunt
//	go run ./cmd/hunt -list
package main

import (
	"fmt"
	"os"

	"vitadv/internal/modroot"
)

func main() {
	// The default paths (results/...) are relative to the module root:
	// refuse to start elsewhere rather than create a stray results/ tree.
	err := modroot.Require(".")
	if err == nil {
		err = run(os.Stdout, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hunt:", err)
		os.Exit(1)
	}
}
