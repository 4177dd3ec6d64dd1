#!/usr/bin/env bash
# Part of make test-cluster: end-to-end through the running `make cluster` (two workers, two
# gateways and the webhook proxy, each with a Stripe endpoint delivering every event): payments
# made with the Stripe API while worker 1 and gateway 2 are SIGKILLed and restarted become
# exactly one Sage invoice and one payment each; every event reached both gateways
# (cross-gateway duplicates) and the proxy, which answered each delivery at once although gateway
# 2 was down; each run completed and is found by its search attributes in SQL visibility.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${SMOKE_CHARGES:-8}
for name in temporal-server stripe-sandbox sage-sandbox worker-1 worker-2 gateway-1 gateway-2 webhook-proxy; do
	alive "$name" || die "$name is not running: run \`make cluster\` first"
done
[[ $ERP == sage500 ]] || die "the smoke test reads Sage 500 documents: run the cluster with ERP=sage500"

stripe() { curl -fsS -u "$STRIPE_KEY:" "http://$STRIPE_ADDR$1" "${@:2}"; }
sage() { curl -fsS -H "Authorization: Bearer $SAGE_KEY" "http://$SAGE_ADDR/Sage500API/$1"; }
T=("$BIN/temporal" --address "$TEMPORAL_ADDR" --namespace "$NAMESPACE")
events() { # events GATEWAY_INTERNAL_ADDR: webhook events this gateway answered, by outcome
	curl -fsS "http://$1/metrics" | awk '/^ledgerbridge_webhook_events_total\{/ {
		match($0, /outcome="[a-z_]*"/); o = substr($0, RSTART + 9, RLENGTH - 10); n[o] += $NF }
		END { for (o in n) printf "%s=%d ", o, n[o] }'
}

t0=$(now_ms)
charges=()
pay() { # pay I: one customer and one confirmed payment intent; prints the charge ID
	local cus
	cus=$(stripe /v1/customers -d name="Smoke $1" -d email="smoke$1.$t0@example.com" | jq -r .id)
	stripe /v1/payment_intents -d amount=$((1000 + $1)) -d currency=usd -d customer="$cus" \
		-d payment_method=pm_card_visa -d confirm=true -d description="cluster smoke $1" | jq -er .latest_charge
}
for ((i = 1; i <= N; i++)); do
	if ((i == N / 2)); then
		say "SIGKILL worker-1 (pid $(cat "$RUN/worker-1.pid")) and gateway-2 (pid $(cat "$RUN/gateway-2.pid")) mid-run"
		kill -KILL "$(cat "$RUN/worker-1.pid")" "$(cat "$RUN/gateway-2.pid")"
		sleep 0.5
	fi
	charges+=("$(pay "$i")")
done
sleep 2
say "restarting worker-1 and gateway-2 (the Stripe sandbox redelivers what gateway 2 missed)"
start_worker 0
start_gateway 1
say "made $N payments: ${charges[*]}"

# Every charge: exactly one invoice and one payment, within 120 s.
deadline=$(($(date +%s) + 120))
for ch in "${charges[@]}"; do
	while :; do
		inv=$(sage "Invoices?externalRef=$ch" | jq '.value | length')
		pmt=$(sage "Payments?externalRef=$ch" | jq '.value | length')
		((inv >= 1 && pmt >= 1)) && break
		(($(date +%s) < deadline)) || die "$ch: $inv invoices, $pmt payments after 120s"
		sleep 0.5
	done
done
t_posted=$(now_ms)
sleep 5 # late duplicates (redeliveries to gateway 2) would post now if exactly-once failed
fail=0
for ch in "${charges[@]}"; do
	inv=$(sage "Invoices?externalRef=$ch" | jq -c '[.value[].InvoiceNo]')
	pmt=$(sage "Payments?externalRef=$ch" | jq -c '[.value[].PaymentNo]')
	status=$("${T[@]}" workflow describe --workflow-id "order-to-cash/stripe/$ch" -o json | jq -r '.workflowExecutionInfo.status')
	found=$("${T[@]}" workflow count --query "ProviderObjectID = '$ch' AND LedgerStatus = 'Posted'" | awk '{print $NF}')
	printf '  %-28s invoices %-14s payments %-14s %s, search ProviderObjectID+LedgerStatus=Posted: %s\n' "$ch" "$inv" "$pmt" "$status" "$found"
	[[ $(jq length <<<"$inv") == 1 && $(jq length <<<"$pmt") == 1 ]] || { say "FAIL $ch: not exactly one invoice and one payment"; fail=1; }
	[[ $status == WORKFLOW_EXECUTION_STATUS_COMPLETED ]] || { say "FAIL $ch: run is $status"; fail=1; }
	[[ $found == 1 ]] || { say "FAIL $ch: search attributes do not find the posted run"; fail=1; }
done
# Both endpoints delivered every charge's events, each to its own gateway: the same event reached
# both gateways (cross-gateway duplicates; with USE_EXISTING both answer "started" for a run in
# flight, and "duplicate" for one already completed).
evts=$(stripe "/v1/events?type=charge.succeeded&limit=100")
proxy_ep=$(stripe "/v1/webhook_endpoints?limit=100" | jq -r --arg u "http://127.0.0.1:$PROXY_PORT/webhooks/stripe" '.data[] | select(.url == $u) | .id')
retried=0
for ch in "${charges[@]}"; do
	evt=$(jq -r --arg c "$ch" '.data[] | select(.data.object.id == $c) | .id' <<<"$evts")
	d=$(stripe "/_sandbox/deliveries?event=$evt")
	ok=$(jq '[.data[] | select(.state == "succeeded") | .endpoint] | unique | length' <<<"$d")
	retried=$((retried + $(jq --arg p "$proxy_ep" '[.data[] | select(.attempts > 1 and .endpoint != $p)] | length' <<<"$d")))
	[[ $ok == 3 ]] || { say "FAIL $ch: $evt delivered to $ok of 3 endpoints: $(jq -c '[.data[] | {endpoint, state, attempts}]' <<<"$d")"; fail=1; }
	# Through the proxy every delivery succeeds at once, gateway 2 down or not: a failed attempt
	# is sent again to gateway 1.
	jq -e --arg p "$proxy_ep" '[.data[] | select(.endpoint == $p and .attempts == 1 and .state == "succeeded")] | length == 1' <<<"$d" >/dev/null ||
		{ say "FAIL $ch: the delivery through the webhook proxy was not answered at once: $(jq -c --arg p "$proxy_ep" '[.data[] | select(.endpoint == $p)]' <<<"$d")"; fail=1; }
done
say "every charge.succeeded reached gateway 1, gateway 2 and the proxy; $retried direct deliveries needed retries (gateway 2 was down), none through the proxy"
g1=$(events "${GATEWAY_INTERNAL[0]}")
g2=$(events "${GATEWAY_INTERNAL[1]}")
say "gateway 1 answered: $g1"
say "gateway 2 answered (since its restart): $g2"
[[ $g1 == *started=* ]] || { say "FAIL: gateway 1 started no workflow"; fail=1; }
[[ $g2 == *started=* ]] || { say "FAIL: gateway 2 started no workflow"; fail=1; }
awk -v a="$t0" -v b="$t_posted" -v n="$N" 'BEGIN { printf "cluster: %d payments posted in %.1fs (with a worker and a gateway killed and restarted)\n", n, (b - a) / 1000 }'
((fail == 0)) || die "smoke test FAILED (logs in $LOGS)"
say "smoke test passed: one invoice and one payment per charge"
