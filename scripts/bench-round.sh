#!/bin/sh
# Round-scale benchmark: rounds of many tiny simulated sites, imported, planned and run by the
# release `govaudit` binary (its own process) through the sim proxy with the default politeness
# (2 req/s and 2 in flight per host, 64 requests in flight overall).
#
#   scripts/bench-round.sh                  # 1,000, 2,000, 5,000 and 14,000 sites
#   scripts/bench-round.sh 14000            # one size
#   ROUND_TIMELINE=1 scripts/bench-round.sh 5000    # also requests made per second
#   ROUND_RUN_ARGS="--concurrency 128" scripts/bench-round.sh 5000
#   ROUND_DELAY_MS=20 scripts/bench-round.sh       # servers answer 20 ms late, as across a network
#
# At loopback speed (the default) a big round on a small machine is bound by the CPU that
# auditor and simulator share; with ROUND_DELAY_MS it is bound by the global cap, as a real
# round is.
#
# For each size prints the wall time of `round run`, the politeness bound (busiest host's
# requests ÷ rate, and what the global cap allows) and their ratio, the CPU seconds of auditor
# and simulator with the floor they set on this machine, and the auditor's peak RSS.
# Figures and the machine they ran on: docs/benchmarks.md. Not run by CI.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
sizes="${*:-1000 2000 5000 14000}"
for n in $sizes; do
    echo "== $n sites"
    ROUND_SITES="$n" cargo bench --quiet --bench round_scale 2>&1 |
        grep -v -e '^running' -e '^test result' -e '^$' -e '^test ' || true
done
