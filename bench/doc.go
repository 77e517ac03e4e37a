// Package bench holds the suite's benchmarks and nothing else: the GEMM
// behind the model, the ViT forward and backward passes, PGD and one
// adversarial-training step, at the paper's heatmap size and at
// theory-small sizes. Sub-benchmarks are named key=value so that
// `go tool benchstat -col /d` pivots on them; every benchmark reports
// allocs/op and, after its loop, GFLOP/s from an exact flop count and
// GFLOP/cpu-s over the process's CPU time; BenchmarkGemm adds its share of
// an all-thread FMA peak measured right after each sample (%peak,
// %peak-cpu) and the cores it kept busy (cores).
//
// Reproduce, compare and read the results: results/bench/README.md.
package bench
