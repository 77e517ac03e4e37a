package linalg

import (
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Blocking parameters of the driver. kcMax bounds the depth of one packed
// block, so that a B micro-panel (kcMax·nr doubles, 32 KiB for nr = 16)
// stays in the 48 KiB L1 while the micro-kernel sweeps the A panels; mcMax
// rows of A (mcMax·kcMax doubles, 256 KiB) stay in L2; ncMax columns of B
// (kcMax·ncMax doubles, 1 MiB) stay in L2/L3.
const (
	kcMax = 256
	mcMax = 128
	ncMax = 512
)

// parallelMinFlops is the smallest product (2·m·n·k flops) that Gemm splits
// over workers. Below it the hand-off (5–30 µs to wake a parked worker)
// costs more than the second core saves: at d = 64 (2·40·64·64 ≈ 3.3e5
// flops, ~7 µs on one core) an adversarial-training step took 0.95 ms split
// at 2¹⁷ against 0.6 ms serial. Workers that spin ~30 µs before parking
// made it 0.87 ms on this shared machine (load ≈ 5 on 2 cores): a spinning
// worker takes the core the caller needs. So small products stay serial.
const parallelMinFlops = 1 << 19

// Gemm computes, row-major,
//
//	C = alpha·op(A)·op(B) + beta·C,   op(A) m×k, op(B) k×n, C m×n,
//
// where op(A) = Aᵀ if transA, else A (likewise B). lda, ldb, ldc are row
// strides. Each element of C is accumulated over k in a fixed order, so the
// result does not depend on GOMAXPROCS. When beta = 0, C is not read (NaNs
// in C do not propagate). It panics on inconsistent sizes.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmRun(gemmParams{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc})
}

// gemmRun computes the checked product p: nothing for an empty C, C = βC
// when k = 0 or α = 0, the big-product backend where one is built in
// (bigGemm, which packs its own operands), else the in-package kernels.
// Gemm and GemmPackedB both end here.
func gemmRun(p gemmParams) {
	if p.m == 0 || p.n == 0 {
		return
	}
	if p.k == 0 || p.alpha == 0 {
		scaleC(p.m, p.n, p.beta, p.c, p.ldc)
		return
	}
	if bigGemm != nil && 2*float64(p.m)*float64(p.n)*float64(p.k) >= bigMinFlops {
		bigGemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
		return
	}
	j := getJob()
	j.p = p
	run(j)
	j.p = gemmParams{} // drop references to the caller's slices
	putJob(j)
}

// OpenBLASMinFlops is the smallest product (2·m·n·k flops) that the
// openblas build hands to OpenBLAS; smaller ones stay on the in-package
// kernels, where a call costs no cgo transition (~100–150 ns) and no
// OpenBLAS thread wake-up. See results/bench/README.md for the timing.
const OpenBLASMinFlops = 1 << 22

// bigMinFlops is OpenBLASMinFlops, or 0 under -tags openblas,openblas_all
// (every product to OpenBLAS: how the model tests exercise that path at
// their tiny sizes).
var bigMinFlops float64 = OpenBLASMinFlops

// bigGemm, when set by a build-tagged file, takes products of at least
// bigMinFlops flops.
var bigGemm func(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)

const (
	errShape  = "linalg: negative dimension"
	errStride = "linalg: bad leading dimension"
	errShortA = "linalg: insufficient length of a"
	errShortB = "linalg: insufficient length of b"
	errShortC = "linalg: insufficient length of c"
)

func checkGemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(errShape)
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) {
		panic(errStride)
	}
	if ar > 0 && ac > 0 && len(a) < (ar-1)*lda+ac {
		panic(errShortA)
	}
	if br > 0 && bc > 0 && len(b) < (br-1)*ldb+bc {
		panic(errShortB)
	}
	if m > 0 && n > 0 && len(c) < (m-1)*ldc+n {
		panic(errShortC)
	}
}

func scaleC(m, n int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// flops returns 2·m·n·k, the flops of the product.
func (p *gemmParams) flops() float64 { return 2 * float64(p.m) * float64(p.n) * float64(p.k) }

type gemmParams struct {
	transA, transB bool
	m, n, k        int
	alpha          float64
	a              []float64
	lda            int
	b              []float64
	ldb            int
	beta           float64
	c              []float64
	ldc            int

	// sharedA (sharedB), when set, holds all of op(A) (op(B)) packed once
	// for every block of C (run): the panel of rows i … i+mr−1 (columns
	// j … j+nr−1) of k block [p0, p0+kc) at sharedA[p0·mPad + i·kc]
	// (sharedB[p0·nPad + j·kc]), laid out as packA (packB) lays it out.
	sharedA, sharedB []float64
	mPad, nPad       int

	// lazyA, when set, holds the state of each group of sharedA, packed on
	// first use (acquireA) instead of before the blocks start: group
	// blk·⌈m/mcStep⌉ + ic/mcStep is rows ic … ic+mcStep−1 of k block blk,
	// 0 not packed, 1 being packed, 2 packed.
	lazyA []atomic.Uint32
}

// buffers are one goroutine's packing workspaces, sized for the largest
// blocks of the active micro-kernel.
type buffers struct {
	a, b, tile []float64
}

// Buffers fit every micro-kernel of the build (mr ≤ maxMR, nr ≤ maxNR;
// the panels of a block of mcMax rows or ncMax columns are rounded up to
// whole micro-panels, e.g. 516 columns for nr = 12), so tests may switch
// kernels.
const maxMR, maxNR = 8, 16

func newBuffers() *buffers {
	return &buffers{
		a:    make([]float64, (mcMax+maxMR)*kcMax),
		b:    make([]float64, kcMax*(ncMax+maxNR)),
		tile: make([]float64, maxMR*maxNR),
	}
}

// job is one Gemm call in flight: its parameters, the caller's buffers, the
// blocks of the phase being computed and the channel on which workers
// report finished blocks. Jobs are recycled through a free list so that a
// call allocates nothing. (A sync.Pool would be emptied by every garbage
// collection, and a job holds 1.3 MB of buffers; the free list keeps up to
// maxFreeJobs, one per goroutine that has called Gemm concurrently.)
type job struct {
	p      gemmParams
	buf    *buffers
	shared []float64 // the operand packed once for all blocks, grown as needed
	lazyA  []atomic.Uint32
	done   chan struct{}

	// The phase in flight (phase): block b covers micro-panels
	// [bounds[b], bounds[b+1]) of the shared operand to pack (pack) or of
	// C's rows (splitRows) or columns. Goroutines claim blocks in order
	// through state = parts<<16 | next block, and read the fields only
	// after a successful claim; the caller writes them before it publishes
	// state, and again only after every block of the phase was reported.
	// (So a late worker whose task names an earlier phase, or an earlier
	// call with this job, can only claim blocks of the phase now in flight,
	// which is work that phase needs.)
	state           atomic.Uint64
	pack, splitRows bool
	bounds          [maxWorkers + 1]int
}

const maxFreeJobs = 64

var freeJobs = make(chan *job, maxFreeJobs)

func getJob() *job {
	select {
	case j := <-freeJobs:
		return j
	default:
		return &job{buf: newBuffers(), done: make(chan struct{}, maxWorkers)}
	}
}

func putJob(j *job) {
	select {
	case freeJobs <- j:
	default:
	}
}

// task asks a goroutine to join the phase of job j in flight: to claim
// and compute its blocks until none is left (job.work). If none is left it
// does nothing.
type task struct{ j *job }

// maxWorkers bounds the worker goroutines, the tasks queued at once and the
// tasks of one phase of a call (chunkMin, packParts), so that their reports
// always fit the job's done channel.
const maxWorkers = 64

var (
	tasks    = make(chan task, maxWorkers)
	nWorkers atomic.Int32
	startMu  sync.Mutex
)

// ensureWorkers starts worker goroutines until there are at least n.
func ensureWorkers(n int) {
	if int(nWorkers.Load()) >= n {
		return
	}
	startMu.Lock()
	for int(nWorkers.Load()) < n {
		nWorkers.Add(1)
		go worker()
	}
	startMu.Unlock()
}

func worker() {
	buf := newBuffers()
	big, wait := false, time.Duration(0)
	for {
		t, ok := task{}, false
		t0 := time.Now()
		if d := workerSpin(big, wait); d > 0 {
			t, ok = pollTasks(tasks, d) // SpinEnv
		}
		if !ok {
			t = <-tasks
		}
		wait = time.Since(t0)
		big = t.exec(buf)
	}
}

// exec joins the phase of t's job and reports each block it computed on
// the job's done channel. It reports whether it computed a block of a
// product of at least autoSpinMinFlops flops.
func (t task) exec(buf *buffers) bool {
	n, big := t.j.work(buf)
	for range n {
		t.j.done <- struct{}{}
	}
	return big
}

// phase computes blocks 0 … parts−1 of j (bounds, pack and splitRows set by
// the caller) with the caller and up to procs−1 workers, and returns when
// all are done. Workers are only asked to join: a block is taken by a
// goroutine that is running, when it is free, so a worker that the OS
// wakes late (or deschedules) holds no block meanwhile, and the caller
// starts at once.
func (j *job) phase(procs, parts int) {
	j.state.Store(uint64(parts) << 16)
	for range min(procs, parts) - 1 {
		queue(j, task{j})
	}
	own, _ := j.work(j.buf)
	drain(j, parts-own)
}

// work claims blocks of the phase of j in flight, in order, and computes
// them until none is left, and returns how many it computed and whether
// the product has at least autoSpinMinFlops flops (false if none).
func (j *job) work(buf *buffers) (n int, big bool) {
	for {
		s := j.state.Load()
		next, parts := int(s&0xffff), int(s>>16)
		if next >= parts {
			return n, big
		}
		if !j.state.CompareAndSwap(s, s+1) {
			continue
		}
		big = j.p.flops() >= autoSpinMinFlops
		t0, t1 := j.bounds[next], j.bounds[next+1]
		mr, nr := kern.mr, kern.nr
		switch {
		case j.pack:
			packShared(&j.p, t0, t1)
		case j.splitRows:
			serial(&j.p, buf, t0*mr, min(t1*mr, j.p.m), 0, j.p.n)
		default:
			serial(&j.p, buf, 0, j.p.m, t0*nr, min(t1*nr, j.p.n))
		}
		n++
	}
}

// run splits a product of at least parallelMinFlops flops into blocks of
// C along its longer side (edges on multiples of mr or nr) and computes them
// with up to GOMAXPROCS−1 workers and the caller. The operand that every
// block reads whole (op(B) when the rows are split, op(A) when the columns
// are) is packed once, shared by the blocks (GotoBLAS's shared B panel):
// op(B) in parallel before the blocks start, op(A) group by group by the
// block that first needs it (lazyA, forGroups); each block packs only its
// own part of the other operand.
//
// The blocks shrink as the work runs out (guided self-scheduling,
// Polychronopoulos and Kuck 1987): each takes ⌈r/(2·procs)⌉ of the r
// micro-panels still unassigned, at least chunkMin(…) (the last one may be
// smaller), so that the first blocks are large and the last ones small; at
// NN 320×1024×1024 on AVX-512 with 2 threads, 16, 12, 9, 7, 5, 4, 3, 2, 2,
// 2, 2 panels of 16 columns. Goroutines claim them in that order when
// they are free (phase: a worker is only asked to join, so one that wakes
// late holds no block meanwhile), so the threads finish within about one
// small block of each other, and one that the OS deschedules leaves its
// share to the others (on this shared 2-core machine an even 2-way split
// ran at the speed of the slower half, 1.9× slower than one thread).
// Before, ~10 equal blocks of ~2²⁶ flops were handed out through a queue:
// one thread could idle for up to a block, a tenth of the product, at the
// end of each call, and the first block went to the parked worker before it
// ran. Neither the blocks nor the packing change the order in which an
// element is accumulated, so the result does not depend on them.
func run(j *job) {
	p := &j.p
	mr, nr := kern.mr, kern.nr
	flops := 2 * float64(p.m) * float64(p.n) * float64(p.k)
	rowTiles, colTiles := ceilDiv(p.m, mr), ceilDiv(p.n, nr)
	splitRows := rowTiles*mr > colTiles*nr
	tiles, shareTiles, width := colTiles, rowTiles, nr
	if splitRows {
		tiles, shareTiles, width = rowTiles, colTiles, mr
	}
	procs := runtime.GOMAXPROCS(0)
	minTiles := chunkMin(flops, tiles, width)
	if flops < parallelMinFlops || procs == 1 || tiles < 2*minTiles {
		serial(p, j.buf, 0, p.m, 0, p.n)
		return
	}
	ensureWorkers(min(procs, maxWorkers) - 1)

	// The common operand is packed once if the blocks would pack it (an
	// operand the micro-kernel reads in place, directA/directB, stays in
	// place: packing it as well measured 18% slower at NN 320×1024×1024).
	kc := min(p.k, kcMax)
	p.mPad, p.nPad = rowTiles*mr, colTiles*nr
	share := false
	switch {
	case p.sharedB != nil: // packed by the caller (GemmPackedB)
	case splitRows && !directB(p, kc):
		j.shared = grow(j.shared, p.k*p.nPad)
		p.sharedB, share = j.shared, true
	case !splitRows && !directA(p, kc):
		j.shared = grow(j.shared, p.k*p.mPad)
		p.sharedA, share = j.shared, true
	}
	p.lazyA = nil
	if share && p.sharedA != nil {
		// op(A) is packed by the blocks as they first need it, a group of
		// mcMax rows of one k block at a time (acquireA): no phase, so no
		// thread waits for the packing of the others, and the copy, which
		// reads A from memory, runs while the other threads compute.
		groups := kBlocks(p.k) * ceilDiv(p.m, mcMax-mcMax%mr)
		if cap(j.lazyA) < groups {
			j.lazyA = make([]atomic.Uint32, groups)
		}
		p.lazyA = j.lazyA[:groups]
		for i := range p.lazyA {
			p.lazyA[i].Store(0)
		}
		share = false
	}
	if share {
		packParts := min(2*procs, shareTiles, maxWorkers)
		for q := 0; q <= packParts; q++ {
			j.bounds[q] = q * shareTiles / packParts
		}
		j.pack = true
		j.phase(procs, packParts)
	}

	parts := 0
	for t0 := 0; t0 < tiles; parts++ {
		j.bounds[parts] = t0
		t0 = nextChunk(t0, tiles, procs, minTiles)
	}
	j.bounds[parts] = tiles
	j.pack, j.splitRows = false, splitRows
	j.phase(procs, parts)
}

// nextChunk returns the end of the block of a split product that starts at
// micro-panel t0 of tiles (run): ⌈(tiles−t0)/(2·procs)⌉ panels, at least
// minTiles, at most what is left.
func nextChunk(t0, tiles, procs, minTiles int) int {
	return min(tiles, t0+max(minTiles, ceilDiv(tiles-t0, 2*procs)))
}

// chunkMin returns the fewest micro-panels (of width elements each, out of
// tiles) in one block of a split product of flops flops: at least 32 rows or
// columns of C, so that the operand each block streams whole (the packed
// shared panel or A read in place, 8 bytes an element) is used for ≥ 8
// flops a byte; at least 2¹⁸ flops (~3 µs of one core), so that a block's
// hand-off (~1 µs) stays small against it; and at least tiles/(maxWorkers/2),
// so that a phase of a call has at most maxWorkers/2 + 1 blocks and their
// reports always fit the job's done channel.
func chunkMin(flops float64, tiles, width int) int {
	byFlops := int(math.Ceil(chunkMinFlops / (flops / float64(tiles))))
	return max(ceilDiv(32, width), byFlops, ceilDiv(tiles, maxWorkers/2), 1)
}

// chunkMinFlops is the smallest block of a split product (chunkMin).
const chunkMinFlops = 1 << 18

// queue sends t to the workers; while the queue is full, the caller runs
// queued tasks (of any call) itself.
func queue(j *job, t task) {
	for {
		select {
		case tasks <- t:
			return
		case other := <-tasks: // queue full: help
			other.exec(j.buf)
		}
	}
}

// drain works through the queue (this call's tasks or any other's) until
// n blocks of job j are reported done, so that progress never depends on a
// worker being free. It polls for up to callerSpin after the last task or
// report before it blocks (a blocked caller is readied by the worker's
// report on the worker's P, where another thread has to take it over).
func drain(j *job, n int) {
	var deadline time.Time
	spin := callerSpin(j.p.flops() >= autoSpinMinFlops)
	for i := 0; n > 0; i++ {
		if spin > 0 {
			select {
			case <-j.done:
				n--
				i = -1
				continue
			case t := <-tasks:
				t.exec(j.buf)
				i = -1
				continue
			default:
			}
			if i == 0 {
				deadline = time.Now().Add(spin)
			}
			if i == 0 || i%16 != 0 {
				continue
			}
			if !time.Now().After(deadline) {
				runtime.Gosched() // as pollTasks
				continue
			}
		}
		select {
		case <-j.done:
			n--
		case t := <-tasks:
			t.exec(j.buf)
		}
		i = -1
	}
}

// grow returns s with length n, reallocated only if its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// packShared packs micro-panels [q0, q1) of the shared operand of p
// (sharedA or sharedB) for every k block.
func packShared(p *gemmParams, q0, q1 int) {
	mr, nr := kern.mr, kern.nr
	nb := kBlocks(p.k)
	for blk := 0; blk < nb; blk++ {
		p0, p1 := blk*p.k/nb, (blk+1)*p.k/nb
		kc := p1 - p0
		if p.sharedA != nil {
			i0, i1 := q0*mr, min(q1*mr, p.m)
			packA(p.sharedA[p0*p.mPad+i0*kc:], p, p0, kc, i0, i1-i0, mr)
		} else {
			j0, j1 := q0*nr, min(q1*nr, p.n)
			packB(p.sharedB[p0*p.nPad+j0*kc:], p, p0, kc, j0, j1-j0, nr)
		}
	}
}

// kBlocks returns the number of k blocks: the fewest of depth ≤ kcMax. The
// block edges, q·k/nb, depend on k alone.
func kBlocks(k int) int { return ceilDiv(k, kcMax) }

// serial computes rows [i0, i1) and columns [j0, j1) of C with the blocked
// algorithm (loops jc, pc, ic, jr, ir of Goto and van de Geijn, 2008).
//
// Element C_ij is updated once per k block, in block order:
//
//	C_ij = beta·C_ij + alpha·t⁰_ij,   then   C_ij += alpha·tᵇ_ij,   b = 1, 2, …
//
// (alpha·t⁰ alone if beta = 0, C_ij + alpha·t⁰ if beta = 1),
// where tᵇ_ij is the micro-kernel's sum over the block, accumulated from
// zero in increasing p. Nothing here depends on the block of C being
// computed, which is what makes the split over workers deterministic.
// The whole tiles of a column (one B micro-panel, the A micro-panels of
// the block below each other) go to the kernel's tiles in one assembly
// call where it has one: 2–4% more GFLOP per CPU-second at the paper
// shapes on both paths than a Go call per tile (ab-tiles.txt).
func serial(p *gemmParams, buf *buffers, i0, i1, j0, j1 int) {
	mr, nr := kern.mr, kern.nr
	nb := kBlocks(p.k)
	if kInnerOK(p, buf, nb) {
		serialKInner(p, buf, i0, i1, j0, j1)
		return
	}
	// Blocks of C start on whole micro-panels, as the shared packed operands
	// are laid out (ncMax = 512 is not a multiple of nr = 12).
	ncStep, mcStep := ncMax-ncMax%nr, mcMax-mcMax%mr
	for jc := j0; jc < j1; jc += ncStep {
		nc := min(ncStep, j1-jc)
		for blk := 0; blk < nb; blk++ {
			p0, p1 := blk*p.k/nb, (blk+1)*p.k/nb
			kc := p1 - p0
			mode := modeAdd
			if blk == 0 {
				switch p.beta {
				case 0:
					mode = modeSet
				case 1:
				default:
					mode = modeAxpby
				}
			}
			dB := p.sharedB == nil && directB(p, kc)
			if p.sharedB == nil && !dB {
				packB(buf.b, p, p0, kc, jc, nc, nr)
			}
			doIC := func(ic int, inPlace bool) {
				mc := min(mcStep, i1-ic)
				dA := inPlace || p.sharedA == nil && directA(p, kc)
				if p.sharedA == nil && !dA {
					packA(buf.a, p, p0, kc, ic, mc, mr)
				}
				for jr := 0; jr < nc; jr += nr {
					nn := min(nr, nc-jr)
					bp, ldb := bPanel(p, buf, p0, kc, jc, jr, nn, dB)
					tileColumn(p, buf, p0, kc, ic, mc, jc+jr, nn, bp, ldb, dA, mode, nil)
				}
			}
			forGroups(p, i0, i1, mcStep, doIC, func(ic, mc int, wait bool) bool {
				return acquireA(p, blk, p0, kc, ic, mc, mcStep, wait)
			})
		}
	}
}

// forGroups calls do(ic, false) for the groups of rows ic = i0, i0+mcStep,
// … < i1 of a block of C. With op(A) packed on first use (lazyA),
// acquire(ic, mc, wait) packs the group's op(A) or reports that another
// goroutine is packing it; such a group is left for later, and if it is
// still not packed then, do(ic, true) reads op(A) in place for it instead
// of waiting (the goroutine packing it may not be running). The order of
// the groups does not enter any sum.
func forGroups(p *gemmParams, i0, i1, mcStep int, do func(ic int, inPlace bool), acquire func(ic, mc int, wait bool) bool) {
	if p.lazyA == nil {
		for ic := i0; ic < i1; ic += mcStep {
			do(ic, false)
		}
		return
	}
	canSkip := ceilDiv(i1-i0, mcStep) <= 64 // the groups fit the mask
	var pending uint64
	for ic := i0; ic < i1; ic += mcStep {
		if !acquire(ic, min(mcStep, i1-ic), !canSkip) {
			pending |= 1 << ((ic - i0) / mcStep)
			continue
		}
		do(ic, false)
	}
	for pending != 0 {
		g := bits.TrailingZeros64(pending)
		pending &^= 1 << g
		ic := i0 + g*mcStep
		do(ic, !acquire(ic, min(mcStep, i1-ic), false))
	}
}

// acquireA reports whether group (blk, ic) of the shared packed op(A) is
// packed: it packs it (rows ic … ic+mc−1 of k block [p0, p0+kc)) if no
// goroutine has started to; if another one is packing it, it waits for it
// when wait is set, else reports false.
func acquireA(p *gemmParams, blk, p0, kc, ic, mc, mcStep int, wait bool) bool {
	st := &p.lazyA[blk*ceilDiv(p.m, mcStep)+ic/mcStep]
	if st.Load() == 2 {
		return true
	}
	if st.CompareAndSwap(0, 1) {
		packA(p.sharedA[p0*p.mPad+ic*kc:], p, p0, kc, ic, mc, kern.mr)
		st.Store(2)
		return true
	}
	for wait && st.Load() != 2 {
		runtime.Gosched()
	}
	return wait
}

// kInnerCols is the width of the blocks of C that serialKInner computes
// (64 columns measured better than 128 and 256 at TN 1024×1024×320).
const kInnerCols = 64

// kInnerOK reports whether serialKInner computes p: two k blocks, op(B)
// packed (for both k blocks at once: k·kInnerCols doubles of buf.b), op(A)
// shared or read in place, and a kernel with a tiles call.
func kInnerOK(p *gemmParams, buf *buffers, nb int) bool {
	if nb != 2 || p.sharedB != nil || directB(p, p.k/nb) || kern.tiles == nil {
		return false
	}
	if p.k*roundUp(kInnerCols, kern.nr) > len(buf.b) {
		return false
	}
	return p.sharedA != nil || directA(p, p.k-p.k/nb)
}

// blockMode returns the merge mode of k block blk (serial).
func blockMode(p *gemmParams, blk int) int {
	if blk > 0 {
		return modeAdd
	}
	switch p.beta {
	case 0:
		return modeSet
	case 1:
		return modeAdd
	}
	return modeAxpby
}

// serialKInner is serial with the k blocks innermost: for each column of
// whole tiles (one B micro-panel wide), the two k blocks one after the
// other, so that the column of C is still in L1 for the second and C is
// read from and written back to memory about once instead of once per k
// block. At TN 1024×1024×320 (C 8 MiB, two k blocks of 160) C's traffic
// was ~9% of the GEMM's CPU on two busy cores. Each element of C is still
// updated once per k block, in block order, as in serial. Where op(A) is
// shared and packed larger than L2 (pfMinBytes), the last column of tiles
// of a group reads the next group's panels ahead into L2 (nextA,
// kern.tilesPF): otherwise every group of every column of C comes from L3
// or memory while the kernel waits (TN 1024×1024×320: the kernel alone ran
// 7–12% faster with one group of A kept hot than with eight cycled under
// the other tenants' load, 2.7–6.7% faster with the read-ahead).
func serialKInner(p *gemmParams, buf *buffers, i0, i1, j0, j1 int) {
	mr, nr := kern.mr, kern.nr
	const nb = 2
	ncStep, mcStep := kInnerCols-kInnerCols%nr, mcMax-mcMax%mr
	pfA := kern.tilesPF != nil && p.sharedA != nil && 8*p.k*p.mPad > pfMinBytes
	for jc := j0; jc < j1; jc += ncStep {
		nc := min(ncStep, j1-jc)
		ncPad := roundUp(nc, nr)
		for blk := range nb { // k block blk at buf.b[p0·ncPad:], as packB lays it out
			p0, p1 := blk*p.k/nb, (blk+1)*p.k/nb
			packB(buf.b[p0*ncPad:], p, p0, p1-p0, jc, nc, nr)
		}
		doIC := func(ic int, inPlace bool) {
			mc := min(mcStep, i1-ic)
			for jr := 0; jr < nc; jr += nr {
				nn := min(nr, nc-jr)
				for blk := range nb {
					p0, p1 := blk*p.k/nb, (blk+1)*p.k/nb
					kc := p1 - p0
					mode := blockMode(p, blk)
					dA := inPlace || p.sharedA == nil && directA(p, kc)
					bp := buf.b[p0*ncPad+jr*kc : p0*ncPad+(jr+nr)*kc]
					pf := nextA(p, pfA && !dA && jr+nr >= nc, blk, p0, kc, ic, i0, i1, mcStep, mc/mr)
					tileColumn(p, buf, p0, kc, ic, mc, jc+jr, nn, bp, nr, dA, mode, pf)
				}
			}
		}
		forGroups(p, i0, i1, mcStep, doIC, func(ic, mc int, wait bool) bool {
			ok := true
			for blk := range nb {
				p0, p1 := blk*p.k/nb, (blk+1)*p.k/nb
				ok = acquireA(p, blk, p0, p1-p0, ic, mc, mcStep, wait) && ok
			}
			return ok
		})
	}
}

// pfMinBytes is the size of packed op(A) above which serialKInner reads the
// next group's panels ahead (nextA): larger than the 1 MiB L2 of the AMD
// EPYC (Zen 5) VM this was measured on, so that the groups do not all stay
// in L2 and the next one comes from L3 or memory. (TN 1024×1024×320: 2.6 MiB
// packed, +2–5% GFLOP per CPU-second on a loaded machine, about one core
// free; the mid TN 256×256×400, 0.8 MiB, lost 1–4% with the read-ahead.)
const pfMinBytes = 1 << 20

// tileColumn computes the column of tiles of C at rows ic … ic+mc−1 and
// columns j … j+nn−1 for k block [p0, p0+kc), from op(A) (aPanel; in
// place when dA) and the B micro-panel bp of row stride ldb: the whole
// mr-row tiles of a full-width column (nn = nr) in one assembly call
// (kern.tiles, or kern.tilesPF reading pf ahead when pf is not nil), then
// each remaining tile with tileKernel — every tile with tileKernel where
// the kernels have no tiles call, or under forceTile.
func tileColumn(p *gemmParams, buf *buffers, p0, kc, ic, mc, j, nn int, bp []float64, ldb int, dA bool, mode int, pf []float64) {
	mr, nr := kern.mr, kern.nr
	ir := 0
	if full := mc / mr; kern.tiles != nil && nn == nr && full > 0 && !forceTile {
		ap, ars, acs := aPanel(p, buf, p0, kc, ic, 0, mr, dA)
		cp := p.c[ic*p.ldc+j:]
		if pf != nil {
			kern.tilesPF(full, kc, ap, ars, acs, aStep(p, kc, dA), bp, ldb, cp, p.ldc, mr*p.ldc, p.alpha, p.beta, mode, pf)
		} else {
			kern.tiles(full, kc, ap, ars, acs, aStep(p, kc, dA), bp, ldb, cp, p.ldc, mr*p.ldc, p.alpha, p.beta, mode)
		}
		ir = full * mr
	}
	for ; ir < mc; ir += mr {
		mm := min(mr, mc-ir)
		ap, ars, acs := aPanel(p, buf, p0, kc, ic, ir, mm, dA)
		tileKernel(p, buf.tile, kc, ap, ars, acs, bp, ldb, ic+ir, j, mm, nn, mode)
	}
}

// nextA returns, if ok, the packed op(A) panels that serialKInner reads
// after the group of rows ic (the next group, or the block's first for the
// next column of C) in k block [p0, p0+kc), to be read ahead by
// kern.tilesPF during the last column of tiles of group ic: 8·n·kc doubles
// from the group's first panel, or nil if there is no other group, the
// buffer ends before, or op(A) is packed on first use (lazyA) and that
// group of k block blk is not packed yet (its lines would be read while
// another thread writes them).
func nextA(p *gemmParams, ok bool, blk, p0, kc, ic, i0, i1, mcStep, n int) []float64 {
	if !ok {
		return nil
	}
	nx := ic + mcStep
	if nx >= i1 {
		nx = i0
	}
	off := p0*p.mPad + nx*kc
	if nx == ic || len(p.sharedA)-off < 8*n*kc {
		return nil
	}
	if p.lazyA != nil && p.lazyA[blk*ceilDiv(p.m, mcStep)+nx/mcStep].Load() != 2 {
		return nil
	}
	return p.sharedA[off:]
}

// bPanel returns the B micro-panel of columns jc+jr … jc+jr+nr−1 of k block
// [p0, p0+kc) and its row stride: from the shared packed operand, the
// block's packed buffer, op(B) in place (dB), or, for an edge panel read in
// place, packed zero-padded into buf.b.
func bPanel(p *gemmParams, buf *buffers, p0, kc, jc, jr, nn int, dB bool) ([]float64, int) {
	nr := kern.nr
	switch {
	case p.sharedB != nil:
		o := p0*p.nPad + (jc+jr)*kc
		return p.sharedB[o : o+nr*kc], nr
	case !dB:
		return buf.b[jr*kc : (jr+nr)*kc], nr
	case nn == nr:
		return p.b[p0*p.ldb+jc+jr:], p.ldb
	default: // edge panel: pack it, zero-padded
		bp := buf.b[:nr*kc]
		packB(bp, p, p0, kc, jc+jr, nn, nr)
		return bp, nr
	}
}

// aPanel returns the A micro-panel of rows ic+ir … ic+ir+mr−1 of k block
// [p0, p0+kc) and its strides (ars between rows, acs between columns), as
// bPanel does for B.
func aPanel(p *gemmParams, buf *buffers, p0, kc, ic, ir, mm int, dA bool) ([]float64, int, int) {
	mr := kern.mr
	switch {
	case dA && mm == mr && p.transA: // (even with a shared operand: forGroups)
		return p.a[p0*p.lda+ic+ir:], 1, p.lda
	case dA && mm == mr:
		return p.a[(ic+ir)*p.lda+p0:], p.lda, 1
	case dA:
		ap := buf.a[:mr*kc]
		packA(ap, p, p0, kc, ic+ir, mm, mr)
		return ap, 1, mr
	case p.sharedA != nil: // (the slices run on to the block's last panel: kern.tiles)
		return p.sharedA[p0*p.mPad+(ic+ir)*kc:], 1, mr
	default:
		return buf.a[ir*kc:], 1, mr
	}
}

// aStep returns the distance between consecutive whole A micro-panels of
// a block (rows mr apart) in the operand aPanel takes them from.
func aStep(p *gemmParams, kc int, dA bool) int {
	switch {
	case !dA:
		return kern.mr * kc
	case p.transA:
		return kern.mr
	default:
		return kern.mr * p.lda
	}
}

// tileKernel runs the micro-kernel on the tile of C at row i, column j
// (mm×nn valid): in place, or through the tile buffer at an edge.
func tileKernel(p *gemmParams, tile []float64, kc int, ap []float64, ars, acs int, bp []float64, ldb, i, j, mm, nn, mode int) {
	off := i*p.ldc + j
	if mm == kern.mr && nn == kern.nr && !forceTile {
		kern.fn(kc, ap, ars, acs, bp, ldb, p.c[off:], p.ldc, p.alpha, p.beta, mode)
	} else { // edge tile: compute into the buffer, merge the valid part
		kern.fn(kc, ap, ars, acs, bp, ldb, tile, kern.nr, 1, 0, modeSet)
		merge(tile, kern.nr, p.c[off:], p.ldc, mm, nn, p.alpha, p.beta, mode)
	}
}

// directA and directB report whether the micro-kernel reads op(A) and
// op(B) in place instead of from packed panels. Reading in place saves the
// copy, which dominates small products (d = 64: a third of the GEMM time).
// It is safe for cache reuse when the kc rows a micro-panel spans do not
// alias into a few L1 sets: rows ld doubles apart fall into 512/ld distinct
// pairs of 64-byte sets of the 4 KiB-periodic, 12-way L1, so kc·ld ≤ 8192
// keeps at most 16 lines per set pair. A not transposed is read as mr
// sequential row streams, which never alias.
func directA(p *gemmParams, kc int) bool { return !p.transA || kc*p.lda <= 8192 }
func directB(p *gemmParams, kc int) bool { return !p.transB && kc*p.ldb <= 8192 }

// packA copies op(A)[ic:ic+mc, p0:p0+kc] into dst as ⌈mc/mr⌉ micro-panels;
// panel q holds rows ic+q·mr … ic+q·mr+mr−1, column after column
// (dst[q·mr·kc + p·mr + r]), zero-padded past row ic+mc.
func packA(dst []float64, p *gemmParams, p0, kc, ic, mc, mr int) {
	a, lda := p.a, p.lda
	for q := 0; q < mc; q += mr {
		panel := dst[q*kc : (q+mr)*kc]
		rows := min(mr, mc-q)
		if rows < mr {
			clear(panel)
		}
		if p.transA { // op(A)[i][p0+s] = A[p0+s][i]: rows of A hold mr contiguous values
			copyRows(panel, mr, a[p0*lda+ic+q:], lda, kc, rows)
			continue
		}
		transposeRows(panel, mr, a[(ic+q)*lda+p0:], lda, kc, rows)
	}
}

// packB copies op(B)[p0:p0+kc, jc:jc+nc] into dst as ⌈nc/nr⌉ micro-panels;
// panel q holds columns jc+q·nr … jc+q·nr+nr−1, row after row
// (dst[q·nr·kc + p·nr + c]), zero-padded past column jc+nc.
func packB(dst []float64, p *gemmParams, p0, kc, jc, nc, nr int) {
	b, ldb := p.b, p.ldb
	for q := 0; q < nc; q += nr {
		panel := dst[q*kc : (q+nr)*kc]
		cols := min(nr, nc-q)
		if cols < nr {
			clear(panel)
		}
		if p.transB { // op(B)[p0+s][j] = B[j][p0+s]: rows of B hold kc contiguous values
			transposeRows(panel, nr, b[(jc+q)*ldb+p0:], ldb, kc, cols)
		} else {
			copyRows(panel, nr, b[p0*ldb+jc+q:], ldb, kc, cols)
		}
	}
}

// transposeRows copies w rows of kc values, src[r·ld : r·ld+kc], to the
// columns of a micro-panel of width wd: dst[s·wd + r] = src[r·ld + s]
// (packing op(B) from Bᵀ, or A by rows). Where the CPU has AVX2
// (fastTransposeRows) 4×4 blocks move through vector registers and only the
// edges, rows past 4⌊w/4⌋ and columns past 4⌊kc/4⌋, are copied here, four
// rows at a time. (The Go copy alone, as before, held 17% of the CPU time
// of NT 320×1024×1024 on AVX-512.)
func transposeRows(dst []float64, wd int, src []float64, ld, kc, w int) {
	rows, cols := 0, 0
	if fastTransposeRows != nil {
		rows, cols = fastTransposeRows(dst, wd, src, ld, kc, w)
	}
	r := 0
	for ; r+4 <= w; r += 4 { // four rows at once (rows is a multiple of 4)
		s0 := 0
		if r < rows {
			s0 = cols
		}
		r0 := src[r*ld+s0 : r*ld+kc]
		r1 := src[(r+1)*ld+s0 : (r+1)*ld+kc]
		r2 := src[(r+2)*ld+s0 : (r+2)*ld+kc]
		r3 := src[(r+3)*ld+s0 : (r+3)*ld+kc]
		for s := range r0 {
			d := (*[4]float64)(dst[(s0+s)*wd+r:])
			d[0], d[1], d[2], d[3] = r0[s], r1[s], r2[s], r3[s]
		}
	}
	for ; r < w; r++ {
		for s, v := range src[r*ld : r*ld+kc] {
			dst[s*wd+r] = v
		}
	}
}

// fastTransposeRows, set once by the amd64 init where the CPU has AVX2 (and
// VITADV_KERNEL does not ask for pure Go), copies the rows [0, rows) and
// columns [0, cols) of transposeRows's block and reports them.
var fastTransposeRows func(dst []float64, wd int, src []float64, ld, kc, w int) (rows, cols int)

// copyRows copies kc rows of w values, src[s·ld : s·ld+w], to
// dst[s·wd : s·wd+w] (a micro-panel of width wd): with 32-byte moves in Go
// assembly where the CPU has AVX2 and the rows are a kernel's width
// (fastCopyRows), else one copy per row. (Copying four values at a time
// through Go registers instead measured 1.5× slower at NN 320×1024×1024:
// 51 against 75 GFLOP per CPU-second, AVX-512, 5 interleaved rounds.)
func copyRows(dst []float64, wd int, src []float64, ld, kc, w int) {
	if fastCopyRows != nil && fastCopyRows(dst, wd, src, ld, kc, w) {
		return
	}
	for s := range kc {
		copy(dst[s*wd:s*wd+w], src[s*ld:s*ld+w])
	}
}

// fastCopyRows, set once by the amd64 init where the CPU has AVX2 (and
// VITADV_KERNEL does not ask for pure Go), copies rows of 4, 8, 12 or 16
// values and reports whether it did.
var fastCopyRows func(dst []float64, wd int, src []float64, ld, kc, w int) bool

// forceTile makes every tile go through the buffer and the scalar merge;
// tests set it to check that the kernels' vector merge is bit-identical.
var forceTile = false

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }
