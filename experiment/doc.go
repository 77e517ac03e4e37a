// Package experiment runs the figure-producing sweeps of the suite — the
// (N, SNR) phase diagram under clean and adversarial training, the budget
// sweep in τ, the training dynamics in a benign and a harmful cell, and the
// MNIST 0-vs-1 check — and turns their CSV files into figures and
// results/REPORT.md (docs/THEORY.md §6, §8 P1–P9).
//
// # Cells, seeds and files
//
// A sweep is a Job: an ordered list of cells (one grid point and replicate
// each), a function that runs one cell, and the CSV header. Cell i draws
// everything from the seed rng.Derive(seed, i), so its rows do not depend on
// which other cells run, in which order, on how many workers, or in which
// shard.
//
// Rows are appended to <out>.csv as each cell finishes and the file is
// fsync'd after every cell (Log). A run killed at any point and started
// again with the same command reads the file, drops a half-written last
// line or an incomplete last cell, skips the finished cells and computes
// the rest. When every cell of the run is present the file is rewritten,
// through a temporary file and a rename, with its rows sorted by cell
// index; that file is a pure function of the configuration.
//
// # Shards
//
// Shard i of n runs the cells with index ≡ i (mod n) into
// <out>.shard-i-of-n.csv. Merge combines the shard files into <out>.csv,
// byte for byte the file an unsharded run writes.
//
// # Figures and the report
//
// Figures (PNG and SVG, gonum.org/v1/plot) and REPORT.md are computed from
// the CSV files alone and written through store.WriteFileAtomic.
package experiment
