package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// doneWhenShare is issue 20's bar: each paper-shape GEMM at ≥ 80% of
// Peak/threads=all in the same run.
const doneWhenShare = 80.0

// maxShare is the most any reading can be: no GEMM outruns the FMA peak
// of its threads, so a reading above it names a disturbed reference
// (writeDoneWhen).
const maxShare = 100.0

// doneWhenRun collects what the summary TestMain prints after the run
// needs: per paper-shape GEMM sub-benchmark name, the %peak of each sample
// (BenchmarkGemm: the sample's GFLOP/s over an all-thread peak run right
// after it; b.Loop runs the benchmark function once per sample) and the
// sample's GFLOP/s; and the GFLOP/s of each BenchmarkPeak/threads=all
// sample. Benchmarks run one at a time, so it needs no lock.
type doneWhenRun struct {
	shares, gflops map[string][]float64
	peak           []float64 // Peak/threads=all, one value per sample
	peakN          int       // b.N of the latest Peak/threads=all call
}

var doneWhen = doneWhenRun{shares: map[string][]float64{}, gflops: map[string][]float64{}}

// addGemm records one sample of a paper-shape GEMM.
func (d *doneWhenRun) addGemm(name string, share, gflops float64) {
	d.shares[name] = append(d.shares[name], share)
	d.gflops[name] = append(d.gflops[name], gflops)
}

// addPeak records a call of BenchmarkPeak/threads=all with b.N = n. Its
// function runs several times per sample (b.N = 1, then larger until the
// bench time is reached: RunParallel has no b.Loop); a call with n = 1
// starts a sample and the last call of a sample is its value.
func (d *doneWhenRun) addPeak(n int, gflops float64) {
	if n == 1 || len(d.peak) == 0 || n < d.peakN {
		d.peak = append(d.peak, gflops)
	} else {
		d.peak[len(d.peak)-1] = gflops
	}
	d.peakN = n
}

// writeDoneWhen writes, for each paper shape in names, the two readings of
// issue 20's bar as "# " lines that benchstat skips (nothing if no shape
// was sampled):
//
//   - per sample: the median of the samples' %peak (each against the
//     all-thread peak run right after it, under the same load and clock);
//   - against the run's Peak/threads=all line: the median GEMM GFLOP/s
//     over the median of the Peak/threads=all samples of the same run.
//
// After a paper-shape GEMM the FMA peak reads 3–6% below the Peak line
// measured on its own (the clock after a memory-heavy product), so the
// second reading is the stricter one. The verdict is "met" only when every
// shape reaches doneWhenShare in both; without Peak/threads=all samples the
// second reading is missing and the verdict is NOT MET, naming it.
//
// No GEMM can run faster than the FMA peak of the same threads, so a
// reading above 100% says its reference was disturbed (another process
// took a core during the peak run), not that the GEMM is fast: a sample
// above 100% is dropped from the per-sample median and counted, and a
// shape above 100% of the Peak line is NOT MET, naming the line as
// disturbed (seen on a 2-core AMD EPYC where a compile ran during the
// Peak runs: 79.3 of 42.3 GFLOP/s, with 50 GFLOP/s per core).
func writeDoneWhen(w io.Writer, names []string, run doneWhenRun) {
	var lines []string
	all := true
	peakMed := 0.0
	if len(run.peak) > 0 {
		peakMed = median(run.peak)
	}
	for _, n := range names {
		if len(run.shares[n]) == 0 {
			continue
		}
		samples := run.shares[n]
		var v []float64 // the plausible samples
		for _, x := range samples {
			if x <= maxShare {
				v = append(v, x)
			}
		}
		lo, hi := slices.Min(samples), slices.Max(samples)
		var line string
		ok := len(v) > 0
		if ok {
			med := median(v)
			ok = med >= doneWhenShare
			line = fmt.Sprintf("#   %-26s per sample: median %5.1f%% (samples %d, %.1f–%.1f%%", n, med, len(samples), lo, hi)
		} else {
			line = fmt.Sprintf("#   %-26s per sample: no sample at or below %g%% (samples %d, %.1f–%.1f%%", n, maxShare, len(samples), lo, hi)
		}
		if d := len(samples) - len(v); d > 0 {
			line += fmt.Sprintf("; %d above %g%% dropped: the peak run after them was disturbed", d, maxShare)
		}
		line += "): " + meets(ok)
		if peakMed > 0 && len(run.gflops[n]) > 0 {
			g := median(run.gflops[n])
			share := 100 * g / peakMed
			okLine := share >= doneWhenShare && share <= maxShare
			ok = ok && okLine
			verdict := meets(okLine)
			if share > maxShare {
				verdict = fmt.Sprintf("above %g%%: the Peak line was disturbed, rerun", maxShare)
			}
			line += fmt.Sprintf("; against the Peak line: %.1f of %.1f GFLOP/s = %5.1f%%: %s", g, peakMed, share, verdict)
		} else {
			ok = false
			line += "; against the Peak line: no Peak/threads=all samples in this run"
		}
		all = all && ok
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return
	}
	verdict := "NOT MET"
	if all && len(lines) == len(names) {
		verdict = "met"
	}
	fmt.Fprintf(w, "# issue 20 done-when (paper shapes ≥ %.0f%% of Peak/threads=all in both readings, medians): %s\n%s\n", doneWhenShare, verdict, strings.Join(lines, "\n"))
}

// meets words one reading's verdict.
func meets(ok bool) string {
	if ok {
		return fmt.Sprintf("meets %.0f%%", doneWhenShare)
	}
	return fmt.Sprintf("below %.0f%%", doneWhenShare)
}

// TestWriteDoneWhen: each reading takes the median of its samples (the
// mean of the middle two for an even count), the verdict is "met" only
// when all three paper shapes reach the bar in both readings. Negative
// controls: one shape at 79.9% per sample, one at 79.9% against the Peak
// line, a missing shape, a run without Peak samples, a Peak line below the
// GEMM and a shape with every sample above 100% are NOT MET; a sample above
// 100% is dropped from its median.
func TestWriteDoneWhen(t *testing.T) {
	names := []string{"op=NN/m=320/n=1024/k=1024", "op=NT/m=320/n=1024/k=1024", "op=TN/m=1024/n=1024/k=320"}
	mk := func(shares map[string][]float64, gflops map[string][]float64, peak []float64) doneWhenRun {
		return doneWhenRun{shares: shares, gflops: gflops, peak: peak}
	}
	goodShares := map[string][]float64{
		names[0]: {90, 81, 70, 85, 79, 82}, // median (81+82)/2 = 81.5
		names[1]: {80, 80, 80},
		names[2]: {120, 95, 90}, // 120% is dropped: median (90+95)/2 = 92.5
	}
	goodGflops := map[string][]float64{names[0]: {170, 180}, names[1]: {160, 170, 200}, names[2]: {200}}
	peak := []float64{200, 250, 100, 210} // median 205: 175/205 = 85.4%, 170/205 = 82.9%, 200/205 = 97.6%
	write := func(run doneWhenRun) string {
		var sb strings.Builder
		writeDoneWhen(&sb, names, run)
		return sb.String()
	}
	out := write(mk(goodShares, goodGflops, peak))
	if !strings.Contains(out, ": met\n") || !strings.Contains(out, "median  81.5%") || strings.Contains(out, "below") ||
		!strings.Contains(out, "175.0 of 205.0 GFLOP/s =  85.4%") || !strings.Contains(out, "median  92.5% (samples 3, 90.0–120.0%; 1 above 100% dropped") {
		t.Fatalf("all shapes at ≥ 80%% in both readings:\n%s", out)
	}
	bad := map[string][]float64{names[0]: goodShares[names[0]], names[1]: {79.9, 79.9, 90}, names[2]: goodShares[names[2]]}
	if out := write(mk(bad, goodGflops, peak)); !strings.Contains(out, "NOT MET") || !strings.Contains(out, "median  79.9% (samples 3, 79.9–90.0%): below 80%") {
		t.Fatalf("NT at 79.9%% per sample:\n%s", out)
	}
	slow := map[string][]float64{names[0]: goodGflops[names[0]], names[1]: goodGflops[names[1]], names[2]: {163.7}} // 163.7/205 = 79.9%
	if out := write(mk(goodShares, slow, peak)); !strings.Contains(out, "NOT MET") || !strings.Contains(out, "=  79.9%: below 80%") {
		t.Fatalf("TN at 79.9%% of the Peak line:\n%s", out)
	}
	if out := write(mk(map[string][]float64{names[0]: {99}, names[1]: {99}}, goodGflops, peak)); !strings.Contains(out, "NOT MET") {
		t.Fatalf("TN missing:\n%s", out)
	}
	if out := write(mk(goodShares, goodGflops, nil)); !strings.Contains(out, "NOT MET") || !strings.Contains(out, "no Peak/threads=all samples") {
		t.Fatalf("no Peak samples:\n%s", out)
	}
	// A disturbed Peak line (the GEMM above it) is not a pass, nor is a
	// shape whose every sample is above 100%.
	if out := write(mk(goodShares, goodGflops, []float64{100, 110})); !strings.Contains(out, "NOT MET") ||
		!strings.Contains(out, "200.0 of 105.0 GFLOP/s = 190.5%: above 100%: the Peak line was disturbed, rerun") {
		t.Fatalf("Peak line below the GEMM:\n%s", out)
	}
	fast := map[string][]float64{names[0]: goodShares[names[0]], names[1]: goodShares[names[1]], names[2]: {142.8, 101}}
	if out := write(mk(fast, goodGflops, peak)); !strings.Contains(out, "NOT MET") || !strings.Contains(out, "no sample at or below 100% (samples 2, 101.0–142.8%; 2 above 100% dropped") {
		t.Fatalf("every TN sample above 100%%:\n%s", out)
	}
	if out := write(mk(nil, nil, peak)); out != "" {
		t.Fatalf("no samples: wrote %q", out)
	}
}

// TestAddPeak: the calls of one Peak/threads=all sample (b.N = 1, then
// growing) leave one value, the last; b.N = 1 or a smaller b.N starts the
// next sample. Negative control: a sequence read as one sample per call
// would have 7 values.
func TestAddPeak(t *testing.T) {
	var d doneWhenRun
	for _, c := range []struct {
		n int
		g float64
	}{{1, 50}, {100, 150}, {5000, 210}, {1, 60}, {100, 170}, {6000, 220}, {3000, 200}} {
		d.addPeak(c.n, c.g)
	}
	if want := []float64{210, 220, 200}; !slices.Equal(d.peak, want) {
		t.Fatalf("peak samples %v, want %v", d.peak, want)
	}
}
