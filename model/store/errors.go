package store

import (
	"fmt"
	"strings"
)

// FormatError reports a file that does not follow the layout documented in
// the package comment, or, on save, a value that could not be written in it.
type FormatError struct {
	Path   string // the file
	Array  string // the .npz array concerned; "" for the file as a whole
	Field  string // the JSON field concerned (LoadJSON), or ""
	Reason string // what is wrong, e.g. "dtype '<f4', want '<f8'"
	Err    error  // the underlying error (zip, I/O, *valid.Error), or nil
}

func (e *FormatError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: %s", e.Path)
	if e.Array != "" {
		fmt.Fprintf(&b, ": array %s", e.Array)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the underlying error, so that errors.Is and errors.As see
// zip.ErrChecksum, io.ErrUnexpectedEOF or a wrapped *valid.Error.
func (e *FormatError) Unwrap() error { return e.Err }
