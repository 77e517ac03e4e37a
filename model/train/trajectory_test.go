package train

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"vitadv/model/store"
)

// TestTrajectoryRoundTrip: the .npz columns and the CSV both read back to the
// recorded values bit for bit.
func TestTrajectoryRoundTrip(t *testing.T) {
	tr := Trajectory(trajectory(t))
	dir := t.TempDir()
	npz, csvPath := filepath.Join(dir, "traj.npz"), filepath.Join(dir, "traj.csv")
	if err := tr.SaveNPZ(npz); err != nil {
		t.Fatal(err)
	}
	if err := tr.SaveCSV(csvPath); err != nil {
		t.Fatal(err)
	}
	arrays, err := store.LoadArrays(npz)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tr)+1 {
		t.Fatalf("CSV has %d rows, want %d", len(rows), len(tr)+1)
	}
	for j, name := range Columns() {
		a, ok := arrays[name]
		if !ok || len(a.Data) != len(tr) {
			t.Fatalf("array %q missing or of length %d", name, len(a.Data))
		}
		if rows[0][j] != name {
			t.Fatalf("CSV column %d = %q, want %q", j, rows[0][j], name)
		}
		for i, r := range tr {
			want := r.Floats()[j]
			got, err := strconv.ParseFloat(rows[i+1][j], 64)
			if err != nil {
				t.Fatal(err)
			}
			same := func(x float64) bool {
				return math.Float64bits(x) == math.Float64bits(want) || (math.IsNaN(x) && math.IsNaN(want))
			}
			if !same(a.Data[i]) || !same(got) {
				t.Fatalf("%s[%d]: npz %v, csv %v, want %v", name, i, a.Data[i], got, want)
			}
		}
	}
}
