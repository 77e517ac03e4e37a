package main

import (
	"bytes"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// TestRunRejectsBadFlags: bad arguments fail before any benchmark runs.
func TestRunRejectsBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-sizes", "paper,huge"}, `unknown size "huge"`},
		{[]string{"-rounds", "0"}, "-rounds and -threads must be >= 1"},
		{[]string{"-threads", "0"}, "-rounds and -threads must be >= 1"},
		{[]string{"-kernels", "auto,avx3"}, `-kernels: unknown kernel "avx3"`},
		{[]string{"-kernels", "avx2,avx2"}, `-kernels: kernel "avx2" given twice`},
		{[]string{"-kernels", "auto,"}, `-kernels: unknown kernel ""`},
		{[]string{"-peer-threads", "1,x"}, `-peer-threads: "x" is not a thread count >= 1`},
		{[]string{"-peer-threads", "0"}, `-peer-threads: "0" is not a thread count >= 1`},
		{[]string{"-peer-threads", "2,2"}, "-peer-threads: 2 given twice"},
	} {
		err := run(io.Discard, io.Discard, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

// TestShapesMatchBench: every comparison size names a sub-benchmark that
// bench/vit_test.go defines (the Go side is found by that name).
func TestShapesMatchBench(t *testing.T) {
	want := map[string]bool{
		"N=20/M=16/d=1024/dh=512": true,
		"N=10/M=4/d=64/dh=32":     true,
		"N=50/M=8/d=256/dh=128":   true,
	}
	for _, s := range shapes {
		if !want[s.sub()] {
			t.Errorf("shape %s = %s, not a size of bench/vit_test.go", s.name, s.sub())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}} {
		if got := median(c.v); got != c.want {
			t.Errorf("median(%v) = %g, want %g", c.v, got, c.want)
		}
	}
}

// TestHelpExitsZero: -h prints the usage and is not an error; a stray
// argument is.
func TestHelpExitsZero(t *testing.T) {
	var out, errw bytes.Buffer
	if err := run(&out, &errw, []string{"-h"}); err != nil {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(errw.String(), "-rounds int") {
		t.Errorf("-h usage lacks \"-rounds int\":\n%s", errw.String())
	}
	if err := run(&out, &errw, []string{"stray"}); err == nil || !strings.Contains(err.Error(), "stray") {
		t.Errorf("stray argument: err = %v, want an error naming it", err)
	}
}

// TestPortableArgs: absolute paths in the recorded command become base
// names; everything else is kept as given.
func TestPortableArgs(t *testing.T) {
	got := strings.Join(portableArgs([]string{"-python", "/opt/venv/bin/python3", "-o=/home/u/out.txt", "-rounds", "3", "-o", "results/bench/p.txt"}), " ")
	want := "-python <python3> -o=<out.txt> -rounds 3 -o results/bench/p.txt"
	if got != want {
		t.Errorf("portableArgs = %q, want %q", got, want)
	}
}

// TestWriteAtomic: the file gets the new contents whole and no temporary
// file is left; a directory that does not exist is an error, and the old
// file stays.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/peer.txt"
	for _, body := range []string{"first\n", "second, longer\n"} {
		if err := writeAtomic(p, []byte(body)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != body {
			t.Fatalf("after writing %q: %q, %v", body, got, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1 (a temporary file left?)", len(ents))
	}
	if err := writeAtomic(dir+"/missing/peer.txt", []byte("x")); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}

// TestParseLists: the list flags' accepted forms and defaults.
func TestParseLists(t *testing.T) {
	k, err := parseKernels("auto,avx2")
	if err != nil || strings.Join(k, ",") != "auto,avx2" {
		t.Errorf("parseKernels(auto,avx2) = %q, %v", k, err)
	}
	if k, err := parseKernels(""); err != nil || len(k) != 1 || k[0] != "" {
		t.Errorf(`parseKernels("") = %q, %v, want [""] (the caller's environment)`, k, err)
	}
	p, err := parsePeerThreads("1,2", 2)
	if err != nil || joinInts(p) != "1,2" {
		t.Errorf("parsePeerThreads(1,2) = %v, %v", p, err)
	}
	if p, err := parsePeerThreads("", 3); err != nil || joinInts(p) != "3" {
		t.Errorf(`parsePeerThreads("", 3) = %v, %v, want [3]`, p, err)
	}
}

// TestReportRatios: the ratio is the fastest peer setting over the Go
// time of each kernel, the AT-step verdict follows the goal (a NaN time
// is MISSED), and every kernel's rows sit under their own linalg: line.
func TestReportRatios(t *testing.T) {
	paper := shapes[0]
	sub := paper.sub()
	c := config{threads: 2, rounds: 1, kernels: []string{"auto", "avx2"}, peerThreads: []int{1, 2}}
	m := measured{goNs: map[string][]float64{}, peerNs: map[string][]float64{}, havePeer: true,
		paths: map[string]string{"auto": "asm-avx512", "avx2": "asm-avx2"}}
	for _, op := range ops {
		m.goNs["auto|"+op.bench+"/"+sub] = []float64{100e6}
		m.goNs["avx2|"+op.bench+"/"+sub] = []float64{200e6}
		m.peerNs["1|"+op.bench+"/"+sub] = []float64{300e6} // the fastest setting
		m.peerNs["2|"+op.bench+"/"+sub] = []float64{900e6}
	}
	got := string(report(c, nil, []shape{paper}, m))
	for _, want := range []string{
		"| paper " + sub + " | ATStep | asm-avx512 | 100.000 | 300.000 | 900.000 | 3.00 | ≥ 2.0× met |",
		"| paper " + sub + " | ATStep | asm-avx2 | 200.000 | 300.000 | 900.000 | 1.50 | ≥ 2.0× MISSED |",
		"BenchmarkPeerATStep/" + sub + "/torch-threads=1-2\t1\t300000000 ns/op",
		"linalg: asm-avx2\nBenchmarkForward/" + sub + "/kernel=avx2-2\t1\t200000000 ns/op",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	// Negative controls: a slower peer misses the goal, and so does a NaN.
	for _, p := range []float64{140e6, math.NaN()} {
		m.peerNs["1|ATStep/"+sub] = []float64{p}
		m.peerNs["2|ATStep/"+sub] = []float64{p}
		got = string(report(c, nil, []shape{paper}, m))
		if !strings.Contains(got, "| ATStep | asm-avx512 | 100.000 |") || !strings.Contains(got, "MISSED |") || strings.Contains(got, "met |") {
			t.Errorf("peer AT step %g ms: want MISSED on both kernels:\n%s", p/1e6, got)
		}
	}
}

// TestReferenceBLASNotJudged: a peer that calls Debian's reference BLAS
// (the lines peerBLAS printed on a machine with python3-torch but no
// OpenBLAS) is flagged and its AT-step goal not judged; the same run on
// OpenBLAS is judged. Negative control: the OpenBLAS lines are not flagged.
func TestReferenceBLASNotJudged(t *testing.T) {
	ref := []string{"torch 1.13.0a0", "threadpoolctl not installed", "loaded blas/libblas.so.3.11.0", "torch.__config__.show(): BLAS_INFO=generic"}
	opt := []string{"torch 1.13.0a0", "threadpoolctl not installed", "loaded openblas-pthread/libblas.so.3: openblas_get_config OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64, core Zen", "torch.__config__.show(): BLAS_INFO=generic"}
	if !peerOnReferenceBLAS(ref) || peerOnReferenceBLAS(opt) || peerOnReferenceBLAS(nil) {
		t.Fatalf("peerOnReferenceBLAS: reference %v, OpenBLAS %v, none %v", peerOnReferenceBLAS(ref), peerOnReferenceBLAS(opt), peerOnReferenceBLAS(nil))
	}
	paper := shapes[0]
	sub := paper.sub()
	c := config{threads: 2, rounds: 1, kernels: []string{""}, peerThreads: []int{1}}
	m := measured{goNs: map[string][]float64{}, peerNs: map[string][]float64{}, havePeer: true, paths: map[string]string{"": "asm-avx2"}}
	for _, op := range ops {
		m.goNs["|"+op.bench+"/"+sub] = []float64{100e6}
		m.peerNs["1|"+op.bench+"/"+sub] = []float64{2000e6}
	}
	m.blas = ref
	got := string(report(c, nil, []shape{paper}, m))
	if !strings.Contains(got, "# peer-blas WARNING: torch calls Debian's reference BLAS") || !strings.Contains(got, "| 20.00 | ≥ 2.0× not judged: the peer calls the reference BLAS |") || strings.Contains(got, " met |") {
		t.Errorf("reference BLAS: want the warning and no verdict:\n%s", got)
	}
	m.blas = opt
	got = string(report(c, nil, []shape{paper}, m))
	if strings.Contains(got, "WARNING") || !strings.Contains(got, "| 20.00 | ≥ 2.0× met |") {
		t.Errorf("OpenBLAS: want the verdict:\n%s", got)
	}
}
