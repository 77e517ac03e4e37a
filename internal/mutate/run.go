package mutate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Verdict is the outcome of one mutant.
type Verdict string

const (
	Killed   Verdict = "killed"   // go test failed
	Timeout  Verdict = "timeout"  // the per-mutant time limit ran out (counts as killed)
	Survived Verdict = "survived" // go test ./... passed with the bug planted
	Invalid  Verdict = "invalid"  // the mutated tree (or its tests) does not compile
)

// Result is the outcome of one mutant.
type Result struct {
	Mutant  Mutant
	Verdict Verdict
	Stage   string        // "build", "package" or "all": where the verdict was reached
	By      string        // first failing line (killed), or the compiler's first error (invalid)
	Elapsed time.Duration // wall time for this mutant
}

// Options configures Run.
type Options struct {
	Root    string        // module root holding the files the catalogue names
	Workers int           // scratch copies run in parallel (default 1)
	Timeout time.Duration // per mutant (default 6m)
	Go      string        // go command (default "go")
	Log     io.Writer     // one line per finished mutant; nil for none
}

// Run copies Root to one scratch directory per worker, checks that the
// unmutated copy builds and passes go test ./..., then applies each
// mutant alone, restores the file afterwards, and returns the results in
// catalogue order. A mutant is killed when go test fails: first the
// mutated file's own package is tested, and only if it passes, ./... (the
// test cache makes the packages that do not depend on the mutated file
// free). Both runs stop at the first failure line.
func Run(ctx context.Context, opt Options, ms []Mutant) ([]Result, error) {
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 6 * time.Minute
	}
	if opt.Go == "" {
		opt.Go = "go"
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if err := Check(opt.Root, ms); err != nil {
		return nil, err
	}
	files, err := listFiles(opt.Root)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	nw := min(opt.Workers, max(len(ms), 1))
	dirs := make([]string, nw)
	for i := range dirs {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("w%d", i))
		if err := copyFiles(opt.Root, dirs[i], files); err != nil {
			return nil, err
		}
	}
	r := runner{opt: opt}
	fmt.Fprintf(opt.Log, "baseline: go test ./... on the unmutated copy\n")
	if out, err := r.baseline(ctx, dirs[0]); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("baseline (unmutated) fails, so no mutant can be judged: %v\n%s", err, tail(out, 40))
	}
	res := make([]Result, len(ms))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := range nw {
		wg.Add(1)
		go func(dir string) {
			defer wg.Done()
			for i := range jobs {
				res[i] = r.one(ctx, dir, ms[i])
				mu.Lock()
				done++
				x := res[i]
				fmt.Fprintf(opt.Log, "[%d/%d] %-9s %-34s %-8s %6.1fs  %s\n", done, len(ms), x.Verdict, x.Mutant.ID, x.Stage, x.Elapsed.Seconds(), x.By)
				mu.Unlock()
			}
		}(dirs[w])
	}
	for i := range ms {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return res, ctx.Err()
}

type runner struct{ opt Options }

// baseline builds and tests the unmutated copy; it also fills the build
// and test caches that the mutant runs then reuse.
func (r runner) baseline(ctx context.Context, dir string) (string, error) {
	var all bytes.Buffer
	if out, err := r.goCmd(ctx, dir, "build", "-trimpath", "./..."); err != nil {
		return out, err
	}
	st := r.test(ctx, dir, "./...")
	all.WriteString(st.out)
	if st.failed || st.err != nil {
		if st.err == nil {
			st.err = errors.New(st.first)
		}
		return all.String(), st.err
	}
	return all.String(), nil
}

func (r runner) one(parent context.Context, dir string, m Mutant) (res Result) {
	start := time.Now()
	res.Mutant = m
	defer func() { res.Elapsed = time.Since(start) }()
	name := filepath.Join(dir, filepath.FromSlash(m.File))
	orig, err := os.ReadFile(name)
	if err != nil {
		res.Verdict, res.Stage, res.By = Invalid, "build", err.Error()
		return res
	}
	mut, err := m.Apply(string(orig))
	if err != nil {
		res.Verdict, res.Stage, res.By = Invalid, "build", err.Error()
		return res
	}
	defer os.WriteFile(name, orig, 0o644) // restore
	if err := os.WriteFile(name, []byte(mut), 0o644); err != nil {
		res.Verdict, res.Stage, res.By = Invalid, "build", err.Error()
		return res
	}
	ctx, cancel := context.WithTimeout(parent, r.opt.Timeout)
	defer cancel()
	finish := func(stage string, st testRun) (Result, bool) {
		res.Stage = stage
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			res.Verdict, res.By = Timeout, fmt.Sprintf("no verdict within %v", r.opt.Timeout)
		case st.buildFailed:
			res.Verdict, res.By = Invalid, st.first
		case st.failed:
			res.Verdict, res.By = Killed, st.first
		case st.err != nil:
			res.Verdict, res.By = Invalid, "go test: "+st.err.Error()+": "+lastLine(st.out)
		default:
			return res, false
		}
		return res, true
	}
	// Compile check: the mutated package itself. A mutant changes no
	// exported API, but if a dependent (or a test file) stops compiling,
	// go test reports "[build failed]" below and the mutant is invalid too.
	pkg := "./" + path.Dir(m.File)
	if out, err := r.goCmd(ctx, dir, "build", "-trimpath", pkg); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			res.Verdict, res.Stage, res.By = Timeout, "build", "build timed out"
			return res
		}
		by := firstError(out)
		if by == "" {
			by = err.Error()
		}
		res.Verdict, res.Stage, res.By = Invalid, "build", by
		return res
	}
	if x, ok := finish("package", r.test(ctx, dir, pkg)); ok {
		return x
	}
	if x, ok := finish("all", r.test(ctx, dir, "./...")); ok {
		return x
	}
	res.Verdict, res.Stage = Survived, "all"
	return res
}

func (r runner) goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.opt.Go, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type testRun struct {
	out         string
	first       string // first failure line
	failed      bool
	buildFailed bool
	err         error
}

// test runs go test on pkgs and kills the whole process group at the first
// line that reports a failure, so a killed mutant costs only the time to
// its first failing test.
func (r runner) test(ctx context.Context, dir string, pkgs string) testRun {
	// go's own -timeout is set beyond ours so a hang is reported as ours.
	cmd := exec.Command(r.opt.Go, "test", "-trimpath", "-timeout", (r.opt.Timeout + time.Minute).String(), pkgs)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var st testRun
	if err := cmd.Start(); err != nil {
		st.err = err
		return st
	}
	pgid := cmd.Process.Pid
	kill := func() { syscall.Kill(-pgid, syscall.SIGKILL) }
	stop := context.AfterFunc(ctx, kill)
	defer stop()
	waited := make(chan error, 1)
	go func() { err := cmd.Wait(); pw.Close(); waited <- err }()
	var buf strings.Builder
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		buf.WriteString(line)
		buf.WriteByte('\n')
		if st.failed {
			continue // drain
		}
		if isBuildFail(line) {
			st.failed, st.buildFailed = true, true
			st.first = firstError(buf.String())
			kill()
		} else if isFail(line) {
			st.failed, st.first = true, strings.TrimSpace(line)
			kill()
		}
	}
	io.Copy(io.Discard, pr)
	err := <-waited
	st.out = buf.String()
	if !st.failed && err != nil {
		st.err = err
	}
	return st
}

func isFail(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "--- FAIL") || strings.HasPrefix(line, "FAIL") ||
		strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:")
}

func isBuildFail(line string) bool {
	return strings.HasPrefix(line, "FAIL") &&
		(strings.HasSuffix(line, "[build failed]") || strings.HasSuffix(line, "[setup failed]"))
}

// firstError returns the first compiler diagnostic in go's output.
func firstError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		return strings.TrimSpace(l)
	}
	return strings.TrimSpace(out)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func tail(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

// listFiles returns the files git would commit under root: tracked files
// that still exist plus untracked files that are not ignored.
func listFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v", root, err)
	}
	var files []string
	seen := map[string]bool{}
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		if fi, err := os.Lstat(filepath.Join(root, f)); err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or a symlink/submodule
		}
		files = append(files, f)
	}
	return files, nil
}

func copyFiles(src, dst string, files []string) error {
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return err
		}
		fi, err := os.Stat(filepath.Join(src, f))
		if err != nil {
			return err
		}
		to := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, b, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
