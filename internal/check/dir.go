package check

import (
	"os"
	"path/filepath"
	"testing"
)

// DirState lists every file under dir with its content, and every
// directory as its path with a trailing "/" and an empty content, so that
// two states compare with maps.Equal: a test of "nothing is written on
// failure" takes it before and after the call.
func DirState(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		} else if err == nil && d.IsDir() {
			out[p+"/"] = ""
		}
		return nil
	})
	return out
}
