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
#                              (the file records go test's cpu: line and the
#                              linalg: kernel path)
#   make bench-baseline        promote the new file to results/bench/baseline-$(LINALG).txt
#   make benchcmp              benchstat baseline vs new
#   make peer                  Go vs the PyTorch peer, one interleaved run -> results/bench/peer-$(LINALG).txt
#   make linalg-test           model/linalg and model/vit tests under default and purego

GO ?= go
LINALG ?= default

LINALG_TAGS_purego := -tags purego
LINALG_TAGS_openblas := -tags openblas
LINALG_GO = $(GO)
LINALG_TAGS = $(LINALG_TAGS_$(LINALG))

BENCH_COUNT ?= 10
BENCH_TIME ?= 100ms
BENCH ?= .
BENCH_DIR ?= results/bench
BENCH_NEW ?= $(BENCH_DIR)/new-$(LINALG).txt
BENCH_BASE ?= $(BENCH_DIR)/baseline-$(LINALG).txt
PEER_ROUNDS ?= 3

.PHONY: bench bench-baseline benchcmp peer linalg-test openblas-deps bench-deps

bench: $(if $(findstring openblas,$(LINALG_TAGS)),openblas-deps)  ## benchmarks -> $(BENCH_NEW)
	@mkdir -p $(BENCH_DIR)
	{ echo "command: make bench LINALG=$(LINALG) BENCH_COUNT=$(BENCH_COUNT) BENCH_TIME=$(BENCH_TIME)"; \
	  echo "commit: $$(git rev-parse --short HEAD)$$(git diff --quiet -- model bench || echo -dirty)"; \
	  echo "go: $$($(GO) env GOVERSION)"; \
	  echo "loadavg: $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"; \
	  echo "nproc: $$(nproc 2>/dev/null)"; \
	  echo "Unit allocs/op assume=exact"; \
	  $(LINALG_GO) test $(LINALG_TAGS) -run '^$$' -bench '$(BENCH)' -benchtime $(BENCH_TIME) \
	    -count $(BENCH_COUNT) -timeout 2h ./bench 2>&1; } | tee $(BENCH_NEW).tmp
	@! grep -q -e '^FAIL' -e '^panic' $(BENCH_NEW).tmp || { echo "bench: failed, see $(BENCH_NEW).tmp"; exit 1; }
	@grep -q '^cpu: ' $(BENCH_NEW).tmp && grep -q '^linalg: ' $(BENCH_NEW).tmp || { echo "bench: no cpu: or linalg: line in $(BENCH_NEW).tmp"; exit 1; }
	mv $(BENCH_NEW).tmp $(BENCH_NEW)

bench-baseline:  ## promote the last `make bench` to the committed baseline
	cp $(BENCH_NEW) $(BENCH_BASE)

benchcmp:        ## benchstat baseline vs new (same LINALG)
	$(GO) tool benchstat $(BENCH_BASE) $(BENCH_NEW)

peer: $(if $(findstring openblas,$(LINALG_TAGS)),openblas-deps)  ## Go vs the PyTorch peer (needs python3-torch; skipped with a message if absent)
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
