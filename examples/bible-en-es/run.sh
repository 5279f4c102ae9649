#!/usr/bin/env bash
# English (King James Version) -> Spanish (Reina-Valera 1909), from the data to
# a scored test set in one command: SentencePiece vocabularies with `s2s vocab`,
# bible.yaml trained with validation BLEU (the best dev model is kept), the
# 2,000 test verses decoded with beam search (beam 5) and scored with
# `s2s eval` (sacreBLEU-compatible BLEU and chrF on detokenized output), then
# RESULTS.md. An interrupted run picks up where it stopped. Environment: see ../recipe.sh.
set -euo pipefail
source "$(dirname "$0")/../recipe.sh"
recipe_init
corpus=$data_root/bible/kjv-sparv
need_file "$corpus/train.tsv"
pieces=4000  # per side; unigram SentencePiece models

mkdir -p "$work/data" "$work/vocab"
ln -sf "$corpus/train.tsv" "$work/data/train.tsv"
ln -sf "$corpus/dev.tsv" "$work/data/dev.tsv"
rm -f "$work/data/test.tsv"  # never write through an old link into the corpus
test_lines "$corpus/test.tsv" > "$work/data/test.tsv"
for side in src tgt; do
  [ -f "$work/vocab/$side.vocab.spm" ] ||
    "$s2s" vocab --type spm --input "$work/data/train.tsv" --side "$side" --size "$pieces" --output "$work/vocab/$side.vocab"
done
echo "== training (log: $work/model/train.log.jsonl)"
(cd "$work" && train_model "$here/bible.yaml" model)
for split in dev test; do
  echo "== decoding and scoring $split (beam 5)"
  "$s2s" eval -m "$work/model" --test "$work/data/$split.tsv" --metrics bleu,chrf --beam 5 \
    --output "$work/$split.hyp" | tee "$work/$split.scores"
done

log=$work/model/train.log.jsonl
run_log plot "$work/curves.svg" bleu "dev BLEU (greedy)" "KJV to RV1909=$log"
[ "$smoke" = 1 ] || cp "$work/curves.svg" "$here/curves.svg"
secs=$(run_log field "$log" done elapsed_s)
params=$(run_log field "$log" start parameters)
bytes=$(stat -c %s "$work/model/model.safetensors")
{
  echo "# English→Spanish recipe results (KJV → Reina-Valera 1909)"
  echo
  echo "Written by \`examples/bible-en-es/run.sh\` on $(date -u +%Y-%m-%d); $(machine)."
  echo "Detokenized output scored by \`s2s eval\` (sacreBLEU 2.6.0-compatible, default 13a tokenization); beam 5."
  echo
  echo "| set | BLEU | chrF |"
  echo "|---|---:|---:|"
  echo "| test (2,000 verses) | **$(score "$work/test.scores" BLEU)** | **$(score "$work/test.scores" chrF2)** |"
  echo "| dev (1,000 verses) | $(score "$work/dev.scores" BLEU) | $(score "$work/dev.scores" chrF2) |"
  echo
  echo "Signatures:"
  echo
  echo '```'
  grep -h -e '^BLEU' -e '^chrF' "$work/test.scores"
  echo '```'
  echo
  echo "Training: $(minutes "$secs") min on $(run_log field "$log" start threads) thread(s), $(run_log field "$log" done step) steps"
  echo "(best dev BLEU $(run_log best "$log" bleu) at step $(run_log field "$log" valid best_step))."
  echo "Model: $params parameters, model.safetensors $((bytes / 1048576)) MiB; SentencePiece unigram, $pieces pieces per side."
  echo "Learning curve (dev BLEU, greedy, per epoch): [curves.svg](curves.svg). Configuration ([bible.yaml](bible.yaml)):"
  echo
  echo '```yaml'
  cat "$here/bible.yaml"
  echo '```'
} > "$results"
echo
cat "$results"
