#!/usr/bin/env bash
# ListBuffers latency (p50/p95 over gRPC) for 1,000 suppliers and 100,000 buffered demand rows.
# Against DATABASE_URL (default: the local PostgreSQL at 127.0.0.1:5432); a fresh database, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx bench/list-buffers.ts "$@"
