//go:build !amd64 || purego

package certify

// accumAVX is false: accum4 runs the Go loop.
const accumAVX = false

func accum4AVX(q, k, qa, ka, wq, wk, wqa, wka *float64, n int, xv, ax float64) {
	panic("certify: accum4AVX without AVX")
}
