#!/usr/bin/env bash
# Runs the request-parser fuzzer for SECONDS (default 300) from the seed
# bodies in fuzz/serve_seeds, with a JSON dictionary; new inputs are kept in
# OUT/serve_corpus.
# Usage: fuzz/run_serve.sh [SECONDS] [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-300}"
out="${2:-$root/build-fuzz}"
mkdir -p "$out/serve_corpus"
cp -n "$root"/fuzz/serve_seeds/* "$out/serve_corpus/" 2>/dev/null || true
cd "$out"
./serve_request_fuzzer -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -dict="$root/fuzz/serve_json.dict" -print_final_stats=1 serve_corpus
