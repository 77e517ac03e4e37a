package bench

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"vitadv/model/linalg"
)

// TestMain adds a "linalg: <path>" configuration line to benchmark output,
// so that every result file names the GEMM path it measured (benchstat
// keeps such key: value lines as configuration).
// A VITADV_KERNEL value that cannot be honoured stops the run, so that a
// mistyped switch never measures the wrong path under its name. After a
// run of BenchmarkGemm it prints issue 20's done-when for the paper shapes
// (writeDoneWhen).
func TestMain(m *testing.M) {
	flag.Parse()
	if err := linalg.KernelEnvErr(); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(2)
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		fmt.Printf("linalg: %s\n", linalg.Path())
		if s := linalg.GemmSpin(); s != "auto" {
			fmt.Printf("gemm-spin: %s\n", s) // VITADV_GEMM_SPIN, not the default
		}
	}
	code := m.Run()
	writeDoneWhen(os.Stdout, paperGemmNames(), doneWhen)
	os.Exit(code)
}
