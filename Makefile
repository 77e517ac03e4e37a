# Entry points of the suite. Everything runs with only Go installed; the
# optional fast kernel path and the PyTorch peer are documented in bench.mk.
GO ?= go

.PHONY: test short prop vet fmt ci results check
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
results:         ## regenerate the committed ci-preset results
	$(GO) run ./cmd/vitadv all -preset ci
check: results   ## regenerate and fail if committed data changed
	git diff --exit-code -- results/

-include bench.mk
