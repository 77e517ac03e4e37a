//go:build openblas && openblas_all && cgo

package linalg

// -tags openblas,openblas_all sends every product to OpenBLAS, so that
// `go test -tags openblas,openblas_all ./model/vit` checks the model on
// that path at the tests' tiny sizes.
func init() { bigMinFlops = 0 }
