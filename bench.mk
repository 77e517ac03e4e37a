# Benchmarks, the fast GEMM paths and the PyTorch peer (included by Makefile).
# Results and how to read them: results/bench/README.md.
#
# The kernels of model/linalg are chosen at run time from the CPU (Go
# assembly for AVX-512F or AVX2+FMA, else pure Go), with the same bits on
# every path. LINALG selects the build for every target here:
#
#   LINALG=default   no tags: the fastest path this CPU has
#   LINALG=purego    -tags purego: the pure-Go fallback forced (the reference
#                    the assembly is tested against, bit for bit)
#   LINALG=openblas  -tags openblas: products of ≥ OpenBLASMinFlops flops
#                    through OpenBLAS (cgo; `make openblas-deps`). NOT
#                    bit-identical to the other paths: an opt-in for timing only.
#
#   make bench                 every benchmark -> results/bench/new-$(LINALG).txt
#                              (go test's cpu: line and the linalg: kernel
#                              path name the CPU class; commit, load average
#                              and command are "# " comments, which benchstat
#                              ignores, so two runs always compare)
#   make bench-baseline        promote it to results/bench/baseline-<cpu>-<path>.txt,
#                              the baseline of this CPU class
#   make benchcmp              benchstat: the baseline of the new file's CPU
#                              class vs the new file (delta column, p-values)
#   make peer                  Go vs the PyTorch peer, one interleaved run -> results/bench/peer-$(LINALG).txt
#   make linalg-test           model/linalg and model/vit tests under default and purego
#
# VITADV_KERNEL=avx2 forces the AVX2 kernels on a CPU with AVX-512 (and
# =purego the pure-Go ones at run time); the files then name that path.

GO ?= go
LINALG ?= default

LINALG_TAGS_purego := -tags purego
LINALG_TAGS_openblas := -tags openblas
LINALG_GO = $(GO)
LINALG_TAGS = $(LINALG_TAGS_$(LINALG))

BENCH_COUNT ?= 6
BENCH_TIME ?= 100ms
BENCH ?= .
# The Diagnose* benchmarks retrain committed cells and print diagnoses (minutes
# each, asserting nothing): skipped unless BENCH_SKIP is emptied, e.g.
# make bench BENCH=DiagnoseSecondOrder BENCH_SKIP= BENCH_COUNT=1
BENCH_SKIP ?= Diagnose
BENCH_DIR ?= results/bench
BENCH_NEW ?= $(BENCH_DIR)/new-$(LINALG)$(if $(VITADV_KERNEL),-$(VITADV_KERNEL)).txt
BENCHFILE = $(GO) run ./bench/benchfile
PEER_ROUNDS ?= 3
BENCHSTAT_FLAGS ?=

.PHONY: bench bench-baseline benchcmp peer linalg-test openblas-deps bench-deps

bench: $(if $(findstring openblas,$(LINALG_TAGS)),openblas-deps)  ## benchmarks -> $(BENCH_NEW)
	@mkdir -p $(BENCH_DIR)
	{ $(BENCHFILE) header -command "make bench LINALG=$(LINALG) BENCH=$(BENCH) BENCH_SKIP=$(BENCH_SKIP) BENCH_COUNT=$(BENCH_COUNT) BENCH_TIME=$(BENCH_TIME)$${VITADV_KERNEL:+ VITADV_KERNEL=$$VITADV_KERNEL}" \
	    -commit "$$(git rev-parse --short HEAD)$$(git diff --quiet -- model bench || echo -dirty)" && \
	  $(LINALG_GO) test $(LINALG_TAGS) -run '^$$' -bench '$(BENCH)' -skip '$(BENCH_SKIP)' -benchtime $(BENCH_TIME) \
	    -count $(BENCH_COUNT) -timeout 2h ./bench 2>&1; $(BENCHFILE) loadavg; } | tee $(BENCH_NEW).tmp
	@! grep -q -e '^FAIL' -e '^panic' $(BENCH_NEW).tmp || { echo "bench: failed, see $(BENCH_NEW).tmp"; exit 1; }
	@grep -q '^cpu: ' $(BENCH_NEW).tmp && grep -q '^linalg: ' $(BENCH_NEW).tmp || { echo "bench: no cpu: or linalg: line in $(BENCH_NEW).tmp"; exit 1; }
	mv $(BENCH_NEW).tmp $(BENCH_NEW)

bench-baseline:  ## promote the last `make bench` to the baseline of its CPU class
	@base=$$($(BENCHFILE) baseline -dir $(BENCH_DIR) $(BENCH_NEW)) && cp $(BENCH_NEW) "$$base.tmp" && mv "$$base.tmp" "$$base" && echo "bench-baseline: $$base"

benchcmp:        ## benchstat: the baseline of the new file's CPU class vs the new file
	@base=$$($(BENCHFILE) find -dir $(BENCH_DIR) $(BENCH_NEW)) && echo "benchcmp: $$base vs $(BENCH_NEW)" && \
	  $(GO) tool benchstat $(BENCHSTAT_FLAGS) "$$base" $(BENCH_NEW)

peer: $(if $(findstring openblas,$(LINALG_TAGS)),openblas-deps)  ## Go vs the PyTorch peer (needs python3-torch on OpenBLAS: make bench-deps; skipped with a message if absent, not judged on the reference BLAS)
	@mkdir -p $(BENCH_DIR)
	$(LINALG_GO) run ./cmd/peercmp $(subst -tags ,-tags=,$(LINALG_TAGS)) -rounds $(PEER_ROUNDS) -o $(BENCH_DIR)/peer-$(LINALG).txt

linalg-test:     ## kernel tests under the default (every CPU path, compared bitwise) and purego builds
	$(GO) test -count=1 ./model/linalg ./model/vit
	$(GO) test -count=1 -tags purego ./model/linalg ./model/vit
	@if ldconfig -p | grep -q libopenblas; then \
	  $(GO) test -count=1 -tags openblas ./model/linalg ./model/vit && \
	  $(GO) test -count=1 -tags openblas,openblas_all ./model/linalg ./model/vit; \
	else echo "linalg-test: OpenBLAS path skipped (make openblas-deps)"; fi

openblas-deps:   ## Debian's OpenBLAS for -tags openblas
	@ldconfig -p | grep -q libopenblas || { apt-get update && apt-get install -y libopenblas-dev; }

bench-deps: openblas-deps  ## the peer's PyTorch as well
	@python3 -c 'import torch' 2>/dev/null || { apt-get update && apt-get install -y python3-torch; }
