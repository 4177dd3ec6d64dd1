# ledgerbridge — `make run` starts the whole system on 127.0.0.1, `make test` proves it.
SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
TEMPORAL_CLI_VERSION := v1.5.1
STRIPE_MOCK_VERSION := v0.203.0
STATICCHECK_VERSION := v0.8.2
WORKFLOWCHECK_VERSION := v0.6.0
SERVICES := worker gateway stripe-sandbox sage-sandbox paytrace-sandbox devstack ledgerbridge

.PHONY: all tools lint-tools build run demo test test-unit test-e2e bench vet lint fuzz fuzz-short fmt clean

all: build

## tools: the Temporal CLI (dev server + Web UI) and stripe-mock, installed into ./bin once.
tools: $(BIN)/temporal $(BIN)/stripe-mock

$(BIN)/temporal:
	@echo "installing Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (first time only, about 3 minutes)…"
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

$(BIN)/stripe-mock:
	GOBIN=$(BIN) $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

## lint-tools: staticcheck and Temporal's workflowcheck, pinned, into ./bin.
lint-tools: $(BIN)/staticcheck $(BIN)/workflowcheck

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

## build: the project's binaries into ./bin.
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/worker ./worker
	$(GO) build -o $(BIN)/gateway ./gateway
	$(GO) build -o $(BIN)/stripe-sandbox ./sandbox/cmd/stripe-sandbox
	$(GO) build -o $(BIN)/sage-sandbox ./sandbox/cmd/sage-sandbox
	$(GO) build -o $(BIN)/paytrace-sandbox ./sandbox/cmd/paytrace-sandbox
	$(GO) build -o $(BIN)/devstack ./sandbox/cmd/devstack
	$(GO) build -o $(BIN)/ledgerbridge ./cmd/ledgerbridge

## run: everything on 127.0.0.1 (ports and overrides in README); Ctrl-C stops it all.
run: tools build
	$(BIN)/devstack

## demo: against a running `make run`, create customers and payments in the Stripe sandbox and
## print the Sage documents they became.
demo:
	ERP=$(or $(ERP),sage500) $(GO) run ./sandbox/cmd/demo

## test: lint, unit tests, end-to-end tests through the real dev server, sandboxes, worker and
## gateway, then a short pass of every fuzz target.
test: tools build lint
	LEDGERBRIDGE_REQUIRE_TOOLS=1 LEDGERBRIDGE_BIN_DIR=$(BIN) $(GO) test -count=1 -timeout 15m ./...
	$(MAKE) fuzz-short

## fuzz-short: every fuzz target for a few seconds (part of make test); fuzz: for FUZZTIME each.
fuzz-short:
	GO=$(GO) scripts/fuzz.sh 3s

FUZZTIME ?= 2m
fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

test-unit:
	$(GO) test -count=1 -short ./...

test-e2e: tools build
	LEDGERBRIDGE_REQUIRE_TOOLS=1 LEDGERBRIDGE_BIN_DIR=$(BIN) $(GO) test -count=1 -timeout 15m -v ./tests/...

## bench: throughput and latency numbers, printed (not asserted).
bench: tools build
	LEDGERBRIDGE_REQUIRE_TOOLS=1 LEDGERBRIDGE_BIN_DIR=$(BIN) $(GO) test -count=1 -timeout 40m -run '^$$' -bench . -benchtime 1x ./tests/bench/

vet:
	$(GO) vet ./...

## lint: gofmt, go vet, staticcheck, and workflowcheck (no non-determinism in workflow code).
lint: lint-tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/workflowcheck ./workflows/...

fmt:
	gofmt -w $$(git ls-files '*.go')

## clean: remove local state (.data) and built binaries except the downloaded tools.
clean:
	rm -rf .data $(addprefix $(BIN)/,$(SERVICES))
-include mk/*.mk
