#!/usr/bin/env bash
# Runs bench/pool_bench with the OpenMP OpenBLAS s2s links, then with the
# pthread build swapped in through LD_LIBRARY_PATH, so the effect of one pool
# versus two is measured in one run.
set -euo pipefail
build=${1:-build}
pthread_dir=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ ! -e "$pthread_dir/libopenblas.so.0" ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq libopenblas0-pthread >/dev/null
fi
echo "== OpenMP OpenBLAS (one pool: what s2s ships)"
"$build/bench/pool_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
echo "== pthread OpenBLAS + OpenMP loops (two pools)"
LD_LIBRARY_PATH=$pthread_dir "$build/bench/pool_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
