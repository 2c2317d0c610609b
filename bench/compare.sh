#!/usr/bin/env bash
# Runs benchmark scenarios on a base commit and on the work tree, alternately, in the same run, so that a
# change is judged against figures taken on the same machine minutes apart (each scenario still measures
# its own pgbench baseline). Usage: bench/compare.sh BASE_REF [ROUNDS] [SCENARIO...]
#   e.g. bench/compare.sh main~5 2 place-order apply-receipt
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref=${1:?usage: bench/compare.sh BASE_REF [ROUNDS] [SCENARIO...]}
rounds=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(place-order reserve-stock apply-receipt evaluate-buffers)

base=$(mktemp -d /tmp/restock-bench-base-XXXX)
trap 'git worktree remove --force "$base" >/dev/null 2>&1 || rm -rf "$base"' EXIT
git worktree add --detach "$base" "$base_ref" >/dev/null
ln -s "$PWD/node_modules" "$base/node_modules"

for round in $(seq 1 "$rounds"); do
  for scenario in "${scenarios[@]}"; do
    for side in base work; do
      dir=$PWD; [ "$side" = base ] && dir=$base
      [ -f "$dir/bench/$scenario.ts" ] || { echo "== $scenario: not in $side"; continue; }
      echo "== round $round, $scenario, $side ($( [ "$side" = base ] && echo "$base_ref" || echo "work tree"))"
      (cd "$dir" && npx tsx "bench/$scenario.ts")
    done
  done
done
