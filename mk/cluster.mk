# The real Temporal cluster on this machine (included by the Makefile: `-include mk/*.mk`).
#
#   make cluster-tools   PostgreSQL (Debian's, apt-get) and jq; temporal-server, temporal-sql-tool
#                        (go.temporal.io/server), the Web UI server and Caddy, built into ./bin once
#   make cluster         PostgreSQL :5433 → schemas → temporal-server :7243 → namespace and search
#                        attributes → Web UI :8243 → sandboxes → 2 workers, 2 gateways, the webhook
#                        proxy :8188 (background)
#   make cluster-stop    stops all of it (pid files in .data/cluster/run); data stays in .data/cluster
#   make test-cluster    the cluster smoke test, then the end-to-end suite against the cluster
#   make bench-cluster   make bench's order-to-cash, delivery and ack figures against the cluster
#   make validate-deploy deploy/validate (part of make test)
CLUSTER_SERVER_VERSION := v1.32.1
CLUSTER_UI_VERSION := v2.42.1

.PHONY: cluster cluster-tools cluster-postgres cluster-stop test-cluster bench-cluster validate-deploy

CLUSTER_CADDY_VERSION := v2.11.9

cluster-tools: cluster-postgres $(BIN)/temporal-server $(BIN)/temporal-sql-tool $(BIN)/temporal-ui-server $(BIN)/caddy

## cluster-postgres: Debian's PostgreSQL (15 on bookworm) and jq, unless already installed (root).
cluster-postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v jq >/dev/null; then \
		echo "PostgreSQL $$(ls /usr/lib/postgresql | sort -V | tail -1) and jq are installed"; \
	else \
		echo "installing PostgreSQL and jq (apt-get; needs root)…"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql jq; \
	fi

# One `go install` builds both (it shares the compile): cmd/server → temporal-server,
# cmd/tools/sql → temporal-sql-tool. About 7 minutes on 2 cores the first time.
$(BIN)/temporal-server $(BIN)/temporal-sql-tool &:
	@echo "building temporal-server and temporal-sql-tool $(CLUSTER_SERVER_VERSION) into ./bin (first time only, several minutes)…"
	@mkdir -p $(BIN)
	@tmp=$$(mktemp -d) && \
		GOBIN=$$tmp $(GO) install go.temporal.io/server/cmd/server@$(CLUSTER_SERVER_VERSION) go.temporal.io/server/cmd/tools/sql@$(CLUSTER_SERVER_VERSION) && \
		mv $$tmp/server $(BIN)/temporal-server && mv $$tmp/sql $(BIN)/temporal-sql-tool && rmdir $$tmp

# Temporal Web UI for the cluster: the server the temporalio/ui image runs (the CLI's embedded UI
# only serves its own dev server). About 30 seconds.
$(BIN)/temporal-ui-server:
	@echo "building the Temporal Web UI server $(CLUSTER_UI_VERSION) into ./bin…"
	@mkdir -p $(BIN)
	@tmp=$$(mktemp -d) && GOBIN=$$tmp $(GO) install github.com/temporalio/ui-server/v2/cmd/server@$(CLUSTER_UI_VERSION) && \
		mv $$tmp/server $(BIN)/temporal-ui-server && rmdir $$tmp

# The compose file's webhook proxy (deploy/compose/Caddyfile) runs in the cluster too, with the
# Caddy version its image tag names. About 6 minutes the first time.
$(BIN)/caddy:
	@echo "building Caddy $(CLUSTER_CADDY_VERSION) (the webhook proxy) into ./bin…"
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install github.com/caddyserver/caddy/v2/cmd/caddy@$(CLUSTER_CADDY_VERSION)

cluster: cluster-tools tools build
	@BIN=$(BIN) GO=$(GO) scripts/cluster/up.sh

cluster-stop:
	@BIN=$(BIN) scripts/cluster/down.sh

# The end-to-end suite runs against the cluster's frontend with LEDGERBRIDGE_TEST_TEMPORAL_ADDRESS,
# each test stack in a namespace of its own (internal/devstack), so it never shares a task queue or
# a schedule with the cluster's own workers.
CLUSTER_TEST_TIMEOUT ?= 25m
test-cluster: cluster
	@BIN=$(BIN) scripts/cluster/smoke.sh
	@status=0; LEDGERBRIDGE_TEST_TEMPORAL_ADDRESS=127.0.0.1:7243 LEDGERBRIDGE_REQUIRE_TOOLS=1 LEDGERBRIDGE_BIN_DIR=$(BIN) \
		$(GO) test -count=1 -timeout $(CLUSTER_TEST_TIMEOUT) ./tests/... || status=$$?; \
		BIN=$(BIN) scripts/cluster/clean-e2e.sh; exit $$status

# The same benchmarks as make bench (throughput with one and two workers, delivery, gateway ack)
# with the Temporal work on the cluster, in a namespace of their own.
bench-cluster: cluster
	@status=0; LEDGERBRIDGE_TEST_TEMPORAL_ADDRESS=127.0.0.1:7243 LEDGERBRIDGE_REQUIRE_TOOLS=1 LEDGERBRIDGE_BIN_DIR=$(BIN) \
		$(GO) test -count=1 -timeout 30m -run '^$$' -bench 'OrderToCash|Delivery|GatewayAck' -benchtime 1x ./tests/bench/ || status=$$?; \
		BIN=$(BIN) scripts/cluster/clean-e2e.sh; exit $$status

# deploy/validate needs go.sum entries for k8s.io/api's and compose-go's dependencies, which go.sum
# does not have yet: run it with a copy of go.mod/go.sum that may record them (go.mod and go.sum are
# not touched). Once `go mod tidy` has added them, drop the build tag and this target's flags.
VALIDATE_MOD := .data/validate/go.mod
validate-deploy:
	@mkdir -p $(dir $(VALIDATE_MOD))
	@cp go.mod $(VALIDATE_MOD) && cp go.sum $(VALIDATE_MOD:.mod=.sum)
	$(GO) test -count=1 -tags deployvalidate -modfile=$(VALIDATE_MOD) -mod=mod ./deploy/validate/

test: validate-deploy
