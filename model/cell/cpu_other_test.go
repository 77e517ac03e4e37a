//go:build !unix

package cell_test

import "time"

// processCPU returns 0: no CPU-time metric on this system.
func processCPU() time.Duration { return 0 }
