// Command calibrate estimates, from simulations, the constants the recovered
// theorems leave unknown (docs/THEORY.md §5), each with a 95% interval and the
// command that produced it:
//
//   - C_b, the N·SNR₂² at which clean GD turns from harmful to benign: a
//     logistic fit of the outcome (test logistic loss < 0.2, Jiang et al.
//     Fig. 1) on ln(N·SNR₂²) over a grid of (N, c) cells × seeds, c* =
//     exp(−a/b); 95% interval from a cluster bootstrap over seeds;
//   - the slope d ln‖μ‖*/d ln N of the boundary (P2; theory −1/2), from the
//     two-variable fit σ(a + b ln c + e ln N), slope = −1/2 − e/(2b);
//   - τ*/‖μ‖, the budget at which adversarial training's final attention on
//     the signal falls through the midpoint of its range (P7), at two d_h,
//     with C1 = τ*·ln d_h/‖μ‖ and the ratio τ*(small d_h)/τ*(large d_h)
//     against the 1/log d_h prediction ln(d_h large)/ln(d_h small).
//
// Outputs in -out (default the git-ignored scratch directory
// results/tmp/calibrate; -out results/calibrate rewrites the committed run): calibrate.txt (Go benchmark
// format with command: and config lines, readable by benchstat),
// constants.csv, phase.csv (one row per run), collapse.csv (one row per run).
// Progress (runs done/total, ETA) goes to stderr.
//
// Usage:
//
//	go run ./cmd/calibrate [-scale tiny] [-seeds 5] [-tau-seeds 3] [-dh 8,64] [-workers 2] [-boot 1000]
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
		fmt.Fprintln(os.Stderr, "calibrate:", err)
		os.Exit(1)
	}
}
