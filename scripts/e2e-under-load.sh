#!/bin/bash
# Runs the e2e suite N times in a row (default 5) while two busy loops keep both cores of a 2-core
# machine occupied, stopping at the first failure: a race a slow laptop hits is a bug, not noise.
# Run it in a fresh clone after `npm ci` and `bash test/e2e/install.sh`:
#   bash scripts/e2e-under-load.sh [runs] [busy-loops]
set -u
runs=${1:-5}
loops=${2:-2}
cd "$(dirname "$0")/.."
export SPEC_CONDUCTOR_AGENTS_BIN=$(bash test/agents/install.sh 2>/dev/null | tail -1) SPEC_CONDUCTOR_REQUIRE_AGENTS=1
pids=()
for _ in $(seq "$loops"); do (while :; do :; done) & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
mkdir -p test-results
for i in $(seq "$runs"); do
  start=$SECONDS
  npm run test:e2e > "test-results/e2e-under-load-$i.log" 2>&1; rc=$?
  echo "run $i: exit $rc, $((SECONDS - start)) s, $(grep -E '^ℹ (pass|fail)' "test-results/e2e-under-load-$i.log" | tr '\n' ' ') load $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$rc" -ne 0 ] && exit "$rc"
done
