//go:build !unix

package machine

import "time"

// ProcessCPU returns 0: no CPU-time metric on this system.
func ProcessCPU() time.Duration { return 0 }
