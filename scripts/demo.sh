#!/usr/bin/env bash
# The README's first command: installs what is missing, builds s2s, trains a
# small grapheme-to-phoneme model on the CMUdict words shipped in data/ for
# about two minutes (examples/demo/g2p.yaml), then decodes the dev words and
# prints a handful of inputs with their outputs.
#   S2S_BUILD_DIR   build directory (default: build)
#   S2S_DEMO_DIR    where the model directory goes (default: a new /tmp/s2s-demo.*)
#   extra arguments are passed to `s2s train` (e.g. --max-time 30, --threads 1)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${S2S_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target s2s_cli
out=${S2S_DEMO_DIR:-$(mktemp -d /tmp/s2s-demo.XXXXXX)}
echo
echo "== training (examples/demo/g2p.yaml: bidirectional GRU + Bahdanau attention, 3,000 words, ~2 minutes)"
"$build/s2s" train --config examples/demo/g2p.yaml --save-dir "$out/model" --examples 12 "$@"
echo
echo "model directory: $out/model (config.yaml, model.safetensors, vocabularies, checkpoints, train.log.jsonl)"
echo "continue training: $build/s2s train --resume $out/model --max-time 300"
