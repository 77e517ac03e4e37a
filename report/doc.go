// Package report turns the committed CSV files of the sweeps into their
// figures (PNG and SVG, gonum.org/v1/plot), results/REPORT.md with one
// verdict row per claim and file, and the generated blocks of README.md and
// theorems/STATEMENTS.md: the claims table, the by-scale table (each claim
// at the sizes of theorems.Scales()) and the status section. It reads the
// counterexample hunts' logs and the calibration sweep as well.
//
// Every output is computed from the files alone, through the decisions of
// package theorems (no verdict is hard-coded), and written through
// store.WriteFileAtomic; a refused input (a garbled sidecar, a duplicated
// row) is an error naming the file, and nothing is written.
//
// Imports run one way: report reads the configurations of package
// experiment (file names, columns) and the tables of package sweep, and
// nothing below it imports report.
package report
