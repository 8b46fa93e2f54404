#!/bin/sh
# Round-scale benchmark: a round of many tiny simulated sites through the sim proxy with the
# default politeness (2 req/s and 2 in flight per host, 64 requests in flight overall).
#
#   scripts/bench-round.sh              # 1,000 sites
#   ROUND_SITES=14000 scripts/bench-round.sh
#   ROUND_SITES=2000 ROUND_SITES_AT_ONCE=256 scripts/bench-round.sh
#
# Prints the wall time, the politeness bound (busiest host's requests ÷ rate, and what the
# global cap allows), their ratio and the peak RSS. Not run by CI.
set -eu
cd "$(dirname "$0")/.."
exec cargo test --release --test round_scale -- --ignored --nocapture
