package linalg

import (
	"errors"
	"testing"
)

// TestChooseKernels: VITADV_KERNEL picks an available kernel, keeps the
// best one when empty or "auto", and reports a typed error naming the
// variable and the value for a kernel this CPU lacks or a misspelling.
func TestChooseKernels(t *testing.T) {
	have := []string{"purego", "avx2", "avx512"}
	for _, tc := range []struct {
		v, want string
		bad     bool
	}{
		{"", "avx512", false},
		{"auto", "avx512", false},
		{"avx2", "avx2", false},
		{"purego", "purego", false},
		{"avx512", "avx512", false},
		{"AVX2", "avx512", true},
		{"sse", "avx512", true},
	} {
		got, err := chooseKernels(tc.v, have)
		var ee *EnvError
		if got != tc.want || (err != nil) != tc.bad || (tc.bad && !(errors.As(err, &ee) && ee.Var == KernelEnv && ee.Value == tc.v)) {
			t.Errorf("chooseKernels(%q) = %q, %v; want %q, error %v", tc.v, got, err, tc.want, tc.bad)
		}
	}
	// A CPU without AVX-512: asking for it is an error, and the AVX2 kernels stay.
	if got, err := chooseKernels("avx512", have[:2]); got != "avx2" || err == nil {
		t.Errorf("chooseKernels(avx512) without AVX-512 = %q, %v; want avx2 and an error", got, err)
	}
}
