package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"vitadv/model/valid"
)

// TestMetaComputedAtMostCellsPin2: a sidecar claiming more cells computed
// this run than the job has is refused by Validate and by ReadMeta (a
// *valid.Error on computed_this_run); computed = cells is accepted.
func TestMetaComputedAtMostCellsPin2(t *testing.T) {
	ok := Meta{Command: "vitadv tau", Job: "tau ci", Shard: "0/1", Cells: 22, Computed: 22, Seconds: 1}
	if err := ok.Validate(); err != nil {
		t.Fatalf("computed = cells: %v", err)
	}
	bad := ok
	bad.Computed = 23
	var ve *valid.Error
	if err := bad.Validate(); !errors.As(err, &ve) || ve.Field != "computed_this_run" {
		t.Fatalf("computed 23 > cells 22: %v, want *valid.Error on computed_this_run", err)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"command": "vitadv tau", "job": "tau ci", "shard": "0/1", "cells": 22, "computed_this_run": 23, "seconds_this_run": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMeta(csv); !errors.As(err, &ve) || ve.Field != "computed_this_run" {
		t.Fatalf("ReadMeta of computed 23 > cells 22: %v, want *valid.Error on computed_this_run", err)
	}
}
