package linalg

import (
	"errors"
	"fmt"
	"os"
)

// KernelEnv is the environment variable that overrides the kernel choice
// made from the CPU: "avx2" forces the AVX2+FMA kernels on a CPU that also
// has AVX-512F (how the AVX2 path is measured on such a machine), "avx512"
// asks for the AVX-512 kernels, "purego" for the pure-Go kernels; empty or
// "auto" keeps the fastest kernels this CPU has. Every choice gives the
// same bits (paths_test.go); only speed and Path() change.
const KernelEnv = "VITADV_KERNEL"

// EnvError reports a value of KernelEnv that this build or CPU cannot
// honour; the kernels then stay the CPU's default.
type EnvError struct {
	Var, Value string
	Reason     string
}

func (e *EnvError) Error() string {
	kept := Path()
	if e.Var == SpinEnv {
		kept = "auto"
	}
	return fmt.Sprintf("linalg: %s=%q: %s (kept %s)", e.Var, e.Value, e.Reason, kept)
}

// envErr is the outcome of reading KernelEnv at start-up (nil if it was
// honoured or unset); it is set once by the init function that picks the
// kernels and never changes afterwards.
var envErr error

// KernelEnvErr returns a *EnvError if KernelEnv named a kernel that this
// build or CPU does not have, or SpinEnv a value that is neither "auto"
// nor a duration in range (both joined if both), or nil. Programs that report their kernel
// path (bench, cmd/peercmp) refuse to run with it, so that a mistyped
// switch never measures the wrong path silently.
func KernelEnvErr() error { return errors.Join(envErr, spinErr) }

// chooseKernels returns the kernel names to activate for the value v of
// KernelEnv, given the kernels this build and CPU have (in increasing
// preference; the last is the default), or an *EnvError.
func chooseKernels(v string, have []string) (string, error) {
	best := have[len(have)-1]
	switch v {
	case "", "auto":
		return best, nil
	}
	for _, h := range have {
		if h == v {
			return h, nil
		}
	}
	switch v {
	case "avx2", "avx512", "purego":
		return best, &EnvError{Var: KernelEnv, Value: v, Reason: "not available on this CPU or in this build"}
	}
	return best, &EnvError{Var: KernelEnv, Value: v, Reason: `want one of "auto", "avx512", "avx2", "purego"`}
}

// kernelEnvValue reads KernelEnv.
func kernelEnvValue() string { return os.Getenv(KernelEnv) }
