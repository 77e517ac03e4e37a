package mutate

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Mutant is one planted bug: in File, the exact text Original (which must
// occur exactly once) is replaced by Replacement.
type Mutant struct {
	ID          string // unique, [A-Za-z0-9._-]+
	File        string // slash-separated path relative to the module root
	Desc        string // the bug it plants, in words
	Note        string // optional: why it is expected to survive, dependencies
	Original    string
	Replacement string
	Line        int // line of the catalogue where the mutant starts
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Parse reads a catalogue. Its format, one block per mutant:
//
//	# comment lines and blank lines between blocks are ignored
//	mutant <id>
//	file <path relative to the module root>
//	desc <one line>
//	note <one line, optional>
//	<<<
//	original text, verbatim (tabs kept), one or more lines
//	===
//	replacement text, verbatim, zero or more lines
//	>>>
//
// The original and replacement are the lines between the markers joined
// by "\n", without a trailing newline.
func Parse(r io.Reader) ([]Mutant, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var (
		out   []Mutant
		cur   *Mutant
		state int // 0 header, 1 original, 2 replacement
		buf   []string
		n     int
		seen  = map[string]int{}
	)
	fail := func(format string, a ...any) error {
		return fmt.Errorf("catalogue line %d: %s", n, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		switch state {
		case 1, 2:
			switch line {
			case "===":
				if state != 1 {
					return nil, fail("second === in mutant %s", cur.ID)
				}
				cur.Original = strings.Join(buf, "\n")
				buf, state = nil, 2
			case ">>>":
				if state != 2 {
					return nil, fail("missing === in mutant %s", cur.ID)
				}
				cur.Replacement = strings.Join(buf, "\n")
				if cur.Original == cur.Replacement {
					return nil, fail("mutant %s: replacement equals original", cur.ID)
				}
				if strings.TrimSpace(cur.Original) == "" {
					return nil, fail("mutant %s: empty original", cur.ID)
				}
				out = append(out, *cur)
				cur, buf, state = nil, nil, 0
			default:
				buf = append(buf, line)
			}
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		key, val, _ := strings.Cut(t, " ")
		val = strings.TrimSpace(val)
		switch key {
		case "mutant":
			if cur != nil {
				return nil, fail("mutant %s has no <<< block", cur.ID)
			}
			if !idRE.MatchString(val) {
				return nil, fail("bad mutant id %q", val)
			}
			if l, ok := seen[val]; ok {
				return nil, fail("duplicate mutant id %q (first at line %d)", val, l)
			}
			seen[val] = n
			cur = &Mutant{ID: val, Line: n}
		case "file", "desc", "note":
			if cur == nil {
				return nil, fail("%s outside a mutant", key)
			}
			switch key {
			case "file":
				cur.File = filepath.ToSlash(val)
			case "desc":
				cur.Desc = val
			case "note":
				cur.Note = val
			}
		case "<<<":
			if cur == nil {
				return nil, fail("<<< outside a mutant")
			}
			if cur.File == "" || cur.Desc == "" {
				return nil, fail("mutant %s needs file and desc before <<<", cur.ID)
			}
			state = 1
		default:
			return nil, fail("unexpected %q", t)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("catalogue: mutant %s not terminated by >>>", cur.ID)
	}
	return out, nil
}

// ParseFile reads the catalogue at path.
func ParseFile(path string) ([]Mutant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Apply returns src with m applied. It fails unless m.Original occurs in
// src exactly once, so a stale catalogue is caught rather than skipped.
func (m Mutant) Apply(src string) (string, error) {
	switch c := strings.Count(src, m.Original); c {
	case 1:
		return strings.Replace(src, m.Original, m.Replacement, 1), nil
	case 0:
		return "", fmt.Errorf("mutant %s: original snippet not found in %s", m.ID, m.File)
	default:
		return "", fmt.Errorf("mutant %s: original snippet occurs %d times in %s (must be exactly once)", m.ID, c, m.File)
	}
}

// Check applies every mutant to the files under root and reports every
// mutant that does not apply (all of them, joined), without writing.
func Check(root string, ms []Mutant) error {
	var errs []string
	for _, m := range ms {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
		if err != nil {
			errs = append(errs, fmt.Sprintf("mutant %s: %v", m.ID, err))
			continue
		}
		if _, err := m.Apply(string(b)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("stale catalogue:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}
