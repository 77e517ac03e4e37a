package main

import (
	"errors"
	"strings"
	"testing"
)

// TestListFlagsDistinct: a repeated value in a grid list (-c 1,1, -n 2,2,
// -taus 0,0) is a *FlagError naming the flag and the value; distinct
// values parse (negative control).
func TestListFlagsDistinct(t *testing.T) {
	for _, tc := range []struct{ cmd, flag, val string }{
		{"phase", "c", "1,1"}, {"phase", "n", "2,4,2"}, {"tau", "taus", "0,0.5,0.50"}, {"mnist", "noise", "1,1"},
	} {
		_, _, _, _, err := parseExperiment(tc.cmd, []string{"-preset", "smoke", "-" + tc.flag, tc.val}, noEnv)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != tc.flag || fe.Value != tc.val || !strings.Contains(fe.Reason, "twice") {
			t.Errorf("%s -%s %s: err = %v, want a *FlagError on -%s saying the value appears twice", tc.cmd, tc.flag, tc.val, err, tc.flag)
		}
	}
	if _, _, _, _, err := parseExperiment("phase", []string{"-preset", "smoke", "-c", "1,2", "-n", "2,4"}, noEnv); err != nil {
		t.Errorf("phase -c 1,2 -n 2,4: %v, want nil", err)
	}
}
