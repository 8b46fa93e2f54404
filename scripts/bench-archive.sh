#!/bin/sh
# The evidence archive's cost on the demo province (issue 16): runs `govaudit demo` (release),
# then prints the archive's size per site (compressed, deduplicated), checks every WARC file
# with Python warcio when installed (`pip install warcio`), and times `reevaluate` of the
# quarter's two rounds offline, printing how many checks changed verdict or score (0 expected
# with the same rules).
#
#   scripts/bench-archive.sh [OUT_DIR]      # default: target/bench-archive
set -eu
cd "$(dirname "$0")/.."
out="${1:-target/bench-archive}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/govaudit"
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s.%N)
"$bin" demo --out "$out" >/dev/null
end=$(date +%s.%N)
echo "demo: $(echo "$end - $start" | bc) s"
db="$out/govaudit-demo.db"
archive="$out/govaudit-demo-archive"
sqlite3 "$db" "SELECT 'captures', COUNT(*), 'sites', COUNT(DISTINCT site_url), \
  'bytes', SUM(bytes), 'records', SUM(records), \
  'KB per capture', ROUND(SUM(bytes) / 1024.0 / COUNT(*), 1), \
  'KB per site', ROUND(SUM(bytes) / 1024.0 / COUNT(DISTINCT site_url), 1) FROM archive_captures;"
sqlite3 "$db" "SELECT kind, COUNT(*) FROM archive_records GROUP BY kind;"
echo "on disk: $(du -sk "$archive" | cut -f1) KB in $(find "$archive" -name '*.warc.gz' | wc -l) files"
if python3 -c 'import warcio' 2>/dev/null; then
  n=0
  for f in $(find "$archive" -name '*.warc.gz'); do
    python3 -c 'import sys; from warcio.cli import main; main(sys.argv[1:])' index "$f" >/dev/null
    n=$((n + 1))
  done
  echo "warcio index: $n files read without error"
else
  echo "warcio not installed (pip install warcio): independent check skipped"
fi
for round in 1 2; do
  start=$(date +%s.%N)
  "$bin" --db "$db" reevaluate --round "$round" --format json >"$out/reevaluate-$round.json" \
    2>"$out/reevaluate-$round.log" || true
  end=$(date +%s.%N)
  echo "reevaluate --round $round: $(echo "$end - $start" | bc) s; $(tail -1 "$out/reevaluate-$round.log")"
done
