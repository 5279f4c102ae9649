#!/usr/bin/env bash
# Load test of `s2s serve` with wrk: SECONDS (default 60) with CONNECTIONS
# (default 32) keep-alive connections posting one-sentence translate requests,
# once with dynamic batching (--max-batch 32) and once without (--max-batch 1).
# Prints wrk's report and one JSON line per run; fails on any error.
# Usage: bench/serve_load.sh MODEL_DIR [SECONDS] [CONNECTIONS] [INPUTS_FILE]
#   S2S=path/to/s2s (default build-serve/s2s), PORT (default 18080),
#   SERVE_BEAM (default 1), BATCHES (default "32 1")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: bench/serve_load.sh MODEL_DIR [SECONDS] [CONNECTIONS] [INPUTS_FILE]}"
secs="${2:-60}"
conns="${3:-32}"
export SERVE_INPUTS="${4:-}"
s2s="${S2S:-$root/build-serve/s2s}"
port="${PORT:-18080}"
command -v wrk > /dev/null || { echo "serve_load.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }

for mb in ${BATCHES:-32 1}; do
  echo "== --max-batch $mb: wrk -t2 -c$conns -d${secs}s"
  "$s2s" serve -m "$model" --port "$port" --max-batch "$mb" --batch-wait-ms 5 --http-threads $((conns + 8)) \
    --max-queued-cost 100000000 --timeout-ms 60000 2> "/tmp/serve_load_$mb.log" &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/health" > /dev/null && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$port/health" > /dev/null || { cat "/tmp/serve_load_$mb.log"; kill "$pid"; exit 1; }
  wrk -t2 -c"$conns" -d"${secs}s" --timeout 30s --latency -s "$root/bench/serve_load.lua" \
    "http://127.0.0.1:$port/v1/translate" | tee "/tmp/serve_load_$mb.wrk"
  curl -s "http://127.0.0.1:$port/metrics" > "/tmp/serve_load_$mb.metrics"
  grep -E '^s2s_(errors_total|batch_size_(sum|count)|batch_requests_(sum|count)|tokens_per_second)' \
    "/tmp/serve_load_$mb.metrics" || true
  kill -TERM "$pid"
  wait "$pid" || { echo "serve_load.sh: server exited with $? after SIGTERM" >&2; exit 1; }
  json="$(grep '^{"requests"' "/tmp/serve_load_$mb.wrk")"
  echo "max_batch=$mb $json"
  if ! echo "$json" | grep -q '"errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}'; then
    echo "serve_load.sh: errors under load with --max-batch $mb" >&2
    exit 1
  fi
done
