#!/bin/sh
# Time rounds of the simulated 2018 Q1 Ningxia province with the default politeness
# (2 req/s and 2 requests in flight per host), through the real pipeline on loopback.
#
#   scripts/bench-province.sh            # round 1 (119 sites), must finish in under 120 s
#   PROVINCE_ROUNDS=1,2 scripts/bench-province.sh      # the whole quarter, as the demo runs it
#   PROVINCE_SERVICE_RATE=20 scripts/bench-province.sh # identifier-service hosts at 20 req/s
#   PROVINCE_SITES_AT_ONCE=32 scripts/bench-province.sh # fewer sites at once (round run: 256)
#
# Prints each round's time, the busiest site host's request count and the requests the
# identifier-service hosts (beian, conac, 找错) received.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench province
