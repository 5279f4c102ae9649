#!/usr/bin/python3
"""Data-parallel training (issue 19): 1 process x 2 threads against 2 processes x 1 thread.

    /usr/bin/python3 bench/mpi_scaling.py [--shapes h256 g2p] [--steps 60] [--warmup 10] [--reps 3]
                                          [--build build] [--out bench/results/mpi]
                                          [--bandwidth-gbit 10] [--latency-us 50]

Runs `s2s train` (not a micro-benchmark: the whole trainer, data included) on
synthetic corpora of the benchmark shapes of bench/run_speed.py:
  h256 : the bahdanau preset (examples/configs/bahdanau.yaml), V = 8000 both
         sides, E = H = 256, batch 64, 20 source and 20 target tokens
  g2p  : the same model at E = H = 256 with source vocab 30, target vocab 45,
         batch 64, 8 + 8 tokens
Each shape, repeated --reps times, alternating the order:
  A. one process, --threads 2, --accum-steps 2
  B. mpirun -np 2 --bind-to core --map-by core, --threads 1 each
Both make the same updates (2 batches of 64 each; B's model is A's bit for
bit), so tokens/s compare directly. From rank 0's log (train.log.jsonl,
report every --warmup updates; the first report is the warm-up and is
dropped): target tokens/s, ms per update, and B's time in the gradient
exchange (comm_s: the chain sum plus broadcast, waiting for the other rank
included), per update and as a share of the update.

Then a paper estimate for 4 and 16 machines, one process each: bytes per
update (4 bytes per parameter, down the chain and back by broadcast), the
exchange time on a network of --bandwidth-gbit and --latency-us (chain of N
ranks in 1 MiB pieces: (pieces + N - 2) x (piece / bandwidth + latency); the
broadcast: (pieces + log2 N - 1) pieces' time), and tokens/s = N x tokens per
batch / (B's compute time per update + that exchange time).

Prints a Markdown table (and writes it to <out>/table.md, the numbers to
<out>/summary.json). Run it on a quiet machine: it reports the load average
before and after; nothing here waits for quiet.
"""
import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHAPES = {
    "h256": dict(src_vocab=8000, tgt_vocab=8000, src_len=20, tgt_len=20),
    "g2p": dict(src_vocab=30, tgt_vocab=45, src_len=8, tgt_len=8),
}
RESERVED = 4  # <pad> <unk> <s> </s>
PIECE = 1 << 20  # the exchange's piece (GradientExchange's chunk: 2^18 floats)


def write_corpus(path, shape, pairs, seed):
    """pairs lines "w1 w2 ...<TAB>v1 v2 ...": every word of both vocabularies
    occurs (so the built vocabularies have exactly the shape's sizes); the
    target gets </s> from the trainer, so it has tgt_len - 1 words."""
    rng = random.Random(seed)
    sw, tw = shape["src_vocab"] - RESERVED, shape["tgt_vocab"] - RESERVED
    ls, lt = shape["src_len"], shape["tgt_len"] - 1
    with open(path, "w") as f:
        for i in range(pairs):
            src = [(i * ls + j) % sw if i * ls < sw else rng.randrange(sw) for j in range(ls)]
            tgt = [(i * lt + j) % tw if i * lt < tw else rng.randrange(tw) for j in range(lt)]
            f.write(" ".join(f"s{w}" for w in src) + "\t" + " ".join(f"t{w}" for w in tgt) + "\n")


def train_args(binary, corpus, save_dir, args, threads, accum):
    return [binary, "train", "--config", os.path.join(REPO, "examples/configs/bahdanau.yaml"),
            "--train", corpus, "--tokenizer", "word", "--max-len", "0", "--batch-sentences", "64",
            "--batch-tokens", "0", "--epochs", "0", "--steps", str(args.warmup + args.steps),
            "--report-every", str(args.warmup), "--save-every", "0", "--valid-every", "0",
            "--threads", str(threads), "--accum-steps", str(accum), "--train.progress", "false",
            "--save-dir", save_dir]


def mpirun_prefix(n):
    cmd = ["mpirun", "-np", str(n), "--bind-to", "core", "--map-by", "core"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd


def read_log(save_dir, warmup):
    start, reports = None, []
    with open(os.path.join(save_dir, "train.log.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "start":
                start = e
            elif e["event"] == "train":
                reports.append(e)
    timed = reports[1:]  # the first interval holds the warm-up
    if not timed:
        sys.exit(f"{save_dir}: no timed report (give --steps a multiple of --warmup, at least one)")
    updates = len(timed) * warmup
    seconds = sum(r["tokens_per_update"] * warmup / r["tokens_per_s"] for r in timed)
    tokens = sum(r["tokens_per_update"] * warmup for r in timed)
    comm = sum(r.get("comm_s", 0.0) for r in timed)
    return dict(parameters=start["parameters"], tokens_per_s=tokens / seconds, ms_per_update=1000 * seconds / updates,
                comm_ms_per_update=1000 * comm / updates, comm_share=comm / seconds,
                tokens_per_update=tokens / updates)


def run(cmd, env, log):
    with open(log, "w") as out:
        rc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"failed ({rc}): {' '.join(cmd)}; see {log}")


def exchange_estimate(nbytes, n, bandwidth, latency):
    pieces = math.ceil(nbytes / PIECE)
    piece_s = PIECE / bandwidth + latency
    chain = (pieces + n - 2) * piece_s
    broadcast = (pieces + math.log2(n) - 1) * piece_s
    return chain + broadcast


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    p.add_argument("--steps", type=int, default=60, help="timed updates (a multiple of --warmup)")
    p.add_argument("--warmup", type=int, default=10, help="untimed updates first; also the report interval")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--build", default=os.path.join(REPO, "build"))
    p.add_argument("--out", default=os.path.join(HERE, "results", "mpi"))
    p.add_argument("--bandwidth-gbit", type=float, default=10.0, help="network of the paper estimate")
    p.add_argument("--latency-us", type=float, default=50.0)
    args = p.parse_args()
    binary = os.path.join(args.build, "s2s")
    if shutil.which("mpirun") is None:
        sys.exit("mpirun not found: scripts/setup.sh installs openmpi-bin")
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMPI_MCA_btl_vader_single_copy_mechanism="none")
    load_before = os.getloadavg()[0]
    results = {}
    for shape_name in args.shapes:
        shape = SHAPES[shape_name]
        corpus = os.path.join(args.out, f"{shape_name}.tsv")
        write_corpus(corpus, shape, pairs=64 * 2 * (args.warmup + args.steps + 5), seed=19)
        runs = {"1x2": [], "2x1": []}
        for rep in range(args.reps):
            order = ["1x2", "2x1"] if rep % 2 == 0 else ["2x1", "1x2"]
            for kind in order:
                save_dir = os.path.join(args.out, f"{shape_name}-{kind}-{rep}")
                shutil.rmtree(save_dir, ignore_errors=True)
                if kind == "1x2":
                    cmd = train_args(binary, corpus, save_dir, args, threads=2, accum=2)
                else:
                    cmd = mpirun_prefix(2) + train_args(binary, corpus, save_dir, args, threads=1, accum=1)
                run(cmd, env, save_dir + ".out")
                runs[kind].append(read_log(save_dir, args.warmup))
                print(f"{shape_name} {kind} rep {rep + 1}: {runs[kind][-1]['tokens_per_s']:.0f} tok/s", file=sys.stderr)
        med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in runs.items()}
        results[shape_name] = med
    load_after = os.getloadavg()[0]

    bandwidth = args.bandwidth_gbit * 1e9 / 8
    latency = args.latency_us * 1e-6
    lines = [
        f"s2s train, target tokens/s (medians of {args.reps}; {args.steps} timed updates of 2 x 64 sentences "
        f"after {args.warmup}); load average {load_before:.2f} before, {load_after:.2f} after.",
        "",
        "| shape | parameters | 1 process x 2 threads (--accum-steps 2) | 2 processes x 1 thread | ratio | "
        "exchange per update (share) | bytes per update |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, med in results.items():
        a, b = med["1x2"], med["2x1"]
        nbytes = 4 * a["parameters"]
        lines.append(f"| {name} | {a['parameters']:,.0f} | {a['tokens_per_s']:.0f} ({a['ms_per_update']:.1f} ms/update) | "
                     f"{b['tokens_per_s']:.0f} ({b['ms_per_update']:.1f} ms/update) | {b['tokens_per_s'] / a['tokens_per_s']:.2f}x | "
                     f"{b['comm_ms_per_update']:.1f} ms ({100 * b['comm_share']:.0f}%) | {nbytes / 1e6:.1f} MB |")
    lines += [
        "",
        f"Paper estimate, one process (1 batch of 64) per machine, {args.bandwidth_gbit:g} Gbit/s, "
        f"{args.latency_us:g} us latency; compute per update from the 2-process run less its exchange:",
        "",
        "| shape | machines | exchange per update | tokens/s | speedup over 1 machine |",
        "|---|---|---|---|---|",
    ]
    for name, med in results.items():
        b = med["2x1"]
        nbytes = 4 * b["parameters"]
        compute_s = (b["ms_per_update"] - b["comm_ms_per_update"]) / 1000
        per_batch_tokens = b["tokens_per_update"] / 2
        single = per_batch_tokens / compute_s
        for n in (4, 16):
            t = exchange_estimate(nbytes, n, bandwidth, latency)
            tps = n * per_batch_tokens / (compute_s + t)
            lines.append(f"| {name} | {n} | {1000 * t:.1f} ms | {tps:.0f} | {tps / single:.1f}x |")
    table = "\n".join(lines) + "\n"
    print(table)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(dict(results=results, load=[load_before, load_after], args=vars(args)), f, indent=1)


if __name__ == "__main__":
    main()
