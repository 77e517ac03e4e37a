package linalg

// KernelBench runs the active GEMM micro-kernel alone on one packed A
// micro-panel (mr×kcMax) and one packed B micro-panel (kcMax×nr) that stay
// in L1, merging into a tile: the micro-kernel's own throughput, without
// packing, cache blocking or the split over threads. bench/ times it next
// to the FMA peak (PeakFMA) and the whole Gemm, so that the kernel's share
// of peak and the blocking's share of the kernel are measured separately.
type KernelBench struct {
	a, b, c []float64
}

// NewKernelBench returns a KernelBench for the active micro-kernel.
func NewKernelBench() *KernelBench {
	kb := &KernelBench{
		a: make([]float64, kern.mr*kcMax),
		b: make([]float64, kcMax*kern.nr),
		c: make([]float64, kern.mr*kern.nr),
	}
	for i := range kb.a {
		kb.a[i] = float64(i%7) * 0x1p-3
	}
	for i := range kb.b {
		kb.b[i] = float64(i%5) * 0x1p-2
	}
	return kb
}

// Run calls the micro-kernel n times (depth kcMax, merge mode "set") and
// returns the flops done, 2·mr·nr·kcMax per call.
func (kb *KernelBench) Run(n int) float64 {
	k := kern
	for range n {
		k.fn(kcMax, kb.a, 1, k.mr, kb.b, k.nr, kb.c, k.nr, 1, 0, modeSet)
	}
	return float64(n) * 2 * float64(k.mr*k.nr*kcMax)
}
