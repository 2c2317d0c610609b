#!/usr/bin/env bash
# What metrics cost PlaceOrder: bench/place-order.ts with METRICS_PORT=off (no endpoint, no RPC instrumentation)
# and with metrics on (endpoint on METRICS_BENCH_PORT, scraped every 5 s as Prometheus would), alternately in the
# same session (off/on, then on/off, ...) so that drift of the machine hits both sides alike. Each run still
# measures its own pgbench baseline. Prints every run, then the medians and the cost of metrics in per cent.
# Usage: bench/metrics-overhead.sh [ROUNDS]   (default 3; BENCH_ORDERS / BENCH_CLIENTS pass through)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
port=${METRICS_BENCH_PORT:-19464}
results=$(mktemp /tmp/restock-metrics-overhead-XXXX)
trap 'rm -f "$results"' EXIT

run() { # side
  local side=$1 out scraper=
  out=$(mktemp /tmp/restock-metrics-run-XXXX)
  if [ "$side" = on ]; then
    (while sleep 5; do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && echo scraped >>"$out.scrapes" || true; done) &
    scraper=$!
    METRICS_PORT=$port npx tsx bench/place-order.ts >"$out"
    kill "$scraper"
  else
    METRICS_PORT=off npx tsx bench/place-order.ts >"$out"
  fi
  local scrapes=0
  [ -f "$out.scrapes" ] && scrapes=$(wc -l <"$out.scrapes")
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const report = JSON.parse(text.slice(text.indexOf("{")));
    console.log(JSON.stringify({ side: process.argv[2], scrapes: Number(process.argv[3]), ordersPerSecond: report.ordersPerSecond, ratioToPgbench: report.ratioToPgbench, p50Ms: report.p50Ms, p99Ms: report.p99Ms, cpuMsPerOrder: report.processCpuMsPerOrderWithEmail }));
  ' "$out" "$side" "$scrapes" | tee -a "$results"
  rm -f "$out" "$out.scrapes"
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order=(off on); else order=(on off); fi
  for side in "${order[@]}"; do
    echo "== round $round, metrics $side" >&2
    run "$side"
  done
done

node -e '
  const runs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const of = (side, key) => median(runs.filter((r) => r.side === side).map((r) => r[key]));
  const summary = {};
  for (const key of ["ordersPerSecond", "ratioToPgbench", "p50Ms", "p99Ms", "cpuMsPerOrder"]) summary[key] = { off: of("off", key), on: of("on", key) };
  summary.throughputCostPercent = Number((100 * (1 - summary.ordersPerSecond.on / summary.ordersPerSecond.off)).toFixed(1));
  summary.ratioCostPercent = Number((100 * (1 - summary.ratioToPgbench.on / summary.ratioToPgbench.off)).toFixed(1));
  summary.budgetPercent = 5;
  console.log(JSON.stringify(summary, null, 2));
' "$results"
