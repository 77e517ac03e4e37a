package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, []string{"-list"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"P8", "Thm4.2(iii)", "P1b"} {
		if !strings.Contains(b.String(), id) {
			t.Errorf("run(-list) output lacks %q", id)
		}
	}
}

// TestHuntReplay relaxes Thm 4.2(iii) below the midpoint threshold (C3 =
// 0.3), where the exact attack can no longer merge the classes and the
// 0.25 floor breaks for a trained model; hunt must find, shrink, write and
// replay a counterexample.
func TestHuntReplay(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	args := []string{"-statement", "Thm4.2(iii)", "-checks", "40", "-relax", "-const", "c3=0.3", "-max-fail", "1", "-out", dir}
	if err := run(&b, args); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("run(%v) wrote no counterexample; output:\n%s", args, b.String())
	}
	sum, err := os.ReadFile(filepath.Join(dir, "SUMMARY.txt"))
	if err != nil || !strings.Contains(string(sum), "Regime3Floor") {
		t.Errorf("SUMMARY.txt = %q (err %v), want a Regime3Floor line", sum, err)
	}
	b.Reset()
	if err := run(&b, []string{"-replay", files[0]}); err != nil {
		t.Errorf("replay %s: %v", files[0], err)
	}
	if !strings.Contains(b.String(), "reproduced") {
		t.Errorf("replay output = %q, want \"reproduced\"", b.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-statement", "nope"},
		{"-statement", "P8", "-const", "nope=1"},
		{"-statement", "P8", "-const", "c3"},
		{"-statement", "P8", "-scale", "huge"},
	} {
		if err := run(&bytes.Buffer{}, args); err == nil {
			t.Errorf("run(%v) = nil, want an error", args)
		}
	}
}
