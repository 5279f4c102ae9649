#!/usr/bin/env bash
# Builds the server request-parser fuzzer with clang's libFuzzer +
# AddressSanitizer + UBSan. Only serve/request.cc and serve/response.cc are
# needed (no HTTP library, no model).
# Usage: fuzz/build_serve.sh [OUTPUT_DIR]   (default: build-fuzz)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build-fuzz}"
cxx="$(command -v clang++ || command -v clang++-14 || true)"
if [ -z "$cxx" ]; then echo "fuzz/build_serve.sh: clang++ not found; skipping the fuzzer" >&2; exit 0; fi
mkdir -p "$out"
"$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$root/src" \
  "$root/fuzz/serve_request_fuzzer.cc" "$root/src/s2s/serve/request.cc" "$root/src/s2s/serve/response.cc" \
  -o "$out/serve_request_fuzzer"
echo "built $out/serve_request_fuzzer"
