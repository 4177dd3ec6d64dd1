#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while each: `scripts/fuzz.sh 3s` (make test) or
# `scripts/fuzz.sh 5m` (make fuzz). A failure leaves its input in the package's
# testdata/fuzz/<Target>/ directory: commit it, it becomes a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-3s}
GO=${GO:-go}
found=0
while read -r pkg; do
  dir=$($GO list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func \(Fuzz[A-Za-z0-9_]*\)' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    found=$((found + 1))
    echo "fuzz $pkg $target ($time)"
    $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 50x "$pkg" >/tmp/fuzz-$$.log 2>&1 || { cat /tmp/fuzz-$$.log; rm -f /tmp/fuzz-$$.log; exit 1; }
  done
done < <($GO list ./... )
rm -f /tmp/fuzz-$$.log
echo "fuzzed $found targets for $time each"
