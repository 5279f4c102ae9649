#!/usr/bin/env bash
# The Python package's check, as a user would install it: a fresh venv,
# `pip install .` (scikit-build-core compiles the library and the module;
# ccache, when installed, makes a rebuild cheap), then pytest on
# tests/python against the s2s program of the C++ build.
#   scripts/python_test.sh [BUILD_DIR]   (default: build; its s2s program is compared with)
# Needs python3-venv and python3-dev (scripts/setup.sh --test) and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$(cd "$build" && pwd)/s2s"
[ -x "$cli" ] || { echo "python_test: $cli is missing: build the C++ program first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check ".[test]"
echo "python_test: venv + pip install . took $(($(date +%s) - start)) s"
# The source tree holds no importable `s2s` (the package is python/s2s), so
# the tests import the installed one; tests/python/train_test.py checks it.
OMP_WAIT_POLICY=PASSIVE S2S_CLI="$cli" "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider tests/python
