# Entry points of the suite. Everything runs with only Go installed; the
# optional fast kernel path and the PyTorch peer are documented in bench.mk.
GO ?= go

.PHONY: test short prop vet fmt ci results check mutate
test:            ## the README's test command
	$(GO) test ./...
short:           ## the quickest pass (smaller instances, fewer rapid checks)
	$(GO) test -short ./...
prop:            ## properties at paper-like scale with many checks (long)
	VITADV_SCALE=paper $(GO) test ./properties/ -rapid.checks=2000 -timeout 6h
vet:
	$(GO) vet ./...
fmt:
	gofmt -l -w $$(git ls-files '*.go')
ci:              ## what CI runs
	bash .ci/run
# The CSVs of the ci job; a run resumes from an existing CSV, so regenerating
# means removing them first.
CI_RESULTS = phase/ci-clean phase/ci-at-0.1 phase/ci-at-0.4 tau/ci dynamics/ci mnist/ci

results:         ## regenerate the committed ci-preset results from scratch (3-6 min)
	rm -f $(CI_RESULTS:%=results/%.csv)
	$(GO) run ./cmd/vitadv all -preset ci
check:           ## rerun the ci job in a scratch directory; fail unless every CSV matches the committed one byte for byte
	@tmp=$$(mktemp -d) && $(GO) run ./cmd/vitadv all -preset ci -results $$tmp >/dev/null && \
	for f in $(CI_RESULTS); do cmp $$tmp/$$f.csv results/$$f.csv || exit 1; done && \
	echo "ci results reproduce byte for byte" && rm -rf $$tmp

# Mutation testing: plant each bug of mutate/catalogue.txt alone in a scratch
# copy and check that go test ./... fails; writes results/mutate/REPORT.txt.
# MUTATE_FLAGS="-run REGEX -j 2 -timeout 10m" narrows or widens a run.
MUTATE_FLAGS ?=
mutate:          ## mutation testing: killed ratio and survivors of the catalogue (long: tens of minutes)
	$(GO) run ./cmd/mutate $(MUTATE_FLAGS)

-include bench.mk
