package sweep

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestLogTornTail: OpenLog drops a torn last line and an incomplete last
// cell, keeps every complete cell, and appends after them.
func TestLogTornTail(t *testing.T) {
	header := []string{"cell", "x"}
	path := filepath.Join(t.TempDir(), "log.csv")
	l, _, err := OpenLog(path, header, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		c := strconv.Itoa(i)
		if err := l.Append(i, []Row{{c, "1"}, {c, "2"}}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	full, _ := os.ReadFile(path)
	// Cell 2 is the last 8 bytes ("2,1\n2,2\n"). Cutting anywhere inside it
	// must leave cells 0 and 1 and nothing else.
	for cut := len(full) - 8; cut < len(full); cut++ {
		os.WriteFile(path, full[:cut], 0o644)
		l, dropped, err := OpenLog(path, header, 2)
		if err != nil {
			t.Fatalf("cut=%d: %v", cut, err)
		}
		if l.Len() != 2 || l.Done(2) || !l.Done(1) {
			t.Errorf("cut=%d: cells = %d (done(2) = %v), want cells 0, 1", cut, l.Len(), l.Done(2))
		}
		if want := int64(cut - (len(full) - 8)); dropped != want {
			t.Errorf("cut=%d: dropped %d bytes, want %d", cut, dropped, want)
		}
		if err := l.Append(2, []Row{{"2", "1"}, {"2", "2"}}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if got, _ := os.ReadFile(path); !bytes.Equal(got, full) {
			t.Errorf("cut=%d: after re-appending cell 2 the file is\n%s\nwant\n%s", cut, got, full)
		}
	}
}

// TestLogCorrupt: damage before the last line is not silently dropped.
func TestLogCorrupt(t *testing.T) {
	header := []string{"cell", "x"}
	for _, c := range []struct{ name, body string }{
		{"other header", "cell,y\n0,1\n"},
		{"bad middle row", "cell,x\n0,1\nzzz\n1,1\n"},
		{"duplicate cell", "cell,x\n0,1\n0,1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.csv")
			os.WriteFile(path, []byte(c.body), 0o644)
			_, _, err := OpenLog(path, header, 1)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenLog(%q) err = %v, want *CorruptError", c.body, err)
			}
		})
	}
}
