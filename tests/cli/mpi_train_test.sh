#!/usr/bin/env bash
# `s2s train` under a real mpirun, two processes on loopback TCP (CTest
# cli.mpi_train; tests/app/data_parallel_test.cc covers the same paths with
# threads as ranks):
#   1. mpirun -np 2 trains the demo model; model.safetensors and the final
#      checkpoint are byte-identical to one process with --accum-steps 2, and
#      only rank 0 wrote (one start event in the log);
#   2. kill -9 of rank 1 ends the run within 30 s with a non-zero status and
#      a message naming rank 1; --resume completes it to the same model; a
#      rank 1 that hangs (SIGSTOP) ends it after train.comm_timeout, named;
#   3. resuming with another process count, ranks with other options and
#      ranks reading other bytes from the same data path are refused.
# Skips (77) when mpirun is absent; with an s2s built without MPI it checks
# the refusal under mpirun and skips the rest.
#   mpi_train_test.sh S2S_BINARY MPIRUN SOURCE_DIR SCRATCH_DIR
set -euo pipefail
bin=$1 mpirun=$2 src=$3 scratch=$4
if [ -z "$mpirun" ] || ! command -v "$mpirun" > /dev/null; then
  echo "SKIP: mpirun not found (scripts/setup.sh installs openmpi-bin); MPI training not tested"
  exit 77
fi
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$src"

# As root, in containers, without ssh: what Open MPI needs to start two local
# processes that talk over TCP on loopback, as processes on two machines would.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_plm_rsh_agent="${OMPI_MCA_plm_rsh_agent-}"
export OMP_WAIT_POLICY=PASSIVE

fail() { echo "FAIL: $*"; exit 1; }
# The demo model, a checkpoint every 4 updates, validation every 8 (rank 0 validates, all agree).
run=(train --config "$src/examples/demo/g2p.yaml" --train.max_time 0 --epochs 0 --save-every 4 --valid-every 8
     --report-every 8 --threads 1 --train.progress false)
# The pid of rank 1 of the run writing to $1, once its checkpoint of step 8 exists; fails when there is none.
rank1_of() {
  local dir=$1 pid
  for _ in $(seq 1 600); do
    ls "$dir/checkpoints" 2> /dev/null | grep -q -- "-step-8$" && break
    sleep 0.1
  done
  for pid in $(pgrep -f -- "--save-dir $dir"); do  # to find it; it is signalled by pid
    if tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}
last_checkpoint_model() { echo "$(ls -d "$1"/checkpoints/*-step-* | sort | tail -1)/model.safetensors"; }

status=0
timeout 120 "$mpirun" -np 2 "$bin" "${run[@]}" --save-dir "$scratch/probe" --steps 1 > "$scratch/probe.out" 2>&1 || status=$?
if grep -q "built without MPI" "$scratch/probe.out"; then
  [ "$status" -ne 0 ] || fail "s2s without MPI support exited 0 under mpirun -np 2"
  echo "SKIP: this s2s was built without MPI: it refuses mpirun -np 2 as it should; data-parallel training not tested"
  exit 77
fi
[ "$status" -eq 0 ] || { cat "$scratch/probe.out"; fail "mpirun -np 2 s2s train --steps 1 exited $status"; }

# 1. Two processes give the bits of one accumulating two batches.
"$bin" "${run[@]}" --steps 40 --accum-steps 2 --save-dir "$scratch/single" > "$scratch/single.out" 2>&1 ||
  { cat "$scratch/single.out"; fail "single-process run"; }
timeout 300 "$mpirun" -np 2 "$bin" "${run[@]}" --steps 40 --save-dir "$scratch/two" > "$scratch/two.out" 2>&1 ||
  { cat "$scratch/two.out"; fail "mpirun -np 2 run"; }
grep -q "2 processes x 1 threads" "$scratch/two.out" || { cat "$scratch/two.out"; fail "the run did not say it has 2 processes"; }
cmp "$scratch/two/model.safetensors" "$scratch/single/model.safetensors" ||
  fail "model.safetensors of mpirun -np 2 differs from one process with --accum-steps 2"
cmp "$(last_checkpoint_model "$scratch/two")" "$(last_checkpoint_model "$scratch/single")" || fail "final checkpoints differ"
[ "$(grep -c '"event":"start"' "$scratch/two/train.log.jsonl")" -eq 1 ] || fail "more than one process wrote the log"
echo "ok: mpirun -np 2 gives the model of --accum-steps 2, byte for byte"

# 2. kill -9 of rank 1: the run ends within 30 s naming it; --resume completes it to the same model.
timeout 300 "$mpirun" -np 2 "$bin" "${run[@]}" --steps 40 --save-dir "$scratch/killed" > "$scratch/killed.out" 2>&1 &
job=$!
victim=$(rank1_of "$scratch/killed") ||
  { kill "$job" 2> /dev/null; cat "$scratch/killed.out"; fail "found no rank 1 process of the killed run"; }
start=$(date +%s)
kill -9 "$victim"
status=0
wait "$job" || status=$?
took=$(( $(date +%s) - start ))
[ "$status" -ne 0 ] || fail "the run exited 0 after rank 1 was killed"
[ "$took" -le 30 ] || fail "the run took $took s to stop after rank 1 was killed"
grep -q "rank 1" "$scratch/killed.out" || { cat "$scratch/killed.out"; fail "no message names rank 1"; }
! grep -q -- "-step-40$" <(ls "$scratch/killed/checkpoints") || fail "the killed run finished before the kill; the test proves nothing"
echo "ok: kill -9 of rank 1 stopped the run in $took s (status $status): $(grep -m1 "rank 1" "$scratch/killed.out")"
timeout 300 "$mpirun" -np 2 "$bin" train --resume "$scratch/killed" --threads 1 --train.progress false > "$scratch/resumed.out" 2>&1 ||
  { cat "$scratch/resumed.out"; fail "mpirun -np 2 s2s train --resume"; }
cmp "$(last_checkpoint_model "$scratch/killed")" "$(last_checkpoint_model "$scratch/single")" ||
  fail "the resumed run's final checkpoint differs from the uninterrupted run's"
cmp "$scratch/killed/model.safetensors" "$scratch/single/model.safetensors" || fail "the resumed run's model differs"
echo "ok: --resume under mpirun -np 2 completed the run to the same model"

# 2b. A rank that hangs without dying (SIGSTOP): rank 0 gives up after train.comm_timeout (10 s:
#     well above any honest wait here, even on a loaded machine), naming it.
timeout 300 "$mpirun" -np 2 "$bin" "${run[@]}" --steps 40 --train.comm_timeout 10 --save-dir "$scratch/hung" > "$scratch/hung.out" 2>&1 &
job=$!
victim=$(rank1_of "$scratch/hung") ||
  { kill "$job" 2> /dev/null; cat "$scratch/hung.out"; fail "found no rank 1 process of the hung run"; }
start=$(date +%s)
kill -STOP "$victim"
status=0
wait "$job" || status=$?
took=$(( $(date +%s) - start ))
kill -9 "$victim" 2> /dev/null || true  # normally gone with the job
[ "$status" -ne 0 ] || fail "the run exited 0 with rank 1 stopped"
[ "$took" -le 30 ] || fail "the run took $took s to stop with rank 1 hung (train.comm_timeout 10)"
grep -q "rank 1 has not answered for" "$scratch/hung.out" || { cat "$scratch/hung.out"; fail "no message names the hung rank 1"; }
echo "ok: a hung rank 1 stopped the run in $took s: $(grep -m1 "rank 1 has not answered" "$scratch/hung.out")"

# 3. Refusals.
status=0
"$bin" train --resume "$scratch/two" --steps 44 --threads 1 > "$scratch/count.out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "written by a run of 2 processes, this run has 1" "$scratch/count.out" ||
  { cat "$scratch/count.out"; fail "a resume with another process count was not refused"; }
status=0
timeout 120 "$mpirun" -np 1 "$bin" "${run[@]}" --steps 4 --save-dir "$scratch/mixed" --seed 1 : -np 1 "$bin" "${run[@]}" \
  --steps 4 --save-dir "$scratch/mixed" --seed 2 > "$scratch/mixed.out" 2>&1 || status=$?
[ "$status" -ne 0 ] && grep -q "rank 1 of 2 got other options" "$scratch/mixed.out" ||
  { cat "$scratch/mixed.out"; fail "ranks with other options were not refused"; }
mkdir -p "$scratch/a" "$scratch/b"
head -1000 data/g2p.train.tsv > "$scratch/a/train.tsv"
head -1001 data/g2p.train.tsv | tail -1000 > "$scratch/b/train.tsv"
status=0
timeout 120 "$mpirun" -np 1 --wdir "$scratch/a" "$bin" "${run[@]}" --steps 4 --train train.tsv --dev "" --save-dir "$scratch/data" : \
  -np 1 --wdir "$scratch/b" "$bin" "${run[@]}" --steps 4 --train train.tsv --dev "" --save-dir "$scratch/data" > "$scratch/data.out" 2>&1 ||
  status=$?
[ "$status" -ne 0 ] && grep -q "rank 1 of 2 read other bytes from train.tsv (data.train)" "$scratch/data.out" ||
  { cat "$scratch/data.out"; fail "ranks reading different data were not refused"; }
echo "ok: another process count, other options and other data are refused"
