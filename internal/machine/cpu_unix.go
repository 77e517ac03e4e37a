//go:build unix

package machine

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user + system CPU time this process has used (all
// its threads, getrusage RUSAGE_SELF), or 0 if the system does not report
// it. Benchmarks divide work by it for a rate per CPU-second, which a
// shared machine's load does not inflate as it does wall time.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
