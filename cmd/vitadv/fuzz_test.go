package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitArgs turns a fuzz string into an argument list (NUL-separated).
func splitArgs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// FuzzArgs fuzzes the command line of every experiment up to the point
// where work would start (parseExperiment: flags, preset, validation), and
// of report and all through runEnv with a -compare or -results that cannot
// exist, so that no fuzzed line runs an experiment. Nothing may panic;
// every refusal is a *FlagError or a *valid.Error-derived error naming a
// flag; an accepted experiment has a job within the limits.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"phase", "phase\x00-d\x002000000000", "phase\x00-eta\x001e300", "phase\x00-n\x002,4\x00-c\x000.5",
		"tau\x00-taus\x000,0.5\x00-reps\x002", "dynamics\x00-every\x007", "mnist\x00-d\x005", "mnist\x00-pool\x003",
		"phase\x00-preset\x00paper\x00-tau\x000.1", "phase\x00-out\x00x.csv", "phase\x00-shard\x001/2",
		"all\x00-preset\x00smoke", "phase\x00-preset\x00tiny", "all\x00-workers\x000", "report\x00-results", "report\x00x", "phase\x00--\x00x",
		"phase\x00-h", "tau\x00-mu\x001e200", "phase\x00-reps\x001000000000", "phase\x00-init-shrink=1e-300",
	} {
		f.Add(s)
	}
	missing := filepath.Join(os.TempDir(), "vitadv-fuzz-missing", "none")
	f.Fuzz(func(t *testing.T, s string) {
		args := splitArgs(s)
		if len(args) == 0 {
			return
		}
		switch args[0] {
		case "phase", "tau", "dynamics", "mnist":
			spec, _, _, _, err := parseExperiment(args[0], args[1:], func(string) string { return missing })
			if err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return
				}
				var fe *FlagError
				if !errors.As(err, &fe) && !strings.Contains(err.Error(), "MNIST") {
					t.Fatalf("%q: error %v (%T), want *FlagError", args, err, err)
				}
				return
			}
			if len(spec.job.Cells) == 0 || len(spec.job.Cells) > 1e6 {
				t.Fatalf("%q: accepted a job of %d cells", args, len(spec.job.Cells))
			}
		case "report":
			// Only with a results root that does not exist: nothing runs.
			err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, append(args, "-results", missing), noEnv)
			if err == nil && !slicesContainsHelp(args) {
				t.Fatalf("%q: report on a missing root succeeded", args)
			}
		case "all":
			err := runEnv(&bytes.Buffer{}, &bytes.Buffer{}, append(args, "-compare", missing), noEnv)
			if err == nil && !slicesContainsHelp(args) {
				t.Fatalf("%q: all with a missing -compare ran", args)
			}
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%q created %s", args, missing)
		}
	})
}

func slicesContainsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}
