#!/usr/bin/env bash
# Runs the data fuzzer for SECONDS (default 300) from the seed corpus in
# fuzz/corpus (test fixtures and real lines), keeping new inputs in OUT/corpus.
# Usage: fuzz/run.sh [SECONDS] [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-300}"
out="${2:-$root/build-fuzz}"
mkdir -p "$out/corpus"
cp -n "$root"/tests/data/fixtures/* "$out/corpus/" 2>/dev/null || true
cp -n "$root"/fuzz/seeds/* "$out/corpus/" 2>/dev/null || true
cd "$out"
OMP_NUM_THREADS=1 ./data_fuzz -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus
