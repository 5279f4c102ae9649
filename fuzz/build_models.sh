#!/usr/bin/env bash
# Builds the model-file fuzzers (fuzz/models/*_fuzz.cc: safetensors, a model
# directory's config.yaml, vocabularies, SentencePiece models, checkpoints,
# pretrained word vectors) with clang's libFuzzer + AddressSanitizer + UBSan,
# and makes their seed corpora from a tiny model trained here.
#
# The code that reads those files (io/, the vocabulary, SentencePiece and
# word-vector loaders, the option parsers and the optimizer/schedule/batcher
# state restorers) is compiled instrumented, so the fuzzer sees its coverage
# and ASan checks every access in it. The rest of the library (kernels,
# models, training maths) is linked uninstrumented from the normal Release
# build's libs2s.a: it is not what is fuzzed, and compiling all of it with
# ASan would take most of an hour on two cores.
#
# Usage: fuzz/build_models.sh [OUTPUT_DIR]   (default: build-fuzz)
#   S2S_BUILD_DIR: the normal CMake build to use (default: build; configured if absent)
# Then: fuzz/run_models.sh SECONDS [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build-fuzz}"
build="${S2S_BUILD_DIR:-$root/build}"
cxx="$(command -v clang++ || command -v clang++-14 || true)"
if [ -z "$cxx" ]; then echo "fuzz/build_models.sh: clang++ not found; skipping the fuzzers" >&2; exit 0; fi
mkdir -p "$out/models/obj"

# 1. The normal build: libs2s.a to link against, the s2s program to make seeds with.
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DS2S_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target s2s_cli >/dev/null
s2s="$build/s2s"

# 2. Instrumented objects (rebuilt when the source or a header it includes changed).
instrumented=(
  io/safetensors io/model_dir io/checkpoint io/yaml_config io/atomic_file
  data/vocab data/spm_tokenizer data/spm_model_check data/utf8 data/tokenizer data/batcher data/batch_plan
  nn/pretrained_vectors nn/embedding
  train/run_config train/option_values train/optimizer train/adam train/sgd train/rmsprop train/adagrad
  train/lr_schedule train/vocab_setup train/make_optimizer
  models/model_config models/model_family models/option_text models/rnn_options models/transformer_options
  core/shape core/tensor core/dtype core/allocation_limit
)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -I"$root/src" -I"$root" -I/usr/include/x86_64-linux-gnu/openblas-openmp)
stale() {  # object $1 older than anything in its dependency file?
  [ -f "$1" ] && [ -f "$1.d" ] || return 0
  local dep
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$1.d"); do [ "$dep" -nt "$1" ] && return 0; done
  return 1
}
jobs=()
for name in "${instrumented[@]}"; do
  o="$out/models/obj/${name//\//_}.o"
  if stale "$o"; then jobs+=("$root/src/s2s/$name.cc $o"); fi
done
for f in "$root"/fuzz/models/*_fuzz.cc; do
  o="$out/models/obj/$(basename "$f" .cc).o"
  if stale "$o"; then jobs+=("$f $o"); fi
done
if [ "${#jobs[@]}" -gt 0 ]; then
  echo "compiling ${#jobs[@]} files instrumented..."
  export CXX="$cxx" FLAGS="${flags[*]}"
  printf '%s\n' "${jobs[@]}" | xargs -P"$(nproc)" -L1 bash -c '$CXX $FLAGS -MMD -MF "$1.d" -c "$0" -o "$1"' \
    || { echo "fuzz/build_models.sh: compile failed" >&2; exit 1; }
  for j in "${jobs[@]}"; do [ -f "${j#* }" ] || { echo "fuzz/build_models.sh: ${j% *} did not compile" >&2; exit 1; }; done
fi

# 3. One program per target: its harness, the instrumented objects, then the rest from libs2s.a.
libs=(/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp
      $(pkg-config --libs sentencepiece yaml-cpp cpp-httplib) -lz -lgomp -lpthread)
if mpi=$(pkg-config --libs ompi-c 2>/dev/null); then libs+=($mpi); fi
lib_objs=()
for name in "${instrumented[@]}"; do lib_objs+=("$out/models/obj/${name//\//_}.o"); done
targets=()
for f in "$root"/fuzz/models/*_fuzz.cc; do
  t="$(basename "$f" .cc)"
  "$cxx" -fsanitize=fuzzer,address,undefined "$out/models/obj/$t.o" "${lib_objs[@]}" "$build/libs2s.a" "${libs[@]}" -o "$out/$t"
  targets+=("$t")
done
echo "built ${targets[*]} in $out"

# 4. Seeds from real files: a tiny model (word tokens on the target side,
# SentencePiece on the source side) trained for a few steps with checkpoints.
seeds="$out/models/seeds"
model="$out/models/reference-model"
if [ ! -f "$model/model.safetensors" ] || [ "$s2s" -nt "$model/model.safetensors" ]; then
  rm -rf "$model" "$seeds"
  head -n 300 "$root/data/g2p.train.tsv" > "$out/models/train.tsv"
  OMP_NUM_THREADS=1 "$s2s" train --train "$out/models/train.tsv" --save-dir "$model" --steps 6 --save-every 3 \
    --data.src_tokenizer spm --data.src_vocab_size 40 --data.tgt_tokenizer word --batch-sentences 16 \
    --model.hidden_size 8 --model.embedding_size 4 --threads 1 --report-every 1000 --valid-every 0 >/dev/null
fi
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds"/{safetensors,model_config,vocab,spm_model,checkpoint,word_vectors}
  ckpt="$(ls -d "$model"/checkpoints/*-step-* | tail -n 1)"
  cp "$model/model.safetensors" "$seeds/safetensors/model"
  cp "$root/tests/cli/fixtures/rnn-model-v0.1/model.safetensors" "$seeds/safetensors/other-model"
  cp "$ckpt/optimizer.safetensors" "$seeds/safetensors/optimizer"
  cp "$model/config.yaml" "$seeds/model_config/model"
  cp "$root/tests/cli/fixtures/rnn-model-v0.1/config.yaml" "$seeds/model_config/other-model"
  cp "$model"/*.vocab "$seeds/vocab/"
  for v in "$root"/tests/cli/fixtures/rnn-model-v0.1/*.vocab; do cp "$v" "$seeds/vocab/other-model-$(basename "$v")"; done
  for v in "$root"/tests/data/fixtures/*.vocab; do cp "$v" "$seeds/vocab/fixture-$(basename "$v")"; done
  cp "$model"/*.spm.model "$seeds/spm_model/"
  cp "$root/tests/data/fixtures/corrupt.spm" "$seeds/spm_model/"
  for k in 0 1 2; do
    f=(trainer.json optimizer.safetensors model.safetensors)
    { printf "\\x0$k"; cat "$ckpt/${f[$k]}"; } > "$seeds/checkpoint/${f[$k]}"
  done
  # Word vectors for the fuzzer's vocabulary, GloVe (no header) and word2vec text (header).
  awk 'BEGIN { srand(1); n = split("the a cat dog 漢字 zebra", w, " ");
         for (i = 1; i <= n; ++i) { printf "%s", w[i]; for (k = 0; k < 8; ++k) printf " %.5f", rand() - 0.5; print "" } }' \
    > "$seeds/word_vectors/glove.txt"
  { echo "6 8"; cat "$seeds/word_vectors/glove.txt"; } > "$seeds/word_vectors/word2vec.txt"
  printf 'x y 1 2 3 4 5 6 7 8\n' > "$seeds/word_vectors/spaced-word.txt"
fi
cp -rn "$root"/fuzz/model_seeds/. "$seeds/" 2>/dev/null || true
echo "seeds in $seeds, reference model $model"
