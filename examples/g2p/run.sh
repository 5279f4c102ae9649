#!/usr/bin/env bash
# CMUdict grapheme-to-phoneme, from the data to scored test sets in one command.
# For each variant (no stress: 34 epochs; stress: 9, to keep the recipe near
# 2 hours) it trains g2p.yaml with two seeds side by side, one core each,
# decodes the 12,000 test words with the ensemble of the two (and with each
# model alone) by beam search (beam 5), scores them against every accepted
# pronunciation, and writes RESULTS.md.
# An interrupted run picks up where it stopped. Environment: see ../recipe.sh.
set -euo pipefail
source "$(dirname "$0")/../recipe.sh"
recipe_init
cmudict=$data_root/cmudict
need_file "$cmudict/train.nostress.tsv"

declare -A epochs=([nostress]=34 [stress]=9) step_size=([nostress]=8670 [stress]=5202)
seeds=(1 2)
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
  pids=()
  for seed in "${seeds[@]}"; do
    echo "== $variant: training seed $seed (log: $dir/model$seed/train.log.jsonl, output: $dir/train$seed.out)"
    (cd "$dir" && train_model "$here/g2p.yaml" "model$seed" --seed "$seed" \
      --epochs "${epochs[$variant]}" --schedule.step_size "${step_size[$variant]}") > "$dir/train$seed.out" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { tail -n 5 "$dir/train${seeds[$i]}.out" >&2; exit 1; }
  done
  # The ensemble ("ens") averages the models' log-probabilities at every step.
  ensemble=()
  for seed in "${seeds[@]}"; do ensemble+=(-m "$dir/model$seed"); done
  for split in dev test; do
    for m in ens "${seeds[@]}"; do
      models=(-m "$dir/model$m")
      [ "$m" = ens ] && models=("${ensemble[@]}")
      echo "== $variant: decoding and scoring $split, model $m (beam 5)"
      "$s2s" eval "${models[@]}" --test "$dir/data/$split.refs.tsv" --ref-separator '|' \
        --metrics ser,wer --beam 5 --output "$dir/$split.$m.hyp" | tee "$dir/$split.$m.scores"
    done
  done
done

curves=()
for variant in nostress stress; do
  label=${variant/nostress/no stress}
  for seed in "${seeds[@]}"; do curves+=("$label, seed $seed=$work/$variant/model$seed/train.log.jsonl"); done
done
run_log plot "$work/curves.svg" ser "dev WER % (greedy, one model)" "${curves[@]}"
[ "$smoke" = 1 ] || cp "$work/curves.svg" "$here/curves.svg"

# One results row per variant and model: test and dev word/phone error rates,
# and for the ensemble the training time (both seeds side by side) and steps.
row() {
  local d=$work/$1 m=$3 secs training=
  if [ "$m" = ens ]; then
    secs=$(for s in "${seeds[@]}"; do run_log field "$d/model$s/train.log.jsonl" done elapsed_s; done | sort -g | tail -n 1)
    training="$(minutes "$secs") min, ${#seeds[@]} × $(run_log field "$d/model1/train.log.jsonl" start threads) thread side by side"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$4" \
    "$(score "$d/test.$m.scores" SER)" "$(score "$d/test.$m.scores" WER)" \
    "$(score "$d/dev.$m.scores" SER)" "$(score "$d/dev.$m.scores" WER)" "$training"
}
# best_steps VARIANT: each seed's last step and the step of its kept (best dev) model.
best_steps() {
  for s in "${seeds[@]}"; do
    local log=$work/$1/model$s/train.log.jsonl
    printf 'seed %s: %s steps, best %s; ' "$s" "$(run_log field "$log" done step)" "$(run_log field "$log" valid best_step)"
  done
}
params=$(run_log field "$work/nostress/model1/train.log.jsonl" start parameters)
bytes=$(stat -c %s "$work/nostress/model1/model.safetensors")
{
  echo "# G2P recipe results (CMUdict)"
  echo
  echo "Written by \`examples/g2p/run.sh\` on $(date -u +%Y-%m-%d); $(machine)."
  echo "WER: words whose output matches none of their accepted pronunciations (\`s2s eval\`'s"
  echo "\`ser\`); PER: phone edit distance to the closest pronunciation over its length (\`wer\`)."
  echo "Test: 12,000 words; dev: 2,000; beam 5. Each variant trains two seeds side by side, one core"
  echo "each; the recipe's result is their ensemble (\`s2s eval -m model1 -m model2\`)."
  echo
  echo "| variant | model | test WER % | test PER % | dev WER % | dev PER % | training time |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  row nostress "no stress (39 phones)" ens "**ensemble of 2**"
  for s in "${seeds[@]}"; do row nostress "no stress" "$s" "seed $s alone"; done
  row stress "stress (69 phones)" ens "**ensemble of 2**"
  for s in "${seeds[@]}"; do row stress "stress" "$s" "seed $s alone"; done
  echo
  echo "Steps: no stress: $(best_steps nostress)stress: $(best_steps stress | sed 's/; $//')."
  echo
  echo "Published figures on the standard CMUdict split (another split, so loosely comparable):"
  echo "bidirectional LSTM 23.55 / 5.45 (single model), attention ensemble 20.24 / 4.69 (no stress,"
  echo "WER / PER). Target for this recipe: no stress, WER ≤ 24 and PER ≤ 6 with training under"
  echo "2 hours on 2 cores. How the configuration was found, with the runs that missed it:"
  echo "[docs/recipes.md](../../docs/recipes.md#g2p-how-the-configuration-was-found)."
  echo
  echo "Model: $params parameters each, model.safetensors $((bytes / 1024)) KiB each. Learning curves (dev WER,"
  echo "greedy, one model, per validation): [curves.svg](curves.svg). Configuration ([g2p.yaml](g2p.yaml)):"
  echo
  echo '```yaml'
  cat "$here/g2p.yaml"
  echo '```'
} > "$results"
echo
cat "$results"
