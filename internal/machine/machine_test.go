package machine_test

import (
	"runtime"
	"testing"

	"vitadv/internal/machine"
)

// TestString pins the one-line form that hunt logs and calibrate.txt print
// after "# machine: " / "machine: ".
func TestString(t *testing.T) {
	m := machine.Info{CPU: "AMD EPYC", Cores: 2, GOMAXPROCS: 1, OS: "linux/amd64", Go: "go1.26.8", Kernels: "purego-2x4+vec-go"}
	if got, want := m.String(), "AMD EPYC, 2 cores (GOMAXPROCS 1), linux/amd64, go1.26.8, purego-2x4+vec-go"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestCurrent: the record describes this process.
func TestCurrent(t *testing.T) {
	m := machine.Current()
	if m.CPU == "" || m.Cores != runtime.NumCPU() || m.GOMAXPROCS != runtime.GOMAXPROCS(0) ||
		m.OS != runtime.GOOS+"/"+runtime.GOARCH || m.Go != runtime.Version() || m.Kernels == "" {
		t.Errorf("Current() = %+v", m)
	}
}
