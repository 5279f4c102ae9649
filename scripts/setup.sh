#!/usr/bin/env bash
# Installs every build/test dependency from Debian packages, only when missing.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config
  libopenblas-openmp-dev libomp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libsentencepiece-dev sentencepiece libyaml-cpp-dev nlohmann-json3-dev libcpp-httplib-dev
  clang-14 libclang-rt-14-dev
  chromium wrk
  python3-venv
  python3-torch
)
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
