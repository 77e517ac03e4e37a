// Package modroot finds the root of the vitadv module, the directory whose
// go.mod declares `module vitadv`, so that the commands resolve their
// default paths (results/, README.md, theorems/STATEMENTS.md) against it
// and never create a stray results/ tree in whatever directory they were
// started from.
package modroot

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Module is the module path the root's go.mod must declare.
const Module = "vitadv"

// Error reports that dir is not the module root: Root is the root found
// above it ("" when dir is not inside the module at all).
type Error struct {
	Dir  string // the directory the command ran in
	Root string // the module root above Dir, or ""
}

func (e *Error) Error() string {
	if e.Root == "" {
		return fmt.Sprintf("%s is not inside the vitadv module (no go.mod declaring `module %s` here or above): run the command from the repository root", e.Dir, Module)
	}
	return fmt.Sprintf("run from the module root, not %s: its default paths (results/, README.md) are relative to the root; cd %s", e.Dir, e.Root)
}

// Find returns the nearest directory at or above dir whose go.mod declares
// `module vitadv`, or an *Error with Root "" if there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		if declares(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", &Error{Dir: abs}
		}
		d = up
	}
}

// Require returns nil if dir is the module root, and otherwise an *Error
// naming the root to cd to (or saying there is none).
func Require(dir string) error {
	root, err := Find(dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if a, errA := os.Stat(abs); errA == nil {
		if r, errR := os.Stat(root); errR == nil && os.SameFile(a, r) {
			return nil
		}
	}
	return &Error{Dir: abs, Root: root}
}

// declares reports whether the go.mod at path declares module Module.
func declares(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(strings.TrimSpace(sc.Text()))
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == Module
		}
	}
	return false
}
