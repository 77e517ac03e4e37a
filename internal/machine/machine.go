// Package machine describes the computer a run or benchmark executed on, for
// the sidecars of results files: CPU model, core count, GOMAXPROCS, Go
// version and the active linear-algebra kernels. It reads only public
// facts (no host names, no paths).
package machine

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"vitadv/model/linalg"
)

// Info is the machine record of one run.
type Info struct {
	CPU        string `json:"cpu"`        // CPU model name ("AMD EPYC 9B45"), or GOARCH when unknown
	Cores      int    `json:"cores"`      // runtime.NumCPU()
	GOMAXPROCS int    `json:"gomaxprocs"` // runtime.GOMAXPROCS(0) at the time of the call
	OS         string `json:"os"`         // GOOS/GOARCH
	Go         string `json:"go"`         // runtime.Version()
	Kernels    string `json:"kernels"`    // linalg.Path(): the GEMM and vector kernels in use
}

// Current returns the record of this process's machine.
func Current() Info {
	return Info{CPU: cpuModel(), Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Kernels: linalg.Path()}
}

// String prints the record on one line, e.g.
// "AMD EPYC 9B45, 2 cores (GOMAXPROCS 2), linux/amd64, go1.26.0, asm-avx512-8x16+vec-avx512".
func (m Info) String() string {
	return fmt.Sprintf("%s, %d cores (GOMAXPROCS %d), %s, %s, %s", m.CPU, m.Cores, m.GOMAXPROCS, m.OS, m.Go, m.Kernels)
}

// cpuModel reads the first "model name" (x86) or "CPU part"/"Model" line
// of /proc/cpuinfo; elsewhere it returns GOARCH.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model":
			if v = strings.Join(strings.Fields(v), " "); v != "" {
				return v
			}
		}
	}
	return runtime.GOARCH
}
