package store

import (
	"errors"
	"os"
	"testing"

	"vitadv/model/data"
	"vitadv/model/valid"
	"vitadv/model/vit"
)

func TestJSONRoundTrip(t *testing.T) {
	path := tempPath(t, "data.json")
	want := data.Small(100, 0.5)
	if err := SaveJSON(path, want); err != nil {
		t.Fatal(err)
	}
	var got data.Config
	if err := LoadJSON(path, &got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("LoadJSON = %+v, want %+v", got, want)
	}
	if b := readBytes(t, path); b[len(b)-1] != '\n' {
		t.Error("SaveJSON output does not end in a newline")
	}
}

// TestLoadJSONStrict: unknown fields, wrong types, syntax errors and
// trailing data are *FormatError values that name the problem.
func TestLoadJSONStrict(t *testing.T) {
	for _, c := range []struct {
		name, text, field string
	}{
		{"unknown-field", `{"d": 8, "m": 3, "sigma_2": 1}`, "sigma_2"},
		{"wrong-type", `{"d": "eight"}`, "d"},
		{"syntax", `{"d": 8,}`, ""},
		{"truncated", `{"d": 8`, ""},
		{"trailing", `{"d": 8} {"m": 3}`, ""},
		{"empty", ``, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := tempPath(t, "c.json")
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			var cfg data.Config
			err := LoadJSON(path, &cfg)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("LoadJSON(%s) = %v, want *FormatError", c.text, err)
			}
			if fe.Field != c.field || fe.Path != path {
				t.Errorf("LoadJSON(%s): Field = %q, Path = %q, want %q, %q (%v)", c.text, fe.Field, fe.Path, c.field, path, err)
			}
		})
	}
}

// TestLoadJSONValidate: a well-formed but invalid value returns the
// type's *valid.Error itself, not a wrapper.
func TestLoadJSONValidate(t *testing.T) {
	path := tempPath(t, "arch.json")
	if err := os.WriteFile(path, []byte(`{"d": 8, "d_h": 0, "d_v": 4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var a vit.Arch
	err := LoadJSON(path, &a)
	ve, ok := err.(*valid.Error)
	if !ok {
		t.Fatalf("LoadJSON = %v (%T), want *valid.Error unwrapped", err, err)
	}
	if ve.Field != "Dh" {
		t.Errorf("valid.Error.Field = %q, want Dh", ve.Field)
	}
}

// TestSaveJSONValidate: SaveJSON refuses to write what LoadJSON rejects.
func TestSaveJSONValidate(t *testing.T) {
	path := tempPath(t, "arch.json")
	err := SaveJSON(path, vit.Arch{D: 8, Dh: 4, Dv: 0})
	var ve *valid.Error
	if !errors.As(err, &ve) || ve.Field != "Dv" {
		t.Fatalf("SaveJSON(invalid) = %v, want *valid.Error for Dv", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("SaveJSON(invalid) left a file (stat: %v)", err)
	}
}

func TestLoadJSONMissingFile(t *testing.T) {
	var a vit.Arch
	if err := LoadJSON(tempPath(t, "none.json"), &a); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadJSON(missing) = %v, want fs.ErrNotExist", err)
	}
}
