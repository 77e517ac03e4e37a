// Package sweep is the engine that runs a grid of independent cells into
// one CSV file: resumable (a killed run loses no finished cell: each cell's
// rows are appended and synced as it finishes, a torn tail is dropped on
// restart), shardable (shard i of n owns the cells ≡ i mod n; Merge joins
// the shard files), locked (a second writer of the same file gets a
// *LockedError), and sorted once complete, so the file is the same bytes
// whatever the order, the number of workers or the shards the cells ran in.
//
// A Job lists its Cells (formatted parameter fields and a per-cell seed
// rng.Derive(seed, index)), its column names and the function that runs a
// cell; Execute runs the cells of a shard on a worker pool with progress
// lines and an ETA. The configurations that build jobs live in package
// experiment; this package knows nothing of training.
package sweep
