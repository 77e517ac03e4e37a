package figure

import (
	"slices"
	"testing"
)

// TestParseScripts: TeX-like script markup splits into runs; an
// unbalanced brace or a trailing marker stays plain text.
func TestParseScripts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []run
	}{
		{"a_1 (signal)", []run{{"a", 0}, {"1", -1}, {" (signal)", 0}}},
		{"ξ_{n,2}ᵀu", []run{{"ξ", 0}, {"n,2", -1}, {"ᵀu", 0}}},
		{"W_QW_K", []run{{"W", 0}, {"Q", -1}, {"W", 0}, {"K", -1}}},
		{"SNR_2^{2}", []run{{"SNR", 0}, {"2", -1}, {"2", 1}}},
		{"x_{open", []run{{"x_{open", 0}}},
		{"end_", []run{{"end_", 0}}},
		{"plain", []run{{"plain", 0}}},
	} {
		if got := parseScripts(c.in); !slices.Equal(got, c.want) {
			t.Errorf("parseScripts(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
