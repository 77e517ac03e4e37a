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
		{"tau", "eta", "0.1,0.01,0.1"}, {"phase", "eta", "0.01,0.010"},
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

// TestEtaFlags: -eta takes a list in tau and phase (two or more values
// make the η axis, one value is today's single η), -flow-time and
// -early-steps reach the configuration, a bad value is a *FlagError naming
// its flag, and the other experiments keep a single -eta (a list is
// refused there: control).
func TestEtaFlags(t *testing.T) {
	for _, kind := range []string{"tau", "phase"} {
		args := []string{"-preset", "smoke", "-eta", "0.1,0.01", "-flow-time", "1", "-early-steps", "20"}
		if kind == "phase" {
			args = append(args, "-tau", "0.25")
		}
		spec, _, _, _, err := parseExperiment(kind, args, noEnv)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if got := len(spec.job.Cells); got == 0 || got%2 != 0 {
			t.Errorf("%s -eta 0.1,0.01: %d cells, want two η blocks", kind, got)
		}
		if !contains(spec.job.Params, "flow_time") || !contains(spec.job.Metrics, "censored") {
			t.Errorf("%s -flow-time 1: columns %v / %v lack flow_time or censored", kind, spec.job.Params, spec.job.Metrics)
		}
		one, _, _, _, err := parseExperiment(kind, []string{"-preset", "smoke", "-eta", "0.05"}, noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if one.setup.Eta != 0.05 || contains(one.job.Params, "flow_time") {
			t.Errorf("%s -eta 0.05: η %v, columns %v; want 0.05 and today's columns", kind, one.setup.Eta, one.job.Params)
		}
		for _, bad := range [][2]string{{"eta", "0.1,x"}, {"eta", "0.1,-1"}, {"flow-time", "-2"}, {"early-steps", "-1"}} {
			_, _, _, _, err := parseExperiment(kind, []string{"-preset", "smoke", "-" + bad[0], bad[1]}, noEnv)
			var fe *FlagError
			if !errors.As(err, &fe) || fe.Flag != bad[0] {
				t.Errorf("%s -%s %s: err = %v, want a *FlagError on -%s", kind, bad[0], bad[1], err, bad[0])
			}
		}
	}
	for _, kind := range []string{"dynamics", "mnist"} {
		if _, _, _, _, err := parseExperiment(kind, []string{"-preset", "smoke", "-eta", "0.1,0.01"}, noEnv); err == nil {
			t.Errorf("%s -eta 0.1,0.01: accepted, want a single η", kind)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
