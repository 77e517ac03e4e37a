// Package experiment holds the configurations of the figure-producing
// sweeps of the suite — the (N, SNR) phase diagram under clean and
// adversarial training, the budget sweep in τ, the training dynamics in a
// benign and a harmful cell, and the MNIST 0-vs-1 check — and their
// presets (docs/THEORY.md §6, §8 P1–P9).
//
// A configuration validates its flags (a *valid.Error naming the flag and
// the value), lists its cells and builds a sweep.Job whose cells each train
// one cell.Spec (Setup.Spec) through cell.Train; package sweep runs the job
// (resumable, shardable, locked) and package report turns the CSV files
// into figures, results/REPORT.md and the generated tables.
//
// # Cells, seeds and files
//
// Cell i of a job draws everything from the seed rng.Derive(seed, i), so
// its rows do not depend on which other cells run, in which order, on how
// many workers, or in which shard; the file is a pure function of the
// configuration (package sweep).
//
// Imports run one way: model/… ← model/cell ← experiment ← report ← cmd;
// sweep depends on none of them. This package imports no attack,
// certificate or trainer: a cell is trained in package cell alone.
package experiment
