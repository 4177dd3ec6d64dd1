#!/usr/bin/env bash
# Part of make test-cluster: delete the namespaces (e2e-*, and fresh-* of the namespace set-up test) the end-to-end suite's stacks created on
# the cluster (each stack runs in a namespace of its own; their schedules would otherwise keep
# firing with no worker). Temporal deletes a namespace's data in the background.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T=("$BIN/temporal" --address "$TEMPORAL_ADDR")
n=0
for ns in $("${T[@]}" operator namespace list -o json | jq -r '.[].namespaceInfo.name | select(startswith("e2e") or startswith("fresh-"))'); do
	"${T[@]}" operator namespace delete --namespace "$ns" --yes >/dev/null && n=$((n + 1))
done
say "deleted $n test namespaces (e2e*, fresh-*)"
