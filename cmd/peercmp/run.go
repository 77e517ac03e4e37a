package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// shape is one comparison size; the Go side must list the same one in
// bench/vit_test.go's sizes.
type shape struct {
	name            string
	n, m, d, dh, dv int
	goal            float64 // required peer/Go ratio of the AT step (the goals)
}

var shapes = []shape{
	{"paper", 20, 16, 1024, 512, 512, 1.5},
	{"small", 10, 4, 64, 32, 32, 10},
	{"mid", 50, 8, 256, 128, 128, 10},
}

func (s shape) sub() string {
	return fmt.Sprintf("N=%d/M=%d/d=%d/dh=%d", s.n, s.m, s.d, s.dh)
}

// ops pairs the Go benchmark with the peer's JSON key.
var ops = []struct{ bench, peer string }{
	{"Forward", "forward"},
	{"ForwardBackward", "forward_backward"},
	{"PGD", "pgd"},
	{"ATStep", "at_step"},
}

type config struct {
	tags, benchtime, python, peer, out, sizes string
	rounds, threads, peerReps, peerThreads    int
}

func run(stdout, stderr io.Writer, args []string) error {
	var c config
	fs := flag.NewFlagSet("peercmp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.tags, "tags", "", "build tags for the Go benchmarks (e.g. openblas)")
	fs.StringVar(&c.benchtime, "benchtime", "300ms", "go test -benchtime per benchmark and round")
	fs.IntVar(&c.rounds, "rounds", 3, "interleaved rounds; the medians are reported")
	fs.IntVar(&c.peerReps, "peer-reps", 50, "the peer's --reps: calls timed per forward/backward; a tenth of it per PGD-10 and AT step")
	fs.IntVar(&c.threads, "threads", 2, "threads for both sides: GOMAXPROCS, torch.set_num_threads, and OPENBLAS_NUM_THREADS/OMP_NUM_THREADS of both processes")
	fs.IntVar(&c.peerThreads, "peer-threads", 0, "torch.set_num_threads only, if > 0 (its BLAS keeps -threads): the peer's best configuration on a 2-vCPU machine is 1")
	fs.StringVar(&c.python, "python", "python3", "Python with torch (Debian python3-torch), looked up in PATH unless a path is given")
	fs.StringVar(&c.peer, "peer", "peer/torch_vit.py", "the peer script (path relative to the working directory; make peer runs from the repository root)")
	fs.StringVar(&c.sizes, "sizes", "paper,small,mid", "comma-separated subset of paper, small, mid")
	fs.StringVar(&c.out, "o", "results/bench/peer.txt", "output file (benchmark format + ratio table)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // usage printed by fs; -h is not an error
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags go before it)", fs.Arg(0))
	}
	if c.peerThreads <= 0 {
		c.peerThreads = c.threads
	}
	if c.rounds < 1 || c.threads < 1 {
		return errors.New("-rounds and -threads must be >= 1")
	}
	var sel []shape
	for _, name := range strings.Split(c.sizes, ",") {
		i := slices.IndexFunc(shapes, func(s shape) bool { return s.name == name })
		if i < 0 {
			return fmt.Errorf("-sizes: unknown size %q", name)
		}
		sel = append(sel, shapes[i])
	}
	havePeer := true
	if err := exec.Command(c.python, "-c", "import torch").Run(); err != nil {
		havePeer = false
		fmt.Fprintf(stderr, "peercmp: peer skipped: %s cannot import torch (%v); install it with apt-get install -y python3-torch\n", c.python, err)
	}

	load0 := loadavg()
	goNs := map[string][]float64{}   // "op/size" → ns/op per round
	peerNs := map[string][]float64{} // same keys
	var cfgLines []string
	for r := 0; r < c.rounds; r++ {
		for _, s := range sel {
			fmt.Fprintf(stderr, "peercmp: round %d/%d size %s: go\n", r+1, c.rounds, s.name)
			res, cfg, err := goBench(c, s)
			if err != nil {
				return err
			}
			if cfgLines == nil {
				cfgLines = cfg
			}
			for op, ns := range res {
				goNs[op+"/"+s.sub()] = append(goNs[op+"/"+s.sub()], ns)
			}
			if !havePeer {
				continue
			}
			fmt.Fprintf(stderr, "peercmp: round %d/%d size %s: peer\n", r+1, c.rounds, s.name)
			pr, err := peerBench(c, s)
			if err != nil {
				return err
			}
			for _, op := range ops {
				peerNs[op.bench+"/"+s.sub()] = append(peerNs[op.bench+"/"+s.sub()], pr[op.peer]*1e9)
			}
		}
	}

	var b bytes.Buffer
	// The run's settings are "# " comments, not benchstat configuration
	// keys (which differ between runs and would keep two files from
	// comparing); go test's goos, cpu and linalg: lines below are the keys.
	fmt.Fprintf(&b, "# command go run ./cmd/peercmp %s\n", strings.Join(portableArgs(args), " "))
	if gov := os.Getenv("GOEXPERIMENT"); gov != "" {
		fmt.Fprintf(&b, "# goexperiment %s\n", gov)
	}
	if kv := os.Getenv("VITADV_KERNEL"); kv != "" {
		fmt.Fprintf(&b, "# VITADV_KERNEL=%s\n", kv)
	}
	fmt.Fprintf(&b, "# tags %s\n# threads %d\n# peer-threads %d\n# rounds %d\n# peer-reps %d\n", c.tags, c.threads, c.peerThreads, c.rounds, c.peerReps)
	fmt.Fprintf(&b, "# loadavg %s at the start, %s at the end\n", load0, loadavg())
	for _, l := range cfgLines {
		fmt.Fprintln(&b, l)
	}
	for _, s := range sel {
		for _, op := range ops {
			key := op.bench + "/" + s.sub()
			if v := goNs[key]; len(v) > 0 {
				fmt.Fprintf(&b, "Benchmark%s-%d\t1\t%.0f ns/op\n", key, c.threads, median(v))
			}
			if v := peerNs[key]; len(v) > 0 {
				fmt.Fprintf(&b, "BenchmarkPeer%s-%d\t1\t%.0f ns/op\n", key, c.threads, median(v))
			}
		}
	}
	fmt.Fprintf(&b, "\n<!-- ratio table: peer time / Go time, medians of %d interleaved rounds -->\n", c.rounds)
	fmt.Fprintln(&b, "| size | op | Go ms | peer ms | peer/Go | AT-step goal |")
	fmt.Fprintln(&b, "|---|---|---:|---:|---:|---:|")
	for _, s := range sel {
		for _, op := range ops {
			key := op.bench + "/" + s.sub()
			g := median(goNs[key])
			if !havePeer {
				fmt.Fprintf(&b, "| %s %s | %s | %.3f | (skipped) | | |\n", s.name, s.sub(), op.bench, g/1e6)
				continue
			}
			p := median(peerNs[key])
			goal := ""
			if op.bench == "ATStep" {
				verdict := "met"
				if p/g < s.goal {
					verdict = "MISSED"
				}
				goal = fmt.Sprintf("≥ %.1f× %s", s.goal, verdict)
			}
			fmt.Fprintf(&b, "| %s %s | %s | %.3f | %.3f | %.2f | %s |\n", s.name, s.sub(), op.bench, g/1e6, p/1e6, p/g, goal)
		}
	}
	if err := writeAtomic(c.out, b.Bytes()); err != nil {
		return err
	}
	_, err := stdout.Write(b.Bytes())
	return err
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename, so that a killed run leaves the old file or the
// new one, never a part.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// goBench runs the four Go benchmarks at size s once and returns ns/op by
// benchmark name and the run's configuration lines (goos, cpu, linalg, …).
func goBench(c config, s shape) (map[string]float64, []string, error) {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.bench
	}
	pattern := fmt.Sprintf("^Benchmark(%s)$/^N=%d$/^M=%d$/^d=%d$/^dh=%d$", strings.Join(names, "|"), s.n, s.m, s.d, s.dh)
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchtime", c.benchtime, "-count", "1", fmt.Sprintf("-cpu=%d", c.threads)}
	if c.tags != "" {
		args = append(args, "-tags", c.tags)
	}
	args = append(args, "./bench")
	cmd := exec.Command("go", args...)
	cmd.Env = threadEnv(c.threads)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("go %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	res := map[string]float64{}
	var cfg []string
	rd := benchfmt.NewReader(bytes.NewReader(out.Bytes()), "go test")
	for rd.Scan() {
		r, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if cfg == nil {
			for _, f := range r.Config {
				if f.File {
					cfg = append(cfg, fmt.Sprintf("%s: %s", f.Key, f.Value))
				}
			}
		}
		full := string(r.Name.Full())
		base, _, _ := strings.Cut(strings.TrimPrefix(full, "Benchmark"), "/")
		if v, ok := r.Value("sec/op"); ok {
			res[base] = v * 1e9
		}
	}
	if err := rd.Err(); err != nil {
		return nil, nil, err
	}
	if len(res) != len(ops) {
		return nil, nil, fmt.Errorf("size %s: got %d of %d Go benchmarks; is it in bench/vit_test.go's sizes?\n%s", s.name, len(res), len(ops), out.String())
	}
	return res, cfg, nil
}

// peerBench runs the peer at size s and returns its seconds per call.
func peerBench(c config, s shape) (map[string]float64, error) {
	args := []string{c.peer, "--threads", fmt.Sprint(c.peerThreads), "--N", fmt.Sprint(s.n), "--M", fmt.Sprint(s.m),
		"--d", fmt.Sprint(s.d), "--dh", fmt.Sprint(s.dh), "--dv", fmt.Sprint(s.dv), "--steps", "10", "--tau", "4", "--mu", "40",
		"--reps", fmt.Sprint(c.peerReps)}
	cmd := exec.Command(c.python, args...)
	cmd.Env = threadEnv(c.threads)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", c.python, strings.Join(args, " "), err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var raw map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &raw); err != nil {
		return nil, fmt.Errorf("peer output %q: %v", out.String(), err)
	}
	res := map[string]float64{}
	for _, op := range ops {
		v, ok := raw[op.peer].(float64)
		if !ok {
			return nil, fmt.Errorf("peer output lacks %q: %s", op.peer, out.String())
		}
		res[op.peer] = v
	}
	return res, nil
}

// threadEnv is the environment with the BLAS and OpenMP pools limited to n
// threads: torch.set_num_threads does not bound OpenBLAS's own pool (with
// --threads 1 the peer still ran its GEMMs on 2 threads).
func threadEnv(n int) []string {
	return append(os.Environ(), fmt.Sprintf("OPENBLAS_NUM_THREADS=%d", n), fmt.Sprintf("OMP_NUM_THREADS=%d", n))
}

// loadavg returns the 1-, 5- and 15-minute load averages (Linux), so that
// a result file says how busy the shared machine was.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// portableArgs returns args with every absolute file path replaced by its
// base name in angle brackets (e.g. -python /opt/torch/bin/python3 →
// -python <python3>), so that a result file names no machine's directories.
func portableArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(v, "/") {
			out[i] = k + "=<" + filepath.Base(v) + ">"
			continue
		}
		if strings.HasPrefix(a, "/") {
			out[i] = "<" + filepath.Base(a) + ">"
			continue
		}
		out[i] = a
	}
	return out
}
