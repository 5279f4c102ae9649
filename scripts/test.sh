#!/usr/bin/env bash
# Installs dependencies, builds (Release), and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
bash scripts/python_env.sh >/dev/null  # sacreBLEU for the metric comparison tests
build=${S2S_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
./scripts/python_test.sh "$build"  # pip install . into a fresh venv, then pytest tests/python
