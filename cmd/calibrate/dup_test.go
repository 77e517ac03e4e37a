package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vitadv/model/valid"
)

// TestListFlagsDistinct: a repeated value in -dh or -n, and a single -dh
// when the τ sweep needs two, are *valid.Error naming the flag and the
// value, before any work; two distinct d_h, or one with -skip-tau, pass
// the check (negative control: -skip-tau -dh 8 must not be refused).
func TestListFlagsDistinct(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		flag, want string
	}{
		{[]string{"-dh", "8,8"}, "-dh", "appears twice"},
		{[]string{"-dh", "8, 64,8"}, "-dh", "appears twice"},
		{[]string{"-dh", "8"}, "-dh", "two or more"},
		{[]string{"-n", "4,8,4"}, "-n", "appears twice"},
	} {
		args := append(tc.args, "-out", t.TempDir())
		err := run(&bytes.Buffer{}, args)
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != tc.flag || !strings.Contains(ve.Rule, tc.want) {
			t.Errorf("calibrate %v: err = %v, want a *valid.Error on %s saying %q", tc.args, err, tc.flag, tc.want)
		}
	}
	// The check after the lists is -out's: a path under a regular file
	// fails there, so an error naming -out shows the lists passed.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	for _, args := range [][]string{{"-dh", "8,64"}, {"-dh", "8", "-skip-tau"}, {"-n", "4,8"}} {
		err := run(&bytes.Buffer{}, append(args, "-out", filepath.Join(file, "sub")))
		var ve *valid.Error
		if !errors.As(err, &ve) || ve.Field != "-out" {
			t.Errorf("calibrate %v: err = %v, want the lists accepted and the -out error", args, err)
		}
	}
}
