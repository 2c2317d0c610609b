#!/usr/bin/env bash
# SimulatePolicy latency (p50/p95 over gRPC) for a supplier with 10,000 demand rows in 13 weeks.
# Against DATABASE_URL (default: the local PostgreSQL at 127.0.0.1:5432); a fresh database, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx bench/simulate-policy.ts "$@"
