#!/bin/sh
# Test-suite wall time: builds and runs `cargo test` of each given revision from scratch, in a
# throwaway worktree with its own target directory, and prints the build and run wall times,
# the tests passed, and the rebuild after touching src/lib.rs (what every edit of the library
# costs before the tests run again: each integration test binary is linked again).
# Used to compare the suite before and after a change to its shape (issue 18: one integration
# binary instead of 22), on a quiet machine.
#
#   scripts/bench-tests.sh d739074^ main     # before and after the one-binary change
#
# Every revision's dependencies are built too (a fresh target directory), so compare revisions
# measured by the same run only. Needs ../shared beside the repository, as the tests do.
# Figures: docs/benchmarks.md. Not run by CI.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-tests.XXXXXX")
trap 'for w in "$work"/wt-*; do [ -d "$w" ] && git -C "$repo" worktree remove --force "$w"; done; rm -rf "$work"' EXIT
[ $# -gt 0 ] || set -- HEAD
printf '%-12s %-10s %9s %9s %10s %8s %7s  %s\n' revision commit build_s run_s rebuild_s binaries passed result
for rev in "$@"; do
    commit=$(git -C "$repo" rev-parse --short "$rev")
    wt="$work/wt-$commit"
    git -C "$repo" worktree add --detach -q "$wt" "$commit"
    # The tests find ../shared beside the repository.
    [ -e "$work/shared" ] || ln -s "$repo/../shared" "$work/shared"
    target="$work/target-$commit"
    t0=$(date +%s.%N)
    (cd "$wt" && CARGO_TARGET_DIR="$target" cargo test --no-run -q >"$work/build-$commit.log" 2>&1)
    t1=$(date +%s.%N)
    if (cd "$wt" && CARGO_TARGET_DIR="$target" cargo test >"$work/run-$commit.log" 2>&1); then
        result=ok
    else
        result=FAILED
    fi
    t2=$(date +%s.%N)
    bins=$(grep -c '^     Running ' "$work/run-$commit.log" || true)
    passed=$(grep -o '[0-9]* passed' "$work/run-$commit.log" | awk '{s += $1} END {print s + 0}')
    touch "$wt/src/lib.rs"
    t3=$(date +%s.%N)
    (cd "$wt" && CARGO_TARGET_DIR="$target" cargo test --no-run -q >>"$work/build-$commit.log" 2>&1)
    t4=$(date +%s.%N)
    printf '%-12s %-10s %9.1f %9.1f %10.1f %8s %7s  %s\n' "$rev" "$commit" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t4 - $t3" | bc)" \
        "$bins" "$passed" "$result"
    [ "$result" = ok ] || tail -30 "$work/run-$commit.log"
    rm -rf "$target"
    git -C "$repo" worktree remove --force "$wt"
done
