#!/bin/sh
# Console benchmark (issue 17): page latency of `govaudit serve` on a national-year database —
# 14,000 sites in 140 units, 12 monthly rounds of 25% (42,000 stored checks), generated once
# through the real audit pipeline against tiny simulated sites on loopback (about the time of
# 12 rounds of 3,500 sites) and kept in target/bench-console/ for later runs.
#
#   scripts/bench-console.sh                 # 8 concurrent clients, 200 requests per page
#   CLIENTS=16 REQUESTS=400 scripts/bench-console.sh
#   SITES=2000 ROUNDS=3 scripts/bench-console.sh     # a smaller world (its own folder)
#
# Prints p50/p95/max per page and the server's peak RSS. Target: p95 under 100 ms for every
# page, memory under 300 MB. Figures and the machine they ran on: docs/benchmarks.md. Not run by
# CI.
set -eu
cd "$(dirname "$0")/.."
sites="${SITES:-14000}"
rounds="${ROUNDS:-12}"
bin="${CARGO_TARGET_DIR:-target}/release"
dir="target/bench-console/$sites-$rounds"
port="${PORT:-18765}"
cargo build --release --quiet --bin govaudit --example bench_console
mkdir -p "$dir"
if [ ! -f "$dir/console.db" ]; then
    echo "== generating $sites sites, $rounds rounds into $dir (once)"
    rm -f "$dir"/part.db*
    /usr/bin/time -f "generated in %e s, peak RSS %M KB" \
        $bin/examples/bench_console generate "$dir/part.db" "$sites" "$rounds"
    printf 'bench-password\n' |
        $bin/govaudit user add bench --role admin --password-stdin --db "$dir/part.db"
    mv "$dir/part.db" "$dir/console.db"
fi
$bin/govaudit serve --db "$dir/console.db" --listen "127.0.0.1:$port" 2>"$dir/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/login"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "the console did not start:"; cat "$dir/serve.log"; exit 1; }
    sleep 0.1
done
echo "== $(nproc) cores; $sites sites, $rounds rounds; ${CLIENTS:-8} clients"
$bin/examples/bench_console measure "http://127.0.0.1:$port" "$pid" "${CLIENTS:-8}" "${REQUESTS:-200}"
