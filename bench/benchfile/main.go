// Command benchfile writes the header of a `make bench` result file and
// names the committed baseline that a result file is compared with, so
// that `make bench benchcmp` compares like with like:
//
//	benchfile header -command CMD -commit REV   comment lines for the top of a result file
//	benchfile loadavg                           one comment line with the load average now
//	benchfile baseline -dir DIR FILE            DIR/baseline-<cpu>-<path>.txt for FILE's
//	                                            cpu: and linalg: lines
//	benchfile find -dir DIR FILE                the same, and an error naming the existing
//	                                            baselines if that file is missing
//
// Header lines start with "# ": benchstat ignores them, so the commit, the
// load average and the command never become configuration keys that differ
// between two runs (which made benchstat print two tables without a delta
// column). The configuration left is what go test prints (goos, goarch, pkg,
// cpu) and the kernel path (linalg:), which name the CPU class. Results and
// how to read them: results/bench/README.md.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchfile:", err)
		os.Exit(1)
	}
}
