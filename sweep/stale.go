package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockPath is the path of the advisory lock file of a results file (Lock).
func LockPath(path string) string { return lockPath(path) }

// LockHeld reports whether another process holds the lock of path (see
// Lock), and its pid if recorded, without taking the lock or creating
// the lock file. Where flock(2) does not exist it reports false.
func LockHeld(path string) (held bool, pid int) {
	f, err := os.Open(lockPath(path))
	if err != nil {
		return false, 0 // no lock file: nobody holds it
	}
	defer f.Close() // releases the lock if we got it (a stale lock file)
	if err := flock(f); errors.Is(err, errLocked) {
		fmt.Fscan(f, &pid)
		return true, pid
	}
	return false, 0
}

// removeStaleOutputs deletes the temporary files of store.WriteFileAtomic
// that a run killed during a rewrite left among the outputs of base path
// out, besides the CSV's own (removeStaleTemps): the sidecar's
// (".x.json.tmp-*"), the figures' (".x.png.tmp-*", ".x.svg.tmp-*", and
// those of the figures named x-<suffix>, e.g. ".ci-benign.png.tmp-*" of
// dynamics/ci) and, in the radius directory x.radii and the trajectory
// directory x.traj, those of the cells of
// shard (".cell-N.csv.tmp-*" with cell N in the shard, so that a shard
// never touches another shard's files). A figure x-<suffix> that belongs to
// another results file in the directory (tau/ci-long.png is ci-long's, not
// ci's) is left alone. Call it only while holding the lock of the shard's
// CSV.
func removeStaleOutputs(out string, shard Shard) {
	dir, base := filepath.Dir(out), filepath.Base(out)
	if shard.N <= 1 {
		removeStaleTemps(metaPath(out + ".csv"))
	}
	stems := map[string]bool{}
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, c := range csvs {
		stems[strings.TrimSuffix(filepath.Base(c), ".csv")] = true
	}
	// owner returns the results file a figure name belongs to: the longest
	// stem s with name == s or name = s-<suffix>.
	owner := func(name string) string {
		best := ""
		for s := range stems {
			if (name == s || strings.HasPrefix(name, s+"-")) && len(s) > len(best) {
				best = s
			}
		}
		return best
	}
	for _, ext := range []string{".png", ".svg"} {
		temps, _ := filepath.Glob(filepath.Join(dir, "."+base+"*"+ext+".tmp-*"))
		for _, f := range temps {
			name, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), "."), ext+".tmp-")
			if name == base || strings.HasPrefix(name, base+"-") && owner(name) == base {
				os.Remove(f)
			}
		}
	}
	for _, sub := range []string{".radii", ".traj"} {
		temps, _ := filepath.Glob(filepath.Join(out+sub, ".cell-*.csv.tmp-*"))
		for _, f := range temps {
			n, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), ".cell-"), ".csv.tmp-")
			if i, err := strconv.Atoi(n); err == nil && shard.Has(i) {
				os.Remove(f)
			}
		}
	}
}

// MetaPath is the path of the JSON sidecar of a results CSV (x.json beside
// x.csv).
func MetaPath(csv string) string { return metaPath(csv) }
