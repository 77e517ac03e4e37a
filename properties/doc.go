// Package properties holds the rapid property tests of the statements in
// package theorems: for each statement, three tests (docs/STYLE.md §8):
//
//	TestX         the property over instances drawn from generators whose
//	              ranges are the statement's hypotheses (theorems.Statement.Axes:
//	              integer indices on log grids, every draw labelled);
//	TestXTight    an extremal instance, in both directions: the statement
//	              holds at its constant, and fails when strengthened — for a
//	              [DER] bound attained exactly, by 1 + 1e-6 (exactFactor; so
//	              a constant weakened by more than that fails the test); for
//	              a band statement, by the first factor of 1.3, 1.5, 2, 3, 5,
//	              10 at which it failed when written, pinned at each call;
//	TestXControl  an instance outside the hypotheses: the statement returns a
//	              *theorems.HypothesisError with the value and the limit;
//	              with the hypothesis relaxed, what happens is asserted (the
//	              claim breaks, or — stated as such — it does not), and
//	              every control includes a case where the check fails.
//
// Scale. By default the statements are instantiated at theorems.Tiny (d = 64,
// M = 4, d_h = d_v = 32) and training-heavy properties draw from a narrowed
// sub-range of their axes (documented at each test) so that
// `go test ./theorems ./properties` stays within about a minute on two cores;
// -short narrows further. VITADV_SCALE names another scale of
// theorems.Scales — ci (d = 128, M = 8), mid (d = 256, M = 8, THEORY §6.5's
// CI-scale config) or paper (d = 1024, M = 16, the paper's heatmap size) —
// and switches to the full axes; any other value fails every test (TestMain).
// Combine with many checks (`make prop`, `make prop-paper`):
//
//	VITADV_SCALE=mid go test ./properties -rapid.checks=2000 -timeout 6h
//
// A counterexample replays only at the scale it was recorded at (its file's
// scale.name): under VITADV_SCALE=mid, TestFindings replays the mid ones.
//
// Findings. A statement that fails at this scale (a counterexample found by
// cmd/hunt, committed under results/hunt and listed in recordedFiles) is not
// a test failure by default: TestFindings re-reads every committed file
// (a missing, garbled or unlisted one fails), replays it, and logs one
// FINDING line per statement (`go test -run TestFindings -v ./properties`,
// run by .ci/run); the statement's property test replays its findings,
// asserts that each still fails, and skips the random search.
// VITADV_STRICT=1 (0 or unset: off; any other value fails every test)
// turns every recorded finding into a failure: the property
// test asserts each holds, and searches the full hypothesis ranges (no
// narrowing). Fail files of rapid live in testdata/rapid/ (only those that
// exposed real bugs are committed); TestFindings fails on one rapid would
// silently ignore.
//
// Rounding. A quantity that a 1-ulp change of the initialization moves
// (theorems.Instance.Jitter, theorems.Lab.Chaos) is chaotic: a kernel with
// another summation order may flip a verdict on it. Such claims are stated
// over the nominal run and its 1-ulp reruns (P7: TestRegimeBoundaryChaos
// logs the divergence), and tests assert no verdict on a chaotic quantity
// of a single trajectory. `go test -tags avx512asm ./properties` must give
// the same verdicts as the default build.
package properties
