#!/usr/bin/env bash
# Runs every model-file fuzzer (fuzz/build_models.sh builds them) for SECONDS
# each (default 60), from its seed corpus; new inputs
# are kept in OUT/models/corpus/<target>, crashes in OUT/models/crashes.
# Prints one line per fuzzer: executions, run time, coverage, and whether
# it crashed (exit status 1 then).
# Usage: fuzz/run_models.sh [SECONDS] [OUTPUT_DIR] [TARGET...]
#   S2S_FUZZ_JOBS=N runs N targets at a time (default 1).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-60}"
out="${2:-$root/build-fuzz}"
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(safetensors model_config vocab spm_model checkpoint word_vectors)
export S2S_FUZZ_MODEL_DIR="$out/models/reference-model" OMP_NUM_THREADS=1
mkdir -p "$out/models/crashes"
run_one() {  # prints the target's summary line; exit status 1 when it crashed
  local t=$1 bin="$out/${1}_fuzz" corpus="$out/models/corpus/$1" log="$out/models/$1.log"
  [ -x "$bin" ] || { echo "run_models.sh: $bin missing; run fuzz/build_models.sh first" >&2; return 2; }
  mkdir -p "$corpus"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 \
    -artifact_prefix="$out/models/crashes/$t-" "$corpus" "$out/models/seeds/$t" >"$log" 2>&1
  local rc=$? result="ok"
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  [ $rc -eq 0 ] || result="CRASH (exit $rc): $(grep -a -m1 -E 'ERROR|promise broken|not one line|deadly signal' "$log" || echo "see $log")"
  printf '%-13s %6ss  %10s executions  %-9s  %s\n' "$t" "$secs" "${execs:-?}" "${cov:-}" "$result" > "$out/models/$t.summary"
  cat "$out/models/$t.summary"
  [ $rc -eq 0 ]
}
# S2S_FUZZ_JOBS targets at a time (default 1).
jobs_max="${S2S_FUZZ_JOBS:-1}"
status=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 1; done
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
echo "--- model fuzzers, $secs s each (logs and corpora in $out/models):"
for t in "${targets[@]}"; do cat "$out/models/$t.summary"; done
exit $status
