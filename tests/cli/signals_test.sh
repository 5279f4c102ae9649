#!/usr/bin/env bash
# SIGINT and SIGTERM (issue 22). `s2s train` stopped by either saves a
# checkpoint at the step it stopped, exits 130, and `--resume` then ends
# with bitwise the model and optimizer state of a run never interrupted.
# `s2s translate` stopped by either writes every translation it finished,
# only whole lines, says how many, and exits 128 + the signal number, also
# when it is waiting for input on stdin.
# Usage: signals_test.sh S2S SOURCE_DIR WORK_DIR
set -uo pipefail
s2s="$1" src="$2" work="$3"
rm -rf "$work"
mkdir -p "$work"
export OMP_NUM_THREADS=1
failures=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
wait_for() {  # wait_for SECONDS COMMAND...: polls until COMMAND succeeds
  local end=$((SECONDS + $1))
  until "${@:2}"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.05
  done
}
# Waits for PID to exit and sets rc to its exit status; one still running
# after 20 s (it ignored the signal) is killed, so the test fails, not hangs.
wait_exit() {
  (sleep 20; kill -9 "$1") > /dev/null 2>&1 &
  local dog=$!
  wait "$1"
  rc=$?
  kill "$dog" 2> /dev/null
}
lines_at_least() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
reached_step() { grep -qE "^step +[0-9]*[1-9][0-9] " "$1" 2>/dev/null; }  # step >= 10

head -n 400 "$src/data/g2p.train.tsv" > "$work/train.tsv"
# (Commands put in the background run s2s itself, not a shell function: the
# signal must reach s2s, not a subshell around it.)
train_args=(--train "$work/train.tsv" --steps 1500 --save-every 500 --data.tokenizer word --batch-sentences 16
            --model.hidden_size 16 --model.embedding_size 8 --threads 1 --valid-every 0 --seed 5 --train.progress false)
"$s2s" train "${train_args[@]}" --save-dir "$work/ref" --report-every 1000 > /dev/null || { echo "FAIL: the reference run failed"; exit 1; }
final_ckpt() { ls -d "$1"/checkpoints/*-step-1500; }

for sig in INT TERM; do
  run="$work/run-$sig"
  "$s2s" train "${train_args[@]}" --save-dir "$run" --report-every 5 > "$work/train-$sig.out" 2> "$work/train-$sig.err" &
  pid=$!
  wait_for 60 reached_step "$work/train-$sig.out"
  kill -$sig $pid
  wait_exit $pid
  step=$(grep -oE 'interrupted at step [0-9]+' "$work/train-$sig.err" | grep -oE '[0-9]+$')
  check "train, SIG$sig: exit 130 (got $rc)" [ "$rc" = 130 ]
  check "  says where it stopped and how to continue" grep -q "interrupted at step [0-9]*; continue with: s2s train --resume $run" "$work/train-$sig.err"
  check "  saved a checkpoint at that step (${step:-?})" test -f "$(ls -d "$run"/checkpoints/*-step-"${step:-x}" 2>/dev/null)/trainer.json"
  check "  before the end" test "${step:-1500}" -lt 1500
  "$s2s" train --resume "$run" > /dev/null 2> "$work/resume-$sig.err"
  check "  --resume completes" test $? -eq 0
  check "  with bitwise the uninterrupted model" cmp "$run/model.safetensors" "$work/ref/model.safetensors"
  check "  and optimizer state" cmp "$(final_ckpt "$run")/optimizer.safetensors" "$(final_ckpt "$work/ref")/optimizer.safetensors"
done

model="$src/tests/cli/fixtures/rnn-model-v0.1"
translate() { "$s2s" translate -m "$model" "$@"; }

# Waiting on stdin: three lines in, three out, then Ctrl-C.
mkfifo "$work/in.fifo"
"$s2s" translate -m "$model" --chunk 1 --output "$work/stdin.out" < "$work/in.fifo" 2> "$work/stdin.err" &
pid=$!
exec 3> "$work/in.fifo"
head -n 3 "$work/train.tsv" | cut -f1 >&3
wait_for 30 lines_at_least "$work/stdin.out" 3
kill -INT $pid
wait_exit $pid
exec 3>&-
check "translate waiting on stdin, SIGINT: exit 130 (got $rc)" [ "$rc" = 130 ]
check "  the three translations are written" cmp "$work/stdin.out" <(head -n 3 "$work/train.tsv" | cut -f1 | translate)
check "  and it says so" grep -qx "s2s translate: stopped by SIGINT; the output holds the translations of the first 3 lines" "$work/stdin.err"

# Decoding a long file: SIGTERM once output has begun.
for k in 1 2 3 4 5 6 7 8 9 10; do cut -f1 "$src/data/g2p.train.tsv"; done > "$work/long.txt"
"$s2s" translate -m "$model" --input "$work/long.txt" --output "$work/long.out" --chunk 64 2> "$work/long.err" &
pid=$!
wait_for 60 lines_at_least "$work/long.out" 1
kill -TERM $pid
wait_exit $pid
n=$(grep -oE 'first [0-9]+ lines' "$work/long.err" | grep -oE '[0-9]+')
check "translate of a file, SIGTERM: exit 143 (got $rc)" [ "$rc" = 143 ]
check "  says how many lines the output holds (${n:-?})" test -n "$n"
check "  fewer than all" test "${n:-30000}" -lt "$(wc -l < "$work/long.txt")"
check "  and holds exactly their translations, whole lines" cmp "$work/long.out" <(head -n "${n:-0}" "$work/long.txt" | translate)

echo "$failures failures"
[ $failures -eq 0 ]
