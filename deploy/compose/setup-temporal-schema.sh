#!/bin/sh
# One-shot schema setup of Temporal's PostgreSQL databases (the temporal-schema service of
# deploy/docker-compose.yml, in the temporalio/admin-tools image). Safe to run again: the
# database is created only when missing, setup-schema only writes the version tables once and
# update-schema applies only the versions after the current one. scripts/cluster/up.sh runs the
# same steps for `make cluster`.
set -eu
schema=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12
for db in temporal temporal_visibility; do
	dir=$schema/temporal/versioned
	[ "$db" = temporal_visibility ] && dir=$schema/visibility/versioned
	sql="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -p $DB_PORT -u $POSTGRES_USER --db $db"
	# --quiet: an existing database is not an error (a real failure stops the next step).
	$sql --quiet create-database
	$sql setup-schema -v 0.0
	$sql update-schema -d "$dir"
	echo "temporal-schema: $db is at the latest schema in $dir"
done
