#!/usr/bin/env bash
# make cluster: a real Temporal cluster on this machine, and ledgerbridge on it, all on 127.0.0.1.
#
#   PostgreSQL (Debian's) on :5433, data in .data/cluster/pg, owned by the postgres user
#   → temporal and temporal_visibility databases, schemas set up with temporal-sql-tool
#   → temporal-server (go.temporal.io/server v1.32.1, every service in one process) on :7243
#   → namespace + search attributes (`bin/worker setup` when the worker has it, else the CLI)
#   → Temporal Web UI (ui-server v2.42.1, the same server as the temporalio/ui image) on :8243
#   → Stripe sandbox with three webhook endpoints (gateway 1, gateway 2, the proxy); Sage and
#     PayTrace sandboxes
#   → two workers, two gateways, and deploy/compose/Caddyfile's webhook proxy (Caddy) on :8188
#
# Idempotent: what already runs is left alone, databases and schemas are kept (the schema update
# is re-run, which is a no-op when current). Everything runs in the background; logs in
# .data/cluster/logs, pids in .data/cluster/run; `make cluster-stop` stops it all.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t0=$(now_ms)
for b in temporal-server temporal-sql-tool temporal-ui-server caddy temporal worker gateway stripe-sandbox sage-sandbox paytrace-sandbox; do
	[[ -x $BIN/$b ]] || die "$BIN/$b missing: run \`make cluster-tools build tools\`"
done
mkdir -p "$CLUSTER_DIR" "$LOGS" "$RUN"

# ---- PostgreSQL -------------------------------------------------------------------------------
pg_start() {
	local initdb pg_ctl
	initdb=$(pg_bin initdb)
	pg_ctl=$(pg_bin pg_ctl)
	if [[ ! -f $PG_DATA/PG_VERSION ]]; then
		say "initialising PostgreSQL in $PG_DATA"
		rm -rf "$PG_DATA"
		mkdir -p "$PG_DATA"
		printf '%s\n' "$PG_PASSWORD" >"$CLUSTER_DIR/pg.pw"
		if [[ $(id -u) == 0 ]]; then chown postgres: "$PG_DATA" "$CLUSTER_DIR/pg.pw"; fi
		chmod 700 "$PG_DATA"
		as_pg "$initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$CLUSTER_DIR/pg.pw" \
			--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1 ||
			die "initdb failed; see $LOGS/initdb.log"
		rm -f "$CLUSTER_DIR/pg.pw"
	fi
	mkdir -p "$PG_SOCKETS"
	touch "$LOGS/postgres.log"
	if [[ $(id -u) == 0 ]]; then chown postgres: "$PG_SOCKETS" "$LOGS/postgres.log"; fi
	if as_pg "$pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
		say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
		return
	fi
	as_pg "$pg_ctl" -D "$PG_DATA" -l "$LOGS/postgres.log" -w -t 60 \
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKETS -c max_connections=200" start >/dev/null ||
		die "PostgreSQL did not start; see $LOGS/postgres.log"
	say "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

# ---- Temporal schemas -------------------------------------------------------------------------
schema() {
	local schema_dir sql=("$BIN/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u "$PG_USER" --pw "$PG_PASSWORD")
	schema_dir=$(SERVER_SCHEMA_DIR)
	if [[ ! -d $schema_dir/temporal/versioned ]]; then
		say "downloading go.temporal.io/server@$TEMPORAL_SERVER_VERSION for its schema files"
		(cd "$ROOT" && GOFLAGS=-mod=mod "$GO" mod download go.temporal.io/server@$TEMPORAL_SERVER_VERSION) ||
			die "schema files not found in $schema_dir"
	fi
	local db dir
	for db in temporal temporal_visibility; do
		dir=$schema_dir/temporal/versioned
		[[ $db == temporal_visibility ]] && dir=$schema_dir/visibility/versioned
		if ! PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
			"SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
			"${sql[@]}" --db "$db" create-database >>"$LOGS/schema.log" 2>&1 || die "create database $db; see $LOGS/schema.log"
		fi
		# setup-schema -v 0.0 creates the version tables once (no-op later); update-schema applies
		# every versioned step after the current one.
		"${sql[@]}" --db "$db" setup-schema -v 0.0 >>"$LOGS/schema.log" 2>&1 || die "setup-schema $db; see $LOGS/schema.log"
		"${sql[@]}" --db "$db" update-schema -d "$dir" >>"$LOGS/schema.log" 2>&1 || die "update-schema $db; see $LOGS/schema.log"
	done
	say "schemas: temporal $(schema_version temporal), temporal_visibility $(schema_version temporal_visibility)"
}

schema_version() {
	PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$1" -tAc "SELECT curr_version FROM schema_version" 2>/dev/null
}

# ---- Temporal server --------------------------------------------------------------------------
temporal_config() {
	mkdir -p "$CLUSTER_DIR/temporal"
	cat >"$CLUSTER_DIR/temporal/dynamicconfig.yaml" <<-'EOF'
		# Dynamic config of the local cluster (polled every 10 s). What ledgerbridge relies on:
		# Web UI and the tests list workflows by search attribute, more than the default 10
		# visibility requests per second per namespace (the dev server allows 100 too).
		frontend.namespaceRPS.visibility:
		  - value: 100
		history.hostLevelCacheMaxSize:
		  - value: 8192
		limit.maxIDLength:
		  - value: 255
	EOF
	cat >"$CLUSTER_DIR/temporal/config.yaml" <<-EOF
		# Written by scripts/cluster/up.sh. One process runs every Temporal service.
		log:
		  stdout: true
		  level: warn
		persistence:
		  defaultStore: default
		  visibilityStore: visibility
		  numHistoryShards: 4
		  datastores:
		    default:
		      sql:
		        pluginName: postgres12
		        databaseName: temporal
		        connectAddr: "127.0.0.1:$PG_PORT"
		        connectProtocol: tcp
		        user: $PG_USER
		        password: $PG_PASSWORD
		        maxConns: 20
		        maxIdleConns: 20
		        maxConnLifetime: 1h
		    visibility:
		      sql:
		        pluginName: postgres12
		        databaseName: temporal_visibility
		        connectAddr: "127.0.0.1:$PG_PORT"
		        connectProtocol: tcp
		        user: $PG_USER
		        password: $PG_PASSWORD
		        maxConns: 10
		        maxIdleConns: 10
		        maxConnLifetime: 1h
		global:
		  membership:
		    maxJoinDuration: 30s
		    broadcastAddress: 127.0.0.1
		  metrics:
		    prometheus:
		      framework: tally
		      timerType: histogram
		      listenAddress: "127.0.0.1:$TEMPORAL_METRICS_PORT"
		services:
		  frontend:
		    rpc: {grpcPort: $FRONTEND_PORT, membershipPort: $FRONTEND_MEMBERSHIP_PORT, bindOnIP: 127.0.0.1, httpPort: $FRONTEND_HTTP_PORT}
		  history:
		    rpc: {grpcPort: $HISTORY_PORT, membershipPort: $HISTORY_MEMBERSHIP_PORT, bindOnIP: 127.0.0.1}
		  matching:
		    rpc: {grpcPort: $MATCHING_PORT, membershipPort: $MATCHING_MEMBERSHIP_PORT, bindOnIP: 127.0.0.1}
		  worker:
		    rpc: {grpcPort: $TWORKER_PORT, membershipPort: $TWORKER_MEMBERSHIP_PORT, bindOnIP: 127.0.0.1}
		clusterMetadata:
		  enableGlobalNamespace: false
		  failoverVersionIncrement: 10
		  masterClusterName: active
		  currentClusterName: active
		  clusterInformation:
		    active:
		      enabled: true
		      initialFailoverVersion: 1
		      rpcName: frontend
		      rpcAddress: "127.0.0.1:$FRONTEND_PORT"
		      httpAddress: "127.0.0.1:$FRONTEND_HTTP_PORT"
		dcRedirectionPolicy:
		  policy: noop
		dynamicConfigClient:
		  filepath: "$CLUSTER_DIR/temporal/dynamicconfig.yaml"
		  pollInterval: 10s
	EOF
}

temporal_start() {
	temporal_config
	if ! alive temporal-server; then
		start temporal-server "$BIN/temporal-server" --config-file "$CLUSTER_DIR/temporal/config.yaml" --allow-no-auth start
	else
		say "temporal-server already running (pid $(cat "$RUN/temporal-server.pid"))"
	fi
	# The frontend answers once the whole cluster has joined: ask it (not just the port).
	local i
	for ((i = 0; i < 900; i++)); do
		if "$BIN/temporal" operator cluster health --address "$TEMPORAL_ADDR" 2>/dev/null | grep -q SERVING; then
			return
		fi
		alive temporal-server || die "temporal-server exited; see $LOGS/temporal-server.log"
		sleep 0.2
	done
	die "temporal-server not serving on $TEMPORAL_ADDR after 180s; see $LOGS/temporal-server.log"
}

# ---- Namespace and search attributes ----------------------------------------------------------
ensure_namespace() {
	if worker_has_setup; then
		say "namespace and search attributes: bin/worker setup"
		# shellcheck disable=SC2046
		env $(service_env 0) timeout 180 "$BIN/worker" setup >>"$LOGS/worker-setup.log" 2>&1 ||
			die "bin/worker setup failed; see $LOGS/worker-setup.log"
		return
	fi
	local T=("$BIN/temporal" --address "$TEMPORAL_ADDR")
	if ! "${T[@]}" operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
		"${T[@]}" operator namespace create --namespace "$NAMESPACE" --retention 72h >>"$LOGS/namespace.log" 2>&1 ||
			die "create namespace $NAMESPACE; see $LOGS/namespace.log"
		say "created namespace $NAMESPACE (retention 72h)"
	fi
	# A new namespace reaches the frontend's namespace registry a few seconds later.
	local i
	for ((i = 0; i < 60; i++)); do
		"${T[@]}" operator search-attribute list --namespace "$NAMESPACE" >/dev/null 2>&1 && break
		sleep 0.5
	done
	# The names and types are workflows/ids.go's SearchAttributeTypes: read from there, not copied.
	local pairs name type out
	pairs=$(sed -n '/^var SearchAttributeTypes/,/^}/p' "$ROOT/workflows/ids.go" | grep -o '{"[A-Za-z]*", "[A-Za-z]*"}' | tr -d '{}",')
	[[ -n $pairs ]] || die "no search attributes found in workflows/ids.go"
	local existing
	existing=$("${T[@]}" operator search-attribute list --namespace "$NAMESPACE" 2>/dev/null || true)
	while read -r name type; do
		grep -qw "$name" <<<"$existing" && continue
		if ! out=$("${T[@]}" operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" 2>&1); then
			grep -qi already <<<"$out" || die "search attribute $name: $out"
		fi
		say "created search attribute $name ($type)"
	done <<<"$pairs"
}

# ---- Web UI -----------------------------------------------------------------------------------
ui_start() {
	mkdir -p "$CLUSTER_DIR/ui/config"
	cat >"$CLUSTER_DIR/ui/config/cluster.yaml" <<-EOF
		# Written by scripts/cluster/up.sh: Temporal Web UI (ui-server $TEMPORAL_UI_VERSION) for the local cluster.
		temporalGrpcAddress: $TEMPORAL_ADDR
		host: 127.0.0.1
		port: $UI_PORT
		enableUi: true
		defaultNamespace: $NAMESPACE
		refreshInterval: 0s
		notifyOnNewVersion: false
		cors:
		  allowOrigins: ["http://127.0.0.1:$UI_PORT", "http://localhost:$UI_PORT"]
		codec:
		  # Payloads are encrypted (LEDGERBRIDGE_CODEC_KEYS): the browser decodes them through
		  # gateway 1's codec server on its internal listener.
		  endpoint: http://${GATEWAY_INTERNAL[0]}/codec
	EOF
	start temporal-ui "$BIN/temporal-ui-server" --root "$CLUSTER_DIR/ui" --config config --env cluster start
	wait_http "http://127.0.0.1:$UI_PORT/" 60 temporal-ui
}

# ---- Sandboxes --------------------------------------------------------------------------------
sandboxes_start() {
	start stripe-sandbox env STRIPE_SANDBOX_ADDR="$STRIPE_ADDR" STRIPE_API_KEY="$STRIPE_KEY" \
		STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET" STRIPE_SANDBOX_WEBHOOK_URL="http://${GATEWAY_PUBLIC[0]}/webhooks/stripe" \
		STRIPE_SANDBOX_DB="$CLUSTER_DIR/stripe-sandbox.db" "$BIN/stripe-sandbox"
	start sage-sandbox env SAGE_SANDBOX_ADDR="$SAGE_ADDR" SAGE_API_KEY="$SAGE_KEY" \
		SAGE_SANDBOX_DB="$CLUSTER_DIR/sage-sandbox.db" "$BIN/sage-sandbox"
	# PayTrace's notifications (a project extension; the poll is the real intake) go to gateway 1.
	start paytrace-sandbox env PAYTRACE_SANDBOX_ADDR="$PAYTRACE_ADDR" PAYTRACE_SANDBOX_DB="$CLUSTER_DIR/paytrace-sandbox.db" \
		PAYTRACE_SANDBOX_NOTIFY_URL="http://${GATEWAY_PUBLIC[0]}/webhooks/paytrace" PAYTRACE_SANDBOX_NOTIFY_SECRET="$PAYTRACE_NOTIFY_SECRET" \
		"$BIN/paytrace-sandbox"
	wait_http "http://$STRIPE_ADDR/v1/customers" 30 stripe-sandbox -u "$STRIPE_KEY:"
	wait_http "http://$PAYTRACE_ADDR/healthz" 30 paytrace-sandbox
	wait_http "http://$SAGE_ADDR/Sage500API/Items" 30 sage-sandbox -H "Authorization: Bearer $SAGE_KEY"
	ensure_endpoint 2 "http://${GATEWAY_PUBLIC[1]}/webhooks/stripe" "ledgerbridge gateway 2 (make cluster)"
	ensure_endpoint 3 "http://127.0.0.1:$PROXY_PORT/webhooks/stripe" "ledgerbridge webhook proxy (make cluster)"
}

# The sandbox's default endpoint delivers to gateway 1. Two more, created through the Stripe API
# like a merchant's webhook endpoints, deliver every event to gateway 2 and to the webhook proxy
# (deploy/compose/Caddyfile, which passes it to either gateway): each event reaches both gateways
# (cross-gateway duplicates) and the proxy. A secret is only revealed on create: kept in
# .data/cluster/endpointN.secret, and the endpoint recreated if it is lost.
ensure_endpoint() { # ensure_endpoint N URL DESCRIPTION
	local n=$1 url=$2 list id
	list=$(curl -fsS -u "$STRIPE_KEY:" "http://$STRIPE_ADDR/v1/webhook_endpoints?limit=100")
	id=$(jq -r --arg u "$url" '.data[] | select(.url == $u) | .id' <<<"$list" | head -1)
	if [[ -n $id && -s $CLUSTER_DIR/endpoint$n.secret ]]; then
		return
	fi
	if [[ -n $id ]]; then
		curl -fsS -u "$STRIPE_KEY:" -X DELETE "http://$STRIPE_ADDR/v1/webhook_endpoints/$id" >/dev/null
	fi
	curl -fsS -u "$STRIPE_KEY:" "http://$STRIPE_ADDR/v1/webhook_endpoints" -d url="$url" \
		-d 'enabled_events[]=*' -d description="$3" |
		jq -er .secret >"$CLUSTER_DIR/endpoint$n.secret" || die "could not create webhook endpoint $n"
	say "created the Stripe sandbox's webhook endpoint $n → $url"
}

# ---- ledgerbridge -----------------------------------------------------------------------------
codec() {
	if [[ ! -s $CLUSTER_DIR/codec-keys ]]; then
		(umask 077 && echo "cluster1:$(head -c 32 /dev/urandom | base64 -w0)" >"$CLUSTER_DIR/codec-keys")
	fi
}

command -v jq >/dev/null || die "jq is needed: apt-get install -y jq (make cluster-tools installs it)"
pg_start;        t_pg=$(now_ms)
schema;          t_schema=$(now_ms)
temporal_start;  t_temporal=$(now_ms)
codec
sandboxes_start
ensure_namespace; t_ns=$(now_ms)
ui_start
for i in 0 1; do start_worker "$i"; done
for i in 0 1; do start_gateway "$i"; done
start_proxy
t_end=$(now_ms)

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", (b - a) / 1000 }'; }
cat <<EOF

ledgerbridge on a Temporal cluster is running (ready in $(secs "$t0" "$t_end"): PostgreSQL $(secs "$t0" "$t_pg"), schemas $(secs "$t_pg" "$t_schema"), Temporal $(secs "$t_schema" "$t_temporal"), namespace $(secs "$t_temporal" "$t_ns")).
\`make cluster-stop\` stops it; \`make test-cluster\` tests it.

  WHAT               WHERE
  PostgreSQL         127.0.0.1:$PG_PORT  user $PG_USER, databases temporal + temporal_visibility (data .data/cluster/pg)
  Temporal           $TEMPORAL_ADDR   temporal-server $TEMPORAL_SERVER_VERSION (frontend, history, matching, worker), namespace $NAMESPACE
  Temporal Web UI    http://127.0.0.1:$UI_PORT   (decodes payloads through gateway 1's codec server)
  gateway 1          http://${GATEWAY_PUBLIC[0]}   internal http://${GATEWAY_INTERNAL[0]} (/metrics /admin /codec)
  gateway 2          http://${GATEWAY_PUBLIC[1]}   internal http://${GATEWAY_INTERNAL[1]}
  webhook proxy      http://127.0.0.1:$PROXY_PORT/webhooks/   deploy/compose/Caddyfile (Caddy) in front of both gateways
  worker 1, 2        task queue "ledgerbridge"   health http://${WORKER_HEALTH[0]}, http://${WORKER_HEALTH[1]} (WORKER_HEALTH_ADDR)
  Stripe sandbox     http://$STRIPE_ADDR   key $STRIPE_KEY; every event → gateway 1, gateway 2 and the proxy
  Sage sandbox       http://$SAGE_ADDR/Sage500API   Authorization: Bearer $SAGE_KEY
  PayTrace sandbox   http://$PAYTRACE_ADDR   polled by the paytrace-poll schedule; notifications → gateway 1
  admin token        $ADMIN_TOKEN
  logs, pids         .data/cluster/logs/*.log, .data/cluster/run/*.pid
  CLI                bin/temporal --address $TEMPORAL_ADDR --codec-endpoint http://${GATEWAY_INTERNAL[0]}/codec workflow list
EOF
