// Command peercmp times the Go kernels and the PyTorch peer
// (peer/torch_vit.py in this repository) at the same sizes, in float64 with the
// same thread count, interleaved in one run, and writes the ratio table.
//
// Usage:
//
//	peercmp [-tags purego|openblas] [-rounds 3] [-benchtime 300ms] [-threads 2]
//	        [-peer-threads n[,n…]] [-kernels auto,avx2] [-peer-reps 50]
//	        [-sizes paper,small,mid] [-o results/bench/peer.txt]
//
// Each round runs, for every size, the Go benchmarks BenchmarkForward,
// BenchmarkForwardBackward, BenchmarkPGD and BenchmarkATStep of ./bench
// (through `go test`, with the caller's environment; the kernels are
// chosen from the CPU, -tags purego forces pure Go), once under each
// -kernels value (VITADV_KERNEL, e.g. auto,avx2 to time the AVX2 kernels
// on an AVX-512 CPU in the same run), and then the peer at the same size
// under each -peer-threads setting. The medians over rounds go to the
// output file in Go benchmark format (the peer's rows are named
// BenchmarkPeer…, so benchstat reads both; each kernel's rows follow their
// own linalg: line) followed by a Markdown ratio table (the fastest peer
// setting's time / Go time). The header records OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE and the BLAS the peer's torch calls (threadpoolctl if
// installed, else torch.__config__.show()). Without PyTorch the peer is
// skipped with a message on stderr and only the Go rows are written.
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
