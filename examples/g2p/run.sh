#!/usr/bin/env bash
# CMUdict grapheme-to-phoneme, from the data to scored test sets in one command:
# trains g2p.yaml on the no-stress variant (32 epochs) and the stress variant
# (15 epochs, to keep the recipe near 2 hours), one after the other, decodes
# the 12,000 test words with beam search (beam 5), scores them against every
# accepted pronunciation, and writes RESULTS.md.
# An interrupted run picks up where it stopped. Environment: see ../recipe.sh.
set -euo pipefail
source "$(dirname "$0")/../recipe.sh"
recipe_init
cmudict=$data_root/cmudict
need_file "$cmudict/train.nostress.tsv"

declare -A epochs=([nostress]=32 [stress]=15)
for variant in nostress stress; do
  dir=$work/$variant
  mkdir -p "$dir/data"
  ln -sf "$cmudict/train.$variant.tsv" "$dir/data/train.tsv"
  ln -sf "$cmudict/dev.$variant.tsv" "$dir/data/dev.tsv"
  # Scored sets with every accepted pronunciation: 'l e t t e r s<TAB>P1|P2|...'
  # (the refs files hold the word unsplit).
  for split in dev test; do
    test_lines "$cmudict/$split.refs.$variant.tsv" |
      awk -F'\t' '{ w = $1; gsub(/./, "& ", w); sub(/ $/, "", w); print w "\t" $2 }' > "$dir/data/$split.refs.tsv"
  done
  echo "== $variant: training (log: $dir/model/train.log.jsonl)"
  (cd "$dir" && train_model "$here/g2p.yaml" model --epochs "${epochs[$variant]}")
  for split in dev test; do
    echo "== $variant: decoding and scoring $split (beam 5)"
    "$s2s" eval -m "$dir/model" --test "$dir/data/$split.refs.tsv" --ref-separator '|' \
      --metrics ser,wer --beam 5 --output "$dir/$split.hyp" | tee "$dir/$split.scores"
  done
done

run_log plot "$work/curves.svg" ser "dev WER % (greedy)" \
  "no stress=$work/nostress/model/train.log.jsonl" "stress=$work/stress/model/train.log.jsonl"
[ "$smoke" = 1 ] || cp "$work/curves.svg" "$here/curves.svg"

# One results row per variant: test and dev word/phone error rates, training time, steps.
row() {
  local d=$work/$1 log=$work/$1/model/train.log.jsonl
  local secs
  secs=$(run_log field "$log" done elapsed_s)
  printf '| %s | **%s** | **%s** | %s | %s | %s min, %s thread(s) | %s (best %s) |\n' "$2" \
    "$(score "$d/test.scores" SER)" "$(score "$d/test.scores" WER)" \
    "$(score "$d/dev.scores" SER)" "$(score "$d/dev.scores" WER)" "$(minutes "$secs")" \
    "$(run_log field "$log" start threads)" \
    "$(run_log field "$log" done step)" \
    "$(run_log field "$log" valid best_step)"
}
params=$(run_log field "$work/nostress/model/train.log.jsonl" start parameters)
bytes=$(stat -c %s "$work/nostress/model/model.safetensors")
{
  echo "# G2P recipe results (CMUdict)"
  echo
  echo "Written by \`examples/g2p/run.sh\` on $(date -u +%Y-%m-%d); $(machine)."
  echo "WER: words whose output matches none of their accepted pronunciations (\`s2s eval\`'s"
  echo "\`ser\`); PER: phone edit distance to the closest pronunciation over its length (\`wer\`)."
  echo "Test: 12,000 words; dev: 2,000; beam 5. The two variants are trained one after the other."
  echo
  echo "| variant | test WER % | test PER % | dev WER % | dev PER % | training time | steps (best) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row nostress "no stress (39 phones)"
  row stress "stress (69 phones)"
  echo
  echo "Published single models on the standard CMUdict split (another split, so loosely comparable):"
  echo "bidirectional LSTM 23.55 / 5.45, attention ensemble 20.24 / 4.69 (no stress, WER / PER)."
  echo "The target (no stress: WER ≤ 24, PER ≤ 6) and what was tried to reach it:"
  echo "[docs/recipes.md](../../docs/recipes.md#g2p-what-was-tried)."
  echo
  echo "Model: $params parameters, model.safetensors $((bytes / 1024)) KiB. Learning curves (dev WER, greedy, per"
  echo "validation): [curves.svg](curves.svg). Configuration ([g2p.yaml](g2p.yaml)):"
  echo
  echo '```yaml'
  cat "$here/g2p.yaml"
  echo '```'
} > "$results"
echo
cat "$results"
