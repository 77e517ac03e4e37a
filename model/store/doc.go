// Package store saves and loads configurations, data sets, models and
// per-step trajectories in formats that NumPy and any JSON reader load
// without this module:
//
//	import json, numpy as np
//	cfg = json.load(open("data.json"))
//	s = np.load("train.npz"); X, y = s["X"], s["y"]            # (N, M, D), (N,)
//	m = np.load("model.npz"); arch = json.loads(m["arch_json"].item())
//	np.savez("new.npz", W_Q=Wq, W_K=Wk, W_V=Wv, w_O=wo,      # float64 arrays
//	         arch_json=json.dumps(arch))                       # loads with LoadModel
//
// Every file is written by WriteFileAtomic: a reader sees either the old file
// or the complete new one, never a half-written file.
//
// # JSON
//
// SaveJSON writes indented JSON; LoadJSON decodes strictly (an unknown field
// is a *FormatError naming it) and then calls the value's Validate method, if
// it has one, returning its *valid.Error unchanged.
//
// # .npz files
//
// An .npz file is a zip archive (method "store", as numpy.savez writes it)
// with one NumPy .npy v1.0 entry per array, named "<name>.npy" and written in
// sorted name order with zeroed timestamps, so that equal values give equal
// bytes. Floating-point arrays are little-endian float64 ('<f8') in C
// (row-major) order. Each entry's CRC-32 covers its .npy header and data,
// so a corrupted byte in any array is detected on load; zip metadata outside
// the entries (timestamps, attributes) is not protected, but a change there
// cannot alter a loaded value.
//
// Data sets (SaveSet, LoadSet; a *data.Set):
//
//	name     dtype  shape      content
//	X        <f8    (N, M, D)  X[n, l, k]: coordinate k of token l of sample n
//	                           (token 0 carries the signal μ_y, token 1 is ξ₂)
//	y        <f8    (N,)       observed labels ±1 (after label flips)
//	y_clean  <f8    (N,)       labels before flipping, ±1
//	mu_norm  <f8    ()         ‖μ‖ of the signals μ₊ = ‖μ‖e₁, μ₋ = ‖μ‖e₂
//	                           (data.Set.Mu); optional: files without it
//	                           load with Mu = 0 (unknown)
//
// Models (SaveModel, LoadModel; a *vit.Model, docs/THEORY.md §2.1):
//
//	name       dtype  shape     content
//	W_Q        <f8    (D, Dh)   query weights: Q = X @ W_Q for X of shape (M, D)
//	W_K        <f8    (D, Dh)   key weights:   K = X @ W_K
//	W_V        <f8    (D, Dv)   value weights
//	w_O        <f8    (Dv,)     output head:
//	                            f = softmax(s * Q @ K.T, axis=1).mean(0) @ X @ W_V @ w_O
//	arch_json  <U#    ()        JSON object of vit.Arch, e.g.
//	                            {"d":8,"d_h":4,"d_v":4,"scale_scores":false,"train_wo":false}
//
// PyTorch's nn.Linear stores the transposes: q.weight = W_Q.T, and likewise
// for K and V. arch_json is a 0-d NumPy unicode array (dtype '<U' + its
// length), which is what np.array(json.dumps(arch)) gives; D, Dh and Dv in it
// must agree with the array shapes, and s = 1/√Dh if scale_scores, else 1. Model weights may be non-finite (a
// diverged run is still worth inspecting); data-set entries may not.
//
// Generic arrays (SaveArrays, LoadArrays): any set of named '<f8' arrays of
// any shape, e.g. a training trajectory with one (steps,) column per logged
// quantity. Names are Python identifiers ([A-Za-z_][A-Za-z0-9_]*), so that
// np.load(path)[name] works.
//
// # Errors
//
// Loaders never panic on bad input. A file that does not follow the layout
// above (missing or unexpected array, wrong dtype, shapes that disagree,
// labels other than ±1, truncated or corrupted bytes) gives a *FormatError
// naming the file, the array and the reason; when a vit.Arch or a rule of
// package valid is broken, the *valid.Error is wrapped inside it. A missing
// file gives the *fs.PathError of package os.
//
// The loader also reads .npz files written by numpy.savez,
// numpy.savez_compressed and codeberg.org/sbinet/npyio (deflate entries,
// .npy v2.0/v3.0 headers, entry names without ".npy", Fortran-order arrays).
package store
