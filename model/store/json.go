package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// validator is implemented by the module's configuration types
// (data.Config, vit.Arch, vit.Init, ...).
type validator interface{ Validate() error }

// SaveJSON writes v to path as indented JSON (two spaces, trailing newline)
// through WriteFileAtomic. If v has a Validate method, it is called first
// and its error (a *valid.Error) returned unchanged, so that nothing
// LoadJSON would reject is ever written.
func SaveJSON(path string, v any) error {
	if c, ok := v.(validator); ok {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// LoadJSON decodes the JSON value in path into v (a pointer) strictly: an
// unknown field, a value of the wrong type, a syntax error or trailing data
// is a *FormatError naming the field (or the byte offset). Then, if v has a
// Validate method, its error (a *valid.Error) is returned unchanged.
func LoadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &FormatError{Path: path, Reason: fmt.Sprintf("trailing data after the JSON value at byte %d", dec.InputOffset())}
	}
	if c, ok := v.(validator); ok {
		return c.Validate()
	}
	return nil
}

// unknownFieldPrefix is the message encoding/json gives for an unknown
// field under DisallowUnknownFields (it has no typed error for it).
const unknownFieldPrefix = "json: unknown field "

// jsonError turns a decoding error into a *FormatError naming the field.
func jsonError(path string, err error) error {
	fe := &FormatError{Path: path, Err: err}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		fe.Field = typeErr.Field
		fe.Reason = fmt.Sprintf("JSON %s cannot be stored in Go type %v", typeErr.Value, typeErr.Type)
	case errors.As(err, &syntaxErr):
		fe.Reason = fmt.Sprintf("syntax error at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		fe.Reason = "truncated JSON"
	case strings.HasPrefix(err.Error(), unknownFieldPrefix):
		name := strings.TrimPrefix(err.Error(), unknownFieldPrefix)
		if unq, uerr := strconv.Unquote(name); uerr == nil {
			name = unq
		}
		fe.Field = name
		fe.Reason = "unknown field"
		fe.Err = nil // its message would only repeat the name
	}
	return fe
}
