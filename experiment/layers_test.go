package experiment

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layerRules lists, per package directory (relative to the module root),
// the vitadv packages it must not import: the one-way import rule of
// docs/ARCHITECTURE.md. A prefix ending in "/" forbids a whole tree.
var layerRules = map[string][]string{
	"sweep":      {"model/cell", "model/attack", "model/certify", "model/train", "experiment", "report", "theorems", "cmd/"},
	"experiment": {"model/attack", "model/certify", "model/train", "report", "theorems", "cmd/"},
	"model/cell": {"experiment", "report", "sweep", "theorems", "cmd/"},
	"theorems":   {"experiment", "report", "sweep", "cmd/"},
	"report":     {"model/attack", "model/certify", "model/train", "cmd/"},
}

// violations returns the imports of the package in dir (test files
// excluded) that forbidden names.
func violations(t *testing.T, dir string, forbidden []string) []string {
	t.Helper()
	pkg, err := build.ImportDir(filepath.Join("..", dir), 0)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	var bad []string
	for _, imp := range pkg.Imports {
		rel, ok := strings.CutPrefix(imp, "vitadv/")
		if !ok {
			continue
		}
		for _, f := range forbidden {
			if rel == f || strings.HasSuffix(f, "/") && strings.HasPrefix(rel, f) {
				bad = append(bad, imp)
			}
		}
	}
	return bad
}

// TestImportLayers: no package imports against the layering (cycles the
// compiler refuses anyway; this pins the direction: the sweep engine knows
// nothing of training, the configurations train only through model/cell,
// the model knows nothing above it).
func TestImportLayers(t *testing.T) {
	for dir, forbidden := range layerRules {
		if bad := violations(t, dir, forbidden); len(bad) > 0 {
			t.Errorf("%s imports %v, against docs/ARCHITECTURE.md", dir, bad)
		}
	}
	for _, dir := range []string{"model/data", "model/vit", "model/attack", "model/certify", "model/train", "model/linalg", "model/store"} {
		if bad := violations(t, dir, []string{"model/cell", "experiment", "report", "sweep", "theorems", "cmd/"}); len(bad) > 0 {
			t.Errorf("%s imports %v: the model imports nothing above it", dir, bad)
		}
	}
}

// TestImportLayersControl: the checker sees a real import (experiment
// imports model/cell and sweep), so a passing TestImportLayers is not an
// empty scan.
func TestImportLayersControl(t *testing.T) {
	if bad := violations(t, "experiment", []string{"model/cell", "sweep"}); !slices.Equal(bad, []string{"vitadv/model/cell", "vitadv/sweep"}) {
		t.Errorf("violations(experiment, [model/cell sweep]) = %v, want both", bad)
	}
}
