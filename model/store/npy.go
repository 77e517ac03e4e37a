package store

// The .npy format, version 1.0 for writing and 1.0–3.0 for reading:
//
//	"\x93NUMPY" | major | minor | HEADER_LEN (uint16 LE; uint32 LE from v2.0) | dict | data
//
// where dict is a Python literal such as
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" padded with
// spaces and ended by '\n' so that the preamble's length is a multiple of 64.
// Reference: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//
// The reader below is written for untrusted bytes: every length is checked
// before it is used, nothing is allocated from a size the file merely
// claims (see readF8), and it never panics. It replaces npyio's npy reader
// (v0.14.0), which panics on a header without '\n' (slice bounds out of
// range in readHeader) and allocates whatever length the header claims;
// the tests use npyio as an independent check of the files we write.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	npyMagic = "\x93NUMPY"
	// dtypeF8 is the only numeric dtype: little-endian IEEE-754 float64.
	dtypeF8 = "<f8"
	// npyAlign is the preamble alignment NumPy ≥ 1.14 writes (earlier: 16).
	npyAlign = 64
	// maxHeaderLen bounds the dict we accept. NumPy refuses more than
	// 10 000 bytes by default (max_header_size); ours are under 128.
	maxHeaderLen = 1 << 16
	// maxDims is NumPy's NPY_MAXDIMS (64 since NumPy 2.0, 32 before).
	maxDims = 64
	// maxUnicodeLen bounds a '<U' string (code points): arch_json is ~80.
	maxUnicodeLen = 1 << 20
	// chunkBytes is the read and write granularity of array data.
	chunkBytes = 1 << 16
)

// npyHeader is the parsed header dict.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// count returns the product of the dimensions (1 for a scalar) and whether
// count·elemSize fits in an int.
func count(shape []int, elemSize int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt/elemSize/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// shapeString renders shape as a Python tuple: "()", "(5,)", "(2, 3)".
func shapeString(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// encodeHeader returns the .npy v1.0 preamble of a C-order array, padded
// with spaces and ended by '\n' to a multiple of npyAlign bytes.
func encodeHeader(descr string, shape []int) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shapeString(shape))
	const fixed = len(npyMagic) + 2 + 2 // magic, version, HEADER_LEN
	total := (fixed + len(dict) + 1 + npyAlign - 1) / npyAlign * npyAlign
	b := make([]byte, 0, total)
	b = append(b, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(total-fixed))
	b = append(b, dict...)
	for len(b) < total-1 {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// readHeader reads and parses the preamble of a .npy stream.
func readHeader(r io.Reader) (npyHeader, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return npyHeader{}, fmt.Errorf("npy preamble truncated: %w", err)
	}
	if string(pre[:6]) != npyMagic {
		return npyHeader{}, errors.New(`not a .npy entry (magic "\x93NUMPY" missing)`)
	}
	var n int
	switch major := pre[6]; major {
	case 1:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return npyHeader{}, fmt.Errorf("npy preamble truncated: %w", err)
		}
		n = int(binary.LittleEndian.Uint16(l[:]))
	case 2, 3: // 3.0 differs only in allowing UTF-8 in the dict
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return npyHeader{}, fmt.Errorf("npy preamble truncated: %w", err)
		}
		u := binary.LittleEndian.Uint32(l[:])
		if u > maxHeaderLen {
			return npyHeader{}, fmt.Errorf("npy header of %d bytes, limit %d", u, maxHeaderLen)
		}
		n = int(u)
	default:
		return npyHeader{}, fmt.Errorf("npy format version %d.%d not supported", major, pre[7])
	}
	dict := make([]byte, n)
	if _, err := io.ReadFull(r, dict); err != nil {
		return npyHeader{}, fmt.Errorf("npy header truncated: %w", err)
	}
	return parseDict(string(dict))
}

// parseDict parses the header dict: a Python dict literal with exactly the
// keys 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a
// tuple of non-negative ints), followed by padding whitespace.
func parseDict(s string) (npyHeader, error) {
	p := &dictParser{s: s}
	h, err := p.dict()
	if err != nil {
		return npyHeader{}, fmt.Errorf("npy header %q: %w", truncate(s, 120), err)
	}
	return h, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

type dictParser struct {
	s   string
	pos int
}

func (p *dictParser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// accept consumes c (after whitespace) and reports whether it was there.
func (p *dictParser) accept(c byte) bool {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *dictParser) expect(c byte) error {
	if !p.accept(c) {
		return fmt.Errorf("expected %q at byte %d", c, p.pos)
	}
	return nil
}

// str parses a quoted string without escapes.
func (p *dictParser) str() (string, error) {
	p.space()
	if p.pos >= len(p.s) || (p.s[p.pos] != '\'' && p.s[p.pos] != '"') {
		return "", fmt.Errorf("expected a string at byte %d", p.pos)
	}
	q := p.s[p.pos]
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", errors.New("escape sequences are not supported")
	}
	p.pos += end + 2
	return v, nil
}

// word parses an identifier or a run of digits.
func (p *dictParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

// tuple parses "()", "(5,)" or "(2, 3)".
func (p *dictParser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	shape := []int{}
	for !p.accept(')') {
		w := strings.TrimSuffix(p.word(), "L") // Python 2 long literals
		d, err := strconv.Atoi(w)
		if err != nil || d < 0 || w == "" || w[0] == '+' {
			return nil, fmt.Errorf("shape entry %q at byte %d is not a non-negative integer", w, p.pos)
		}
		if len(shape) == maxDims {
			return nil, fmt.Errorf("more than %d dimensions", maxDims)
		}
		shape = append(shape, d)
		if !p.accept(',') {
			if err := p.expect(')'); err != nil {
				return nil, err
			}
			break
		}
	}
	return shape, nil
}

func (p *dictParser) dict() (npyHeader, error) {
	var h npyHeader
	seen := map[string]bool{}
	if err := p.expect('{'); err != nil {
		return h, err
	}
	for !p.accept('}') {
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return h, err
		}
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, err
			}
		case "fortran_order":
			switch w := p.word(); w {
			case "True":
				h.fortran = true
			case "False":
				h.fortran = false
			default:
				return h, fmt.Errorf("fortran_order %q is not True or False", w)
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		if !p.accept(',') {
			if err := p.expect('}'); err != nil {
				return h, err
			}
			break
		}
	}
	p.space()
	if p.pos != len(p.s) {
		return h, fmt.Errorf("unexpected %q after the dict", truncate(p.s[p.pos:], 20))
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("key %q missing", k)
		}
	}
	return h, nil
}

// readF8 reads the n little-endian float64 values that follow a '<f8'
// header. It allocates all n up front only when trusted is set (the
// caller has checked that the file holds at least 8n bytes); otherwise the
// slice grows with the bytes actually read, so a header claiming a huge
// shape costs no more memory than the file's real contents.
func readF8(r io.Reader, n int, trusted bool) ([]float64, error) {
	c := n
	if !trusted {
		c = min(n, chunkBytes/8)
	}
	data := make([]float64, 0, c)
	buf := make([]byte, min(chunkBytes, 8*n))
	for len(data) < n {
		k := min(n-len(data), len(buf)/8)
		b := buf[:8*k]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("data truncated after %d of %d values: %w", len(data), n, err)
		}
		for i := 0; i < k; i++ {
			data = append(data, math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	}
	return data, nil
}

// writeF8 writes data as little-endian float64.
func writeF8(w io.Writer, data []float64) error {
	buf := make([]byte, 0, min(chunkBytes, 8*len(data)))
	for len(data) > 0 {
		k := min(len(data), chunkBytes/8)
		buf = buf[:0]
		for _, v := range data[:k] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
}

// fortranToC reorders column-major data of the given shape into row-major.
func fortranToC(data []float64, shape []int) []float64 {
	if len(shape) < 2 {
		return data
	}
	// stride[k] is the Fortran-order stride of axis k.
	stride := make([]int, len(shape))
	s := 1
	for k, d := range shape {
		stride[k] = s
		s *= d
	}
	out := make([]float64, len(data))
	idx := make([]int, len(shape))
	for i := range out {
		off := 0
		for k, j := range idx {
			off += j * stride[k]
		}
		out[i] = data[off]
		// Advance the C-order odometer: last axis fastest.
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// unicodeDescr returns the dtype of a NumPy unicode string of n code points.
func unicodeDescr(n int) string { return "<U" + strconv.Itoa(n) }

// parseUnicodeDescr returns n for a '<U{n}' dtype.
func parseUnicodeDescr(descr string) (int, bool) {
	rest, ok := strings.CutPrefix(descr, "<U")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > maxUnicodeLen || rest[0] == '+' {
		return 0, false
	}
	return n, true
}

// encodeUnicode returns s as UTF-32LE, NumPy's '<U' storage.
func encodeUnicode(s string) (data []byte, n int) {
	for _, r := range s {
		data = binary.LittleEndian.AppendUint32(data, uint32(r))
		n++
	}
	return data, n
}

// readUnicode reads a '<U{n}' scalar: n UTF-32LE code points, trailing NULs
// being padding (NumPy strips them too).
func readUnicode(r io.Reader, n int) (string, error) {
	b := make([]byte, 4*n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("string truncated: %w", err)
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		c := rune(binary.LittleEndian.Uint32(b[4*i:]))
		if !utf8.ValidRune(c) {
			return "", fmt.Errorf("invalid code point %#x at position %d", uint32(c), i)
		}
		sb.WriteRune(c)
	}
	return strings.TrimRight(sb.String(), "\x00"), nil
}

// expectEOF reads past the end of an entry. Reading to EOF is what makes
// archive/zip compare the entry's CRC-32, so this also detects corruption.
func expectEOF(r io.Reader) error {
	var b [1]byte
	_, err := io.ReadFull(r, b[:])
	switch {
	case err == io.EOF:
		return nil
	case err == nil:
		return errors.New("trailing bytes after the array data")
	}
	return err
}
