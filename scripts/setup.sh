#!/usr/bin/env bash
# Installs what s2s needs from Debian packages, only what is missing.
#   scripts/setup.sh          build dependencies (the demo)
#   scripts/setup.sh --test   + what the test suite uses (PyTorch and sacreBLEU references, headless browser,
#                               the Python package's build: venv, headers, ccache)
#   scripts/setup.sh --recipes  + python3 (examples/*/run.sh read training logs with it)
#   scripts/setup.sh --bench  + benchmark and fuzzing tools (clang/libFuzzer, wrk, tcmalloc, pthread OpenBLAS)
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config
  libopenblas-openmp-dev libomp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libsentencepiece-dev sentencepiece libyaml-cpp-dev nlohmann-json3-dev libcpp-httplib-dev
  libopenmpi-dev openmpi-bin  # data-parallel training (mpirun -np N s2s train); optional for the build
)
for arg in "$@"; do
  case "$arg" in
    --test) pkgs+=(python3 python3-venv python3-dev ccache python3-torch chromium) ;;
    --recipes) pkgs+=(python3) ;;
    --bench) pkgs+=(clang-14 libclang-rt-14-dev wrk libtcmalloc-minimal4 libopenblas0-pthread python3-torch) ;;
    *) echo "setup.sh: unknown option $arg (expected --test, --recipes or --bench)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
