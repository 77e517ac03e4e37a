package experiment

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseLogInterruptedCellThenNext: a multi-row cell cut short (2 of
// its 3 rows) and followed by the next cell is not a torn tail: OpenLog
// (tolerant) and CheckLayout (strict) both return a *CorruptError at the
// first row of the next cell naming the interrupted cell, and OpenLog
// leaves the file untouched. The same interrupted cell at the end of the
// file is a torn tail: OpenLog keeps the complete cells and truncates it
// (control: the two cases differ only by what follows the cut).
func TestParseLogInterruptedCellThenNext(t *testing.T) {
	header := []string{"cell", "step", "x"}
	rows := func(cell string, n int) string {
		var b strings.Builder
		for s := range n {
			b.WriteString(cell + "," + string(rune('0'+s)) + ",0.5\n")
		}
		return b.String()
	}
	full0, part1, full2 := rows("0", 3), rows("1", 2), rows("2", 3)
	dir := t.TempDir()

	path := filepath.Join(dir, "mid.csv")
	content := "cell,step,x\n" + full0 + part1 + full2
	os.WriteFile(path, []byte(content), 0o644)
	_, _, err := OpenLog(path, header, 3)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 7 || !strings.Contains(ce.Reason, "cell 2 starts before cell 1 has its 3 rows") {
		t.Errorf("OpenLog(interrupted cell 1, then cell 2) = %v, want a *CorruptError at line 7 naming cells 2 and 1", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Errorf("OpenLog changed a file it refused:\n%s", b)
	}
	if err := CheckLayout(path); !errors.As(err, &ce) || ce.Line != 7 {
		t.Errorf("CheckLayout(interrupted cell 1, then cell 2) = %v, want a *CorruptError at line 7", err)
	}
	// The interrupted cell resumed later, after cell 2: still refused
	// (cell 1 would otherwise be counted with rows from two runs).
	os.WriteFile(path, []byte("cell,step,x\n"+full0+part1+full2+rows("1", 3)), 0o644)
	if _, _, err := OpenLog(path, header, 3); !errors.As(err, &ce) {
		t.Errorf("OpenLog(interrupted cell 1, cell 2, cell 1 again) = %v, want a *CorruptError", err)
	}

	// Control: the interrupted cell last is a torn tail, cut away.
	tail := filepath.Join(dir, "tail.csv")
	os.WriteFile(tail, []byte("cell,step,x\n"+full0+full2+part1), 0o644)
	l, dropped, err := OpenLog(tail, header, 3)
	if err != nil {
		t.Fatalf("OpenLog(torn last cell) = %v, want it resumed", err)
	}
	defer l.Close()
	if l.Len() != 2 || !l.Done(0) || !l.Done(2) || l.Done(1) || dropped != int64(len(part1)) {
		t.Errorf("OpenLog(torn last cell): %d cells (0 %v, 1 %v, 2 %v), dropped %d; want cells 0 and 2, %d bytes dropped", l.Len(), l.Done(0), l.Done(1), l.Done(2), dropped, len(part1))
	}
	if b, _ := os.ReadFile(tail); !bytes.Equal(b, []byte("cell,step,x\n"+full0+full2)) {
		t.Errorf("torn last cell not truncated:\n%s", b)
	}
}
