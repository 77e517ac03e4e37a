// Command vitadv regenerates the figures of the suite: the (N, SNR) phase
// diagram under clean and adversarial training, the budget sweep in τ, the
// training dynamics in a benign and a harmful cell, and the MNIST 0-vs-1
// check (docs/THEORY.md §6, §8), then results/REPORT.md.
//
// Usage:
//
//	vitadv all      [-preset ci] [-results results]   every experiment, then the report
//	vitadv phase    [-preset ci] [-tau 0.1] [flags]  N × SNR grid, clean (-tau 0) or AT
//	vitadv tau      [-preset ci] [flags]             robust error, entropy, steps vs τ/‖μ‖
//	vitadv dynamics [-preset ci] [flags]             per-step trajectories, benign and harmful
//	vitadv mnist    [-preset ci] [flags]             MNIST 0 vs 1 over N and noise level
//	vitadv merge    <experiment> [its flags] [shard files]
//	vitadv report   [-results results]               figures and REPORT.md from the CSV files
//
// Each experiment appends one CSV row per finished cell (fsync'd), resumes
// a killed run where it stopped, and with -shard i/n (or the Slurm /
// Kubernetes array environment) runs one shard; merge combines the shards
// into the file an unsharded run writes. Progress goes to stderr. Run
// `vitadv <command> -h` for the flags.
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
		fmt.Fprintln(os.Stderr, "vitadv:", err)
		os.Exit(1)
	}
}
