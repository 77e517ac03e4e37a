// Command peercmp times the Go kernels and the PyTorch peer
// (peer/torch_vit.py in this repository) at the same sizes, in float64 with the
// same thread count, interleaved in one run, and writes the ratio table.
//
// Usage:
//
//	peercmp [-tags purego|openblas] [-rounds 3] [-benchtime 300ms] [-threads 2]
//	        [-peer-threads n] [-peer-reps 50] [-sizes paper,small,mid]
//	        [-o results/bench/peer.txt]
//
// Each round runs, for every size, the Go benchmarks BenchmarkForward,
// BenchmarkForwardBackward, BenchmarkPGD and BenchmarkATStep of ./bench
// (through `go test`, with the caller's environment; the kernels are
// chosen from the CPU, -tags purego forces pure Go) and then the peer at the same size. The medians
// over rounds go to the output file in Go benchmark format (the peer's rows
// are named BenchmarkPeer…, so benchstat reads both) followed by a Markdown
// ratio table (peer time / Go time). Without PyTorch the peer is skipped
// with a message on stderr and only the Go rows are written.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "peercmp:", err)
		os.Exit(1)
	}
}
