# shellcheck shell=bash
# Shared settings of the local Temporal cluster (`make cluster`, `make cluster-stop`,
# `make test-cluster`). Sourced, never run. Every port is on 127.0.0.1 and chosen beside, not on,
# the ports of `make run` (7233, 8233, 8080, 8081, 12111, 8383), so both can run at once.

set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${BIN:-$ROOT/bin}
GO=${GO:-go}
CLUSTER_DIR=${CLUSTER_DIR:-$ROOT/.data/cluster}
LOGS=$CLUSTER_DIR/logs
RUN=$CLUSTER_DIR/run

# Pinned versions (DESIGN.md: server v1.32.1 builds with this Go; Web UI 2.42.1 is the one the
# Temporal CLI v1.5.1 embeds, and the temporalio/ui tag deploy/docker-compose.yml uses).
TEMPORAL_SERVER_VERSION=v1.32.1
TEMPORAL_UI_VERSION=v2.42.1

PG_PORT=${CLUSTER_PG_PORT:-5433}
PG_USER=temporal
PG_PASSWORD=temporal
PG_DATA=$CLUSTER_DIR/pg
PG_SOCKETS=$CLUSTER_DIR/pg-run

# Temporal services: frontend (gRPC, HTTP, membership), history, matching, worker.
FRONTEND_PORT=${CLUSTER_TEMPORAL_PORT:-7243}
FRONTEND_HTTP_PORT=7253
FRONTEND_MEMBERSHIP_PORT=6943
HISTORY_PORT=7244
HISTORY_MEMBERSHIP_PORT=6944
MATCHING_PORT=7245
MATCHING_MEMBERSHIP_PORT=6945
TWORKER_PORT=7249
TWORKER_MEMBERSHIP_PORT=6949
TEMPORAL_METRICS_PORT=9243
UI_PORT=${CLUSTER_UI_PORT:-8243}
TEMPORAL_ADDR=127.0.0.1:$FRONTEND_PORT
NAMESPACE=${CLUSTER_NAMESPACE:-default}

STRIPE_ADDR=127.0.0.1:12121
SAGE_ADDR=127.0.0.1:8393
PAYTRACE_ADDR=127.0.0.1:8292
PAYTRACE_NOTIFY_SECRET=ptwhsec_ledgerbridge_dev
# Two gateways (public, internal) and two workers (WORKER_HEALTH_ADDR: /healthz /readyz /metrics).
GATEWAY_PUBLIC=(127.0.0.1:8180 127.0.0.1:8182)
GATEWAY_INTERNAL=(127.0.0.1:8181 127.0.0.1:8183)
WORKER_HEALTH=(127.0.0.1:8190 127.0.0.1:8191)
# deploy/compose/Caddyfile, the compose file's webhook proxy, in front of both gateways.
PROXY_PORT=8188

STRIPE_KEY=sk_test_ledgerbridge
WEBHOOK_SECRET=whsec_ledgerbridge_dev
SAGE_KEY=sage_ledgerbridge_dev
ADMIN_TOKEN=admin_ledgerbridge_dev
ERP=${ERP:-sage500}

SERVER_SCHEMA_DIR() { echo "$("$GO" env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"; }

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# now_ms: milliseconds since the epoch, for the timings printed.
now_ms() { date +%s%3N; }

pg_bin() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[[ -x $d/$1 ]] && { echo "$d/$1"; return; }
	done
	command -v "$1" || die "PostgreSQL's $1 not found: run \`make cluster-tools\` (apt-get install postgresql)"
}

# as_pg runs a PostgreSQL server command as the postgres user when we are root (postgres refuses
# to run as root), else as ourselves.
as_pg() {
	if [[ $(id -u) == 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

alive() { # alive NAME: its pid file names a running process
	local f=$RUN/$1.pid
	[[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# start NAME CMD…: start CMD in the background in its own session, logs in $LOGS/NAME.log, pid
# in $RUN/NAME.pid. Environment for CMD is passed with `env`.
start() {
	local name=$1; shift
	if alive "$name"; then
		say "$name already running (pid $(cat "$RUN/$name.pid"))"
		return
	fi
	mkdir -p "$LOGS" "$RUN"
	setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
}

# stop NAME: SIGTERM, wait up to 15 s, then SIGKILL.
stop() {
	local name=$1 f=$RUN/$1.pid pid
	[[ -f $f ]] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			say "$name did not stop in 15s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		say "stopped $name (pid $pid)"
	fi
	rm -f "$f"
}

# wait_tcp ADDR SECONDS NAME
wait_tcp() {
	local host=${1%:*} port=${1##*:} i
	for ((i = 0; i < $2 * 10; i++)); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
		if [[ -n ${3:-} ]] && ! alive "$3"; then die "$3 exited; see $LOGS/$3.log"; fi
		sleep 0.1
	done
	die "${3:-$1} not listening on $1 after $2s${3:+; see $LOGS/$3.log}"
}

# wait_http URL SECONDS NAME [CURL ARGS…]: until URL answers 2xx.
wait_http() {
	local url=$1 secs=$2 name=$3 i; shift 3
	for ((i = 0; i < secs * 5; i++)); do
		if curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; then return 0; fi
		if ! alive "$name"; then die "$name exited; see $LOGS/$name.log"; fi
		sleep 0.2
	done
	die "$name: $url not ready after ${secs}s; see $LOGS/$name.log"
}

codec_keys() { cat "$CLUSTER_DIR/codec-keys"; }
endpoint_secret() { cat "$CLUSTER_DIR/endpoint$1.secret"; }

# service_env I: the environment of worker I / gateway I (0-based), as env(1) arguments. The
# gateways accept the signing secrets of all three Stripe endpoints (the sandbox's default one →
# gateway 1, endpoint 2 → gateway 2, endpoint 3 → the webhook proxy → either).
service_env() {
	local i=$1
	echo TEMPORAL_ADDRESS="$TEMPORAL_ADDR" TEMPORAL_NAMESPACE="$NAMESPACE" \
		STRIPE_API_URL="http://$STRIPE_ADDR" STRIPE_API_KEY="$STRIPE_KEY" \
		STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET,$(endpoint_secret 2),$(endpoint_secret 3)" \
		ERP="$ERP" SAGE_URL="http://$SAGE_ADDR" SAGE_API_KEY="$SAGE_KEY" \
		PAYTRACE_API_URL="http://$PAYTRACE_ADDR" PAYTRACE_NOTIFY_SECRET="$PAYTRACE_NOTIFY_SECRET" \
		LEDGERBRIDGE_REPORT_DIR="$CLUSTER_DIR/reports" LEDGERBRIDGE_WEB_UI="http://127.0.0.1:$UI_PORT/namespaces/$NAMESPACE" \
		LEDGERBRIDGE_ADMIN_TOKEN="$ADMIN_TOKEN" LEDGERBRIDGE_CODEC_KEYS="$(codec_keys)" \
		LEDGERBRIDGE_CODEC_ORIGINS="http://127.0.0.1:$UI_PORT,http://localhost:$UI_PORT" \
		GATEWAY_ADDR="${GATEWAY_PUBLIC[$i]}" GATEWAY_INTERNAL_ADDR="${GATEWAY_INTERNAL[$i]}" \
		WORKER_HEALTH_ADDR="${WORKER_HEALTH[$i]}"
}

start_worker() { # start_worker I
	# shellcheck disable=SC2046
	start "worker-$(($1 + 1))" env $(service_env "$1") "$BIN/worker"
}

start_proxy() {
	start webhook-proxy env PROXY_ADDR=":$PROXY_PORT" PROXY_BIND=127.0.0.1 GATEWAY_1="${GATEWAY_PUBLIC[0]}" \
		GATEWAY_2="${GATEWAY_PUBLIC[1]}" "$BIN/caddy" run --config "$ROOT/deploy/compose/Caddyfile" --adapter caddyfile
	wait_http "http://127.0.0.1:$PROXY_PORT/proxy-healthz" 30 webhook-proxy
}

start_gateway() { # start_gateway I
	# shellcheck disable=SC2046
	start "gateway-$(($1 + 1))" env $(service_env "$1") "$BIN/gateway"
	wait_http "http://${GATEWAY_PUBLIC[$1]}/readyz" 60 "gateway-$(($1 + 1))"
}

# worker_has_setup: the worker in this tree has the one-shot `worker setup` (namespace and search
# attributes through Temporal's operator API). Until it has, this script creates them with the CLI.
# Checked in the source, not by running bin/worker setup: a worker without the subcommand ignores
# the argument and starts polling.
worker_has_setup() { [[ ${CLUSTER_SETUP_VIA:-} != cli ]] && grep -qs '"setup"' "$ROOT"/worker/*.go; }
