#!/usr/bin/env bash
# Builds the data-layer fuzzer with clang's libFuzzer + AddressSanitizer +
# UBSan (needs clang and libclang-rt-dev; scripts/setup.sh --bench installs them).
# Usage: fuzz/build.sh [OUTPUT_DIR]   (default: build-fuzz)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build-fuzz}"
cxx="$(command -v clang++ || command -v clang++-14 || true)"
if [ -z "$cxx" ]; then echo "fuzz/build.sh: clang++ not found; skipping the fuzzer" >&2; exit 0; fi
mkdir -p "$out"
# Only the layers the data pipeline uses: core/ and data/.
srcs=("$root"/src/s2s/core/*.cc "$root"/src/s2s/data/*.cc)
"$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -fopenmp -I"$root/src" \
  "$root/fuzz/data_fuzz.cc" "${srcs[@]}" \
  $(pkg-config --libs sentencepiece) -lz \
  -L/usr/lib/x86_64-linux-gnu/openblas-openmp -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp -lopenblas \
  -o "$out/data_fuzz"
echo "built $out/data_fuzz"
