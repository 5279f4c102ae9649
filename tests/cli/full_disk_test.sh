#!/usr/bin/env bash
# A full disk (issue 22): `s2s train`, `s2s vocab` and `s2s translate
# --output` writing into a small tmpfs that fills up. Each must stop with a
# one-line error naming the file, leave no partly written file under a final
# name (nor temporaries holding the space), keep the last good checkpoint,
# and `s2s train --resume` once space is freed must end with bitwise the
# model of a run that never ran out of space.
# Mounting the tmpfs needs root: without it the test is skipped (exit 77).
# Usage: full_disk_test.sh S2S SOURCE_DIR WORK_DIR
set -uo pipefail
s2s="$1" src="$2" work="$3"
rm -rf "$work"
mkdir -p "$work/disk"
disk="$work/disk"
if ! mount -t tmpfs -o size=4m,mode=0755 s2s-full-disk-test "$disk" 2>"$work/mount.err"; then
  echo "SKIPPED: cannot mount a tmpfs at $disk (needs root): $(cat "$work/mount.err")"
  exit 77
fi
trap 'umount "$disk"' EXIT
export OMP_NUM_THREADS=1

failures=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
free_pages() { df --output=avail -B4096 "$disk" | tail -n 1 | tr -d ' '; }
fill_to() {  # leaves N free 4 KiB pages
  rm -f "$disk/filler"
  local n=$(( $(free_pages) - $1 ))
  [ "$n" -gt 0 ] && dd if=/dev/zero of="$disk/filler" bs=4096 count="$n" status=none
}
one_line_error() {  # FILE PATTERN: stderr is one "s2s: error:" line matching PATTERN
  [ "$(wc -l < "$1")" -eq 1 ] && grep -qE "^s2s: error: .*$2" "$1" || { echo "  stderr was:"; sed 's/^/  | /' "$1"; return 1; }
}
no_temporaries() { [ -z "$(find "$1" -name '*.tmp*')" ] || { echo "  left behind:"; find "$1" -name '*.tmp*'; return 1; }; }
complete_checkpoint() { [ -f "$1/trainer.json" ] && [ -f "$1/model.safetensors" ] && [ -f "$1/optimizer.safetensors" ]; }
between() { [ "$1" -gt "$2" ] && [ "$1" -lt "$3" ]; }
jsonl_whole() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1"; }

head -n 400 "$src/data/g2p.train.tsv" > "$work/train.tsv"
train() {  # train SAVE_DIR [OPTIONS...]
  local dir="$1"
  shift
  "$s2s" train --train "$work/train.tsv" --save-dir "$dir" --steps 12 --save-every 3 --train.keep_checkpoints 2 \
    --data.tokenizer word --batch-sentences 16 --model.hidden_size 32 --model.embedding_size 16 --threads 1 \
    --report-every 1000 --valid-every 0 --seed 3 "$@"
}

# --- training: a reference run on the same file system measures what a run needs.
train "$disk/ref" > /dev/null || { echo "FAIL: the reference run failed"; exit 1; }
used=$(df --output=used -B4096 "$disk" | tail -n 1 | tr -d ' ')
ckpt_pages=$(( $(du -s -B4096 "$(ls -d "$disk"/ref/checkpoints/*-step-* | tail -n 1)" | cut -f1) ))
cp -r "$disk/ref" "$work/ref"
rm -rf "$disk/ref"
# Room for everything the finished run holds but half a checkpoint: while
# the third one is written there are three, so the run must fail there.
fill_to $(( used - ckpt_pages / 2 ))
train "$disk/run" > "$work/train.out" 2> "$work/train.err"
rc=$?
check "training into a full disk fails (exit $rc)" [ $rc -ne 0 ]
check "with one line naming the file and the cause" one_line_error "$work/train.err" "$disk/run/.*No space left on device"
check "no temporaries left" no_temporaries "$disk/run"
check "a checkpoint survives" [ -n "$(ls "$disk/run/checkpoints" 2>/dev/null)" ]
check "the log holds whole lines" jsonl_whole "$disk/run/train.log.jsonl"
for c in "$disk"/run/checkpoints/*; do
  check "$(basename "$c") is complete" complete_checkpoint "$c"
done
rm -f "$disk/filler"
"$s2s" train --resume "$disk/run" > "$work/resume.out" 2> "$work/resume.err"
rc=$?
check "--resume after freeing space completes (exit $rc)" [ $rc -eq 0 ]
check "and gives bitwise the model of the run that had space" cmp "$disk/run/model.safetensors" "$work/ref/model.safetensors"
last_ref="$(ls -d "$work"/ref/checkpoints/*-step-12)" last_run="$(ls -d "$disk"/run/checkpoints/*-step-12)"
check "and the same final optimizer state" cmp "$last_run/optimizer.safetensors" "$last_ref/optimizer.safetensors"
check "the log holds whole lines after the resume" jsonl_whole "$disk/run/train.log.jsonl"
rm -rf "$disk/run"

# --- s2s vocab: no room at all, then a little.
for type in word spm; do
  for pages in 0 1; do
    fill_to $pages
    size=(); [ $type = spm ] && size=(--size 80)
    "$s2s" vocab --type $type --input "$work/train.tsv" --output "$disk/v.vocab" "${size[@]}" > /dev/null 2> "$work/vocab.err"
    rc=$?
    if [ $pages -eq 0 ] || [ $rc -ne 0 ]; then
      check "vocab --type $type, $pages free pages: fails (exit $rc)" [ $rc -ne 0 ]
      check "  with one line naming the file" one_line_error "$work/vocab.err" "$disk/v.vocab[.a-z]*: cannot write \\(No space left on device\\)"
      check "  and leaves no vocabulary" [ ! -e "$disk/v.vocab" ]
      check "  and no temporaries" no_temporaries "$disk"
    fi
    rm -f "$disk"/v.vocab*
  done
done
rm -f "$disk/filler"
"$s2s" vocab --type word --input "$work/train.tsv" --output "$disk/v.vocab" > /dev/null
check "vocab with room again writes the file" [ -s "$disk/v.vocab" ]

# --- translate --output: two free pages, far more output than that.
cut -f1 "$src/data/g2p.train.tsv" > "$work/input.txt"
model="$src/tests/cli/fixtures/rnn-model-v0.1"
"$s2s" translate -m "$model" --input "$work/input.txt" --output "$work/full.txt" --chunk 64
fill_to 2
"$s2s" translate -m "$model" --input "$work/input.txt" --output "$disk/out.txt" --chunk 64 2> "$work/translate.err"
rc=$?
check "translate --output into a full disk fails (exit $rc)" [ $rc -ne 0 ]
check "with one line naming the file and what it holds" \
  one_line_error "$work/translate.err" "$disk/out.txt: write failed \\(No space left on device\\); it holds the translations of the first [0-9]+ lines"
n=$(grep -oE 'first [0-9]+ lines' "$work/translate.err" | grep -oE '[0-9]+')
check "the file holds exactly those ${n:-?} lines, whole" cmp "$disk/out.txt" <(head -n "${n:-0}" "$work/full.txt")
check "  (some, not all)" between "${n:-0}" 0 "$(wc -l < "$work/full.txt")"

echo "$failures failures"
[ $failures -eq 0 ]
