#!/usr/bin/env bash
# make cluster-stop: stop what `make cluster` started, newest first, by the pids it recorded
# (.data/cluster/run/*.pid), then PostgreSQL. Data stays in .data/cluster (remove it to start over).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for name in webhook-proxy gateway-2 gateway-1 worker-2 worker-1 temporal-ui paytrace-sandbox sage-sandbox stripe-sandbox temporal-server; do
	stop "$name"
done
if [[ -f $PG_DATA/postmaster.pid ]]; then
	as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w stop >/dev/null && say "stopped PostgreSQL"
fi
