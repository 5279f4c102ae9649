#!/usr/bin/env bash
# Runs examples/NAME/run.sh end to end in smoke mode (20 training steps, 40
# test lines) in a scratch directory and checks that its results file holds
# the figures. Skips (77) when ../shared/data is absent.
#   recipe_smoke.sh NAME[:ARGUMENT] S2S_BINARY SCRATCH_DIR PATTERN...
# (ARGUMENT, e.g. g2p:transformer, is passed to run.sh: the recipe's variant.)
set -euo pipefail
name=${1%%:*} bin=$2 scratch=$3
args=()
[[ $1 == *:* ]] && args=("${1#*:}")
shift 3
rm -rf "$scratch"
mkdir -p "$scratch"
status=0
S2S_SMOKE=1 S2S_BIN=$bin S2S_WORK=$scratch/work S2S_RESULTS=$scratch/RESULTS.md \
  "$(dirname "$0")/../../examples/$name/run.sh" "${args[@]}" > "$scratch/run.out" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$scratch/run.out"
  exit "$status"
fi
for pattern in "$@"; do
  grep -Eq "$pattern" "$scratch/RESULTS.md" || { echo "RESULTS.md lacks /$pattern/:"; cat "$scratch/RESULTS.md"; exit 1; }
done
echo "examples/$name/run.sh: smoke run complete"
