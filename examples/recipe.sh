# Shared by examples/*/run.sh (sourced): building s2s, training that picks up
# where an interrupted run stopped, scoring, and the figures for RESULTS.md.
#
# Environment:
#   S2S_DATA     the folder holding bible/ and cmudict/ (default: ../shared/data beside the repository)
#   S2S_WORK     work directory: data links, vocabularies, models, outputs (default: examples/<name>/work)
#   S2S_RESULTS  the results file to write (default: examples/<name>/RESULTS.md)
#   S2S_BIN      an s2s binary to use instead of building one
#   S2S_SMOKE=1  a few training steps and 40 test lines: checks the recipe end to end in a minute
#                (the test suite runs this); skips with exit status 77 when the data is absent

recipe_init() {
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  root=$(cd "$here/../.." && pwd)
  name=$(basename "$here")
  data_root=${S2S_DATA:-$root/../shared/data}
  work=${S2S_WORK:-$here/work}
  results=${S2S_RESULTS:-$here/RESULTS.md}
  smoke=${S2S_SMOKE:-0}
  smoke_train_args=()
  [ "$smoke" = 1 ] && smoke_train_args=(--steps 20 --epochs 0 --valid-every 10 --save-every 10 --train.valid_max_sentences 20)
  if [ -n "${S2S_BIN:-}" ]; then
    s2s=$S2S_BIN
  else
    "$root/scripts/setup.sh" --recipes
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$root/build" -j"$(nproc)" --target s2s_cli
    s2s=$root/build/s2s
  fi
  mkdir -p "$work"
}

# need_file FILE: the corpus must be there; a clear message (and a skip in smoke mode) if not.
need_file() {
  [ -f "$1" ] && return 0
  echo "examples/$name/run.sh: $1 not found: set S2S_DATA to the folder that holds the corpora (../shared/data)" >&2
  [ "$smoke" = 1 ] && exit 77
  exit 1
}

# test_lines FILE: the file, or its first 40 lines in smoke mode.
test_lines() {
  if [ "$smoke" = 1 ]; then head -n 40 "$1"; else cat "$1"; fi
}

# train_model CONFIG MODEL_DIR [TRAIN_OPTIONS...]: trains in the current
# directory (the configs' paths are relative to it); resumes an interrupted
# run; leaves a finished one alone.
train_model() {
  local config=$1 dir=$2 state
  shift 2
  if [ "$smoke" = 1 ]; then  # the smoke options set the run's length; the others stay
    local kept=()
    while [ $# -gt 0 ]; do
      case "$1" in --epochs | --steps) shift 2 ;; *) kept+=("$1"); shift ;; esac
    done
    set -- "${smoke_train_args[@]}" "${kept[@]}"
  fi
  state=$(run_log state "$dir/train.log.jsonl")
  case "$state" in
    done) echo "$dir: already trained (delete it to train again)" ;;
    started) "$s2s" train --resume "$dir" ;;
    *) rm -rf "$dir"; "$s2s" train --config "$config" --save-dir "$dir" "$@" ;;
  esac
}

# score SCORES_FILE METRIC: the number from an `s2s eval` line such as 'SER|nrefs:2|tok:space = 23.10 (...)'.
score() {
  sed -n "s/^$2|[^=]* = \([0-9.]*\).*/\1/p" "$1" | head -n 1
}

# run_log ARGS...: examples/run_log.py (training-log fields and plots).
run_log() {
  python3 "$root/examples/run_log.py" "$@"
}

# plot_curves FILE.svg METRIC YLABEL LABEL=LOG...: the learning curves into the work
# directory, and beside the recipe (what RESULTS.md links) unless in smoke mode.
plot_curves() {
  local file=$1
  shift
  run_log plot "$work/$file" "$@"
  [ "$smoke" = 1 ] || cp "$work/$file" "$here/$file"
}

# minutes SECONDS: rounded to whole minutes.
minutes() {
  awk -v s="$1" 'BEGIN { printf "%.0f", s / 60 }'
}

# machine: what the figures were measured on.
machine() {
  local cpu
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  echo "$cpu, $(nproc) cores; s2s $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
