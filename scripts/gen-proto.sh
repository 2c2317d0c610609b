#!/usr/bin/env bash
# Regenerates src/gen/ from proto/ (ts-proto through buf, offline).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/gen
npx buf generate
