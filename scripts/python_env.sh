#!/usr/bin/env bash
# Creates (or updates) the Python venv that tests use to generate reference
# figures (sacreBLEU). It lives outside the repository so no build or clean
# step touches it. Uses whichever `python3` is first on PATH (Debian's or a
# pyenv one); Debian's needs the python3-venv package (scripts/setup.sh --test).
#   S2S_VENV   venv location (default: $HOME/.cache/s2s/venv)
# Prints the venv's python path on the last line of stdout.
set -euo pipefail
venv="${S2S_VENV:-$HOME/.cache/s2s/venv}"
# Pinned so that the signature line in docs/metrics.md ("version:2.6.0") and
# the test's reference figures stay reproducible.
sacrebleu_pin="sacrebleu==2.6.0"

if [ ! -x "$venv/bin/python" ]; then
  echo "python_env: creating $venv with $(command -v python3)" >&2
  mkdir -p "$(dirname "$venv")"
  # --clear also repairs a venv whose interpreter has gone (e.g. a removed pyenv).
  python3 -m venv --clear "$venv"
fi
if ! "$venv/bin/python" - <<'PY' 2>/dev/null
import sys
import sacrebleu
sys.exit(0 if sacrebleu.__version__ == "2.6.0" else 1)
PY
then
  echo "python_env: installing $sacrebleu_pin into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$sacrebleu_pin" >&2
fi
echo "$venv/bin/python"
