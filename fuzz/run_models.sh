#!/usr/bin/env bash
# Runs every model-file fuzzer (fuzz/build_models.sh builds them) for SECONDS
# each (default 60), one after the other, from its seed corpus; new inputs
# are kept in OUT/models/corpus/<target>, crashes in OUT/models/crashes.
# Prints one line per fuzzer: executions, run time, coverage, and whether
# it crashed (exit status 1 then).
# Usage: fuzz/run_models.sh [SECONDS] [OUTPUT_DIR] [TARGET...]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-60}"
out="${2:-$root/build-fuzz}"
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(safetensors model_config vocab spm_model checkpoint word_vectors)
export S2S_FUZZ_MODEL_DIR="$out/models/reference-model" OMP_NUM_THREADS=1
mkdir -p "$out/models/crashes"
status=0
summary=()
for t in "${targets[@]}"; do
  bin="$out/${t}_fuzz"
  [ -x "$bin" ] || { echo "run_models.sh: $bin missing; run fuzz/build_models.sh first" >&2; exit 2; }
  corpus="$out/models/corpus/$t"
  mkdir -p "$corpus"
  log="$out/models/$t.log"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 \
    -artifact_prefix="$out/models/crashes/$t-" "$corpus" "$out/models/seeds/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  result="ok"
  if [ $rc -ne 0 ]; then
    result="CRASH (exit $rc): $(grep -m1 -E 'ERROR|promise broken|deadly signal|Assertion' "$log" || echo "see $log")"
    status=1
  fi
  summary+=("$(printf '%-13s %6ss  %10s executions  %-9s  %s' "$t" "$secs" "${execs:-?}" "${cov:-}" "$result")")
  echo "${summary[-1]}"
done
echo "--- model fuzzers, $secs s each (logs and corpora in $out/models):"
printf '%s\n' "${summary[@]}"
exit $status
