// Package bench holds the suite's benchmarks and nothing else: the GEMM
// behind the model, the ViT forward and backward passes, PGD and one
// adversarial-training step, at the paper's heatmap size and at
// theory-small sizes. Sub-benchmarks are named key=value so that
// `go tool benchstat -col /d` pivots on them; every benchmark reports
// allocs/op and, after its loop, GFLOP/s from an exact flop count.
//
// Reproduce, compare and read the results: results/bench/README.md.
package bench
