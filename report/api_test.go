package report_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"vitadv/report"
	"vitadv/sweep"
	"vitadv/theorems"
)

// TestHuntLogThroughPublicAPI writes a run log as cmd/hunt does and reads
// it back as the claims tables do, from outside the package: the records
// come back field for field, and only the unmodified ones count toward a
// statement's tally. Negative controls: a record that claims more shrunk
// counterexamples than failed checks is refused before it is written; a
// line with a field the format does not have is a *sweep.CorruptError
// naming its line; and the field-for-field comparison notices a changed
// tally.
func TestHuntLogThroughPublicAPI(t *testing.T) {
	tiny, err := theorems.ScaleByName("tiny")
	if err != nil {
		t.Fatal(err)
	}
	recs := []report.HuntRecord{
		{Command: "go run ./cmd/hunt -statement P8 -scale tiny", Statement: "P8", Func: "theorems.MidpointFloor",
			Scale: tiny, Holds: 20, Replays: []string{}, Elapsed: "3s"},
		{Command: "go run ./cmd/hunt -statement P4 -scale tiny -relax", Statement: "P4", Func: "theorems.HarmfulMemorization",
			Scale: tiny, Relaxed: true, Holds: 3, Undecided: 1, Fails: 2, Replays: []string{"results/hunt/P4-x.json"}},
	}
	path := filepath.Join(t.TempDir(), "batch.jsonl")
	for _, r := range recs {
		if err := report.AppendHuntRecord(path, r); err != nil {
			t.Fatalf("AppendHuntRecord(%s): %v", r.Statement, err)
		}
	}
	got, err := report.ReadHuntLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("read back %+v\nwant %+v", got, recs)
	}
	if !got[0].Counted() || got[1].Counted() {
		t.Errorf("Counted: %v, %v; want true for the plain run, false for the -relax run", got[0].Counted(), got[1].Counted())
	}

	// The comparison above can fail: a changed tally is noticed.
	changed := append([]report.HuntRecord(nil), got...)
	changed[0].Holds++
	if reflect.DeepEqual(changed, recs) {
		t.Error("a changed tally compared equal: the round-trip check cannot fail")
	}

	// A record that cannot be is refused before anything is written.
	bad := recs[1]
	bad.Fails = 0
	if err := report.AppendHuntRecord(path, bad); err == nil {
		t.Error("AppendHuntRecord accepted 1 shrunk counterexample from 0 failed checks")
	}
	if again, err := report.ReadHuntLog(path); err != nil || len(again) != len(recs) {
		t.Errorf("after the refused record: %d records, err %v; want %d, nil", len(again), err, len(recs))
	}

	// A line the format does not know is corrupt, and says where.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"command":"go run ./cmd/hunt -statement P8","statement":"P8","func":"f","holds":1,"replays":[],"verdict":"ok"}` + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = report.ReadHuntLog(path)
	var ce *sweep.CorruptError
	if !errors.As(err, &ce) || ce.Line != len(recs)+1 {
		t.Errorf("unknown field: err = %v (%T), want *sweep.CorruptError at line %d", err, err, len(recs)+1)
	}
}
