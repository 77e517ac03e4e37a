//go:build !amd64 || purego

package linalg

// Without the amd64 assembly the pure-Go kernels are the only ones;
// VITADV_KERNEL may name them ("purego") or be unset.
func init() {
	_, envErr = chooseKernels(kernelEnvValue(), []string{"purego"})
}
