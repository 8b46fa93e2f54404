#!/bin/sh
# Page-analysis accuracy on real government pages: every page of ../shared/realpages2018/
# (truth.json) and ../shared/realpages/ (its MANIFEST, transcribed in
# tests/fixtures/realpages/truth.toml), scored field by field against what a correct auditor
# reads there (footer identifiers and where they were read, the newest homepage date,
# publish dates, dated list entries).
#
#   scripts/eval-realpages.sh
#
# Prints one line per field (right / scored, accuracy), then every miss with the page, the
# value expected and the value read. Fields the truth marks "unsure" are not scored. Exits
# non-zero when any field misses (the same test runs in `cargo test`).
set -eu
cd "$(dirname "$0")/.."
for d in ../shared/realpages2018 ../shared/realpages; do
    [ -d "$d" ] || echo "note: $d is absent; its pages are not scored" >&2
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
status=0
cargo test --quiet --test integration analysis::realpages::realpages_accuracy -- --nocapture >"$out" 2>&1 || status=$?
sed -n '/right \/ scored/,/^pages:/p; /^MISS /p' "$out"
if [ "$status" -ne 0 ] && ! grep -q '^MISS ' "$out"; then
    cat "$out" >&2
fi
exit "$status"
