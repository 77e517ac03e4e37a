//go:build !amd64 || purego

package attack

// divAVX is false: divTo runs the Go loop.
const divAVX = false

func divAVXasm(dst, src *float64, n int, d float64) {
	panic("attack: divAVXasm without AVX")
}
