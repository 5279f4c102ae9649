#!/bin/bash
# Creates (once) the virtual environment that bench/ct2_transformer.py runs in:
# CTranslate2 4.x from PyPI (its wheels bring their own oneDNN/OpenMP) and
# numpy/PyYAML. Prints the venv's python, so callers can do
#   PY=$(bash bench/ct2_env.sh) && $PY bench/ct2_transformer.py ...
# The venv lives outside the repository (S2S_CT2_VENV, default
# ~/.cache/s2s/ct2-venv) so no build or test ever picks it up.
set -euo pipefail
VENV=${S2S_CT2_VENV:-$HOME/.cache/s2s/ct2-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import ctranslate2, numpy, yaml' 2>/dev/null; then
  echo "ct2_env.sh: creating $VENV" >&2
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip >&2
  "$VENV/bin/pip" install --quiet "ctranslate2>=4,<5" "numpy" "pyyaml" >&2
fi
"$VENV/bin/python" -c 'import ctranslate2, sys; assert ctranslate2.__version__.startswith("4."), ctranslate2.__version__' >&2
echo "$VENV/bin/python"
