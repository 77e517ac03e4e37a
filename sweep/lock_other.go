//go:build !unix

package sweep

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked")

// flock is a no-op where flock(2) does not exist: concurrent writers are
// not detected there.
func flock(*os.File) error { return nil }
