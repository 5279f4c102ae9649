#!/usr/bin/python3
"""s2s's Transformer against the PyTorch peer, side by side in one run.

    /usr/bin/python3 bench/run_transformer_speed.py [--reps 3] [--threads 1 2] [--shapes small base]
                                                    [--build build] [--out bench/results/transformer_speed]

The Transformer counterpart of bench/run_speed.py (same procedure, same
helpers: sgemm peak, waiting for a quiet machine, rejecting disturbed runs):
1. Measures the sgemm peak at each thread count.
2. For each repetition, shape and thread count runs the peer
   (bench/peer_torch_transformer.py, /usr/bin/python3, in the RNN peer's
   "tuned" environment: LD_PRELOAD tcmalloc when installed + the OpenMP
   OpenBLAS) and s2s (build/bench/seq2seq_train_bench and
   seq2seq_decode_bench with --type transformer) on identical shapes,
   alternating which goes first. Shapes (V = 8000 both sides, batch 64,
   25 source and 25 target tokens incl. EOS, pre-norm, ReLU, sinusoidal
   positions, dropout 0.1 on residuals/embeddings, attention weights and the
   feed-forward activation, label smoothing 0.1, Adam lr 1e-3, clipping 1.0,
   3 warm-up + --steps timed steps):
     base  : 6+6 layers, d 512, 8 heads, ffn 2048
     small : 3+3 layers, d 256, 4 heads, ffn 1024
   Decoding: --decode-sents sentences in batches of 64 and --decode-sents-b1
   at batch 1, greedy and beam --beam, every hypothesis runs exactly the
   target length (no EOS stop); the peer decodes incrementally with a
   key/value cache (--peer-decode-mode prefix: re-running the decoder on the
   prefix, as the PyTorch tutorial does).
3. Prints (and writes to <out>/table.md, <out>/summary.json) medians over the
   repetitions: target tokens/s, ms/step, peak RSS, GFLOP/s as a share of the
   sgemm peak, decoding sentences/s, and s2s/peer ratios.

FLOPs are 2 x the multiply-adds of the matmul-like work per target token
(training = 3 x forward), the same count charged to both sides.
--smoke runs tiny shapes for a couple of steps to check that everything
starts and parses (no figure from it means anything).
"""
import argparse
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run_speed as rs  # noqa: E402  (sgemm_peak, wait_quiet, run_json, med, fmt, interleaved_runs)

TUNED = {k: v for k, v in rs.TUNED.items() if k != "LD_PRELOAD" or os.path.exists(v)}
COMMON = dict(src_vocab=8000, tgt_vocab=8000, src_len=25, tgt_len=25, batch=64, activation="relu", norm="pre",
              dropout=0.1, label_smoothing=0.1, steps=10)
SHAPES = {
    "base": dict(COMMON, layers=6, d_model=512, heads=8, ffn=2048),
    "small": dict(COMMON, layers=3, d_model=256, heads=4, ffn=1024),
    "smoke": dict(COMMON, src_vocab=100, tgt_vocab=100, src_len=7, tgt_len=6, batch=4, layers=2, d_model=32,
                  heads=4, ffn=64, steps=2),
}
KINDS = rs.DECODE_KINDS


def flop_per_tgt_token(c):
    d, f, V, S, T, L = c["d_model"], c["ffn"], c["tgt_vocab"], c["src_len"], c["tgt_len"], c["layers"]
    enc = L * (4 * d * d + 2 * d * f + 2 * S * d) * S / T            # per source token, scaled to a target token
    dec = L * (4 * d * d + 2 * T * d                                    # self-attention (full T x T, as trained)
               + 2 * d * d + 2 * d * d * S / T + 2 * S * d             # cross-attention: q, out; k, v of the memory
               + 2 * d * f)
    return 3 * 2 * (enc + dec + d * V)


def peer_args(c, T, a):
    return ["--src-vocab", str(c["src_vocab"]), "--tgt-vocab", str(c["tgt_vocab"]), "--layers", str(c["layers"]),
            "--d-model", str(c["d_model"]), "--heads", str(c["heads"]), "--ffn", str(c["ffn"]),
            "--activation", c["activation"], "--norm", c["norm"], "--dropout", str(c["dropout"]),
            "--label-smoothing", str(c["label_smoothing"]), "--batch", str(c["batch"]),
            "--src-len", str(c["src_len"]), "--tgt-len", str(c["tgt_len"]), "--threads", str(T),
            "--steps", str(c["steps"]), "--decode-sents", str(a.decode_sents),
            "--decode-sents-b1", str(a.decode_sents_b1), "--decode-batch", str(min(64, max(1, a.decode_sents))),
            "--beam", str(a.beam), "--decode-mode", a.peer_decode_mode]


def s2s_shape_args(c, T):
    p = c["dropout"]
    return ["--type", "transformer", "--src-vocab", str(c["src_vocab"]), "--tgt-vocab", str(c["tgt_vocab"]),
            "--emb", str(c["d_model"]), "--src-len", str(c["src_len"]), "--tgt-len", str(c["tgt_len"]),
            "--threads", str(T), "--model.transformer.layers", str(c["layers"]),
            "--model.transformer.heads", str(c["heads"]), "--model.transformer.ffn_size", str(c["ffn"]),
            "--model.transformer.activation", c["activation"], "--model.transformer.norm", c["norm"],
            "--model.dropout", str(p), "--model.transformer.attention_dropout", str(p),
            "--model.transformer.ffn_dropout", str(p)]


def run_peer(a, c, T):
    d = rs.run_json(["/usr/bin/python3", os.path.join(HERE, "peer_torch_transformer.py"), *peer_args(c, T, a)],
                    dict(os.environ, **TUNED))
    tr, dec = d["train"], d["decode"]
    out = {"train_tok_s": tr["tgt_tokens_per_s"], "ms_step": tr["ms_per_step_median"],
           "rss_mb": tr["peak_rss_mb_after_train"], "other": tr["other_cores"], "params": d["params"],
           "final_loss": tr["loss_first_last"][-1], "raw": d}
    for k in KINDS:
        if dec.get(k):
            out[k] = dec[k]["sentences_per_s"]
    return out


def run_s2s(a, c, T):
    common = s2s_shape_args(c, T)
    env = dict(os.environ, OMP_NUM_THREADS=str(T), OPENBLAS_NUM_THREADS=str(T))
    tr = rs.run_json([os.path.join(a.build, "bench", "seq2seq_train_bench"), *common, "--batch", str(c["batch"]),
                      "--steps", str(c["steps"]), "--label-smoothing", str(c["label_smoothing"]),
                      "--recompute-layers", "1" if a.recompute_layers else "0"], env)
    out = {"train_tok_s": tr["train_tok_per_s"], "ms_step": tr["ms_per_step_median"], "rss_mb": tr["peak_rss_mb"],
           "other": tr["other_cores"], "params": tr["params"], "final_loss": tr["final_loss"], "raw": {"train": tr}}
    if a.decode_sents or a.decode_sents_b1:
        dec = rs.run_json([os.path.join(a.build, "bench", "seq2seq_decode_bench"), *common,
                           "--decode-sents", str(a.decode_sents), "--decode-sents-b1", str(a.decode_sents_b1),
                           "--decode-batch", str(min(64, max(1, a.decode_sents))), "--beam", str(a.beam)], env)
        out["raw"]["decode"] = dec
        for k in KINDS:
            if dec.get(k):
                out[k] = dec[k]["sentences_per_s"]
    return out


def measure(a, impl, c, T, label):
    fn = run_peer if impl == "peer" else run_s2s
    for tri in range(a.max_tries):
        quiet, waited = rs.wait_quiet(a.quiet_wait)
        r = fn(a, c, T)
        r.update(busy_before=quiet, waited_s=waited, try_=tri, contaminated=r["other"] > a.max_other)
        dec = " ".join(f"{k}={r[k]}" for k in KINDS if k in r)
        print(f"  {label} {impl:4s} try{tri}: {r['train_tok_s']:8.1f} tok/s {r['ms_step']:8.1f} ms/step "
              f"rss {r['rss_mb']:6.1f} MB params {r['params']} other={r['other']:.2f} | {dec}"
              f"{'  CONTAMINATED' if r['contaminated'] else ''}", flush=True)
        if not r["contaminated"]:
            break
    return r


def summarize(runs, peaks, a):
    rows = {}
    for (shape, T), per in runs.items():
        fl = flop_per_tgt_token(SHAPES[shape])
        row = {"config": shape, "threads": T, "flop_per_tgt_token": fl, "sgemm_peak_gflops": peaks[T]["best_gflops"]}
        for impl in ("s2s", "peer"):
            rr = per.get(impl, [])
            if not rr:
                continue
            s = {k: rs.med([r.get(k) for r in rr]) for k in ("train_tok_s", "ms_step", "rss_mb", *KINDS)}
            s["runs"] = len(rr)
            s["contaminated_kept"] = sum(bool(r["contaminated"]) for r in rr)
            s["params"] = rr[0]["params"]
            s["gflops"] = s["train_tok_s"] * fl / 1e9
            s["peak_frac"] = s["gflops"] / peaks[T]["best_gflops"]
            row[impl] = s
        rows[f"{shape}_t{T}"] = row
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shapes", nargs="+", default=["small", "base"], choices=list(SHAPES))
    ap.add_argument("--impls", nargs="+", default=["s2s", "peer"], choices=["s2s", "peer"])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "transformer_speed"))
    ap.add_argument("--steps", type=int, default=None, help="timed training steps (default: the shape's)")
    ap.add_argument("--decode-sents", type=int, default=128)
    ap.add_argument("--decode-sents-b1", type=int, default=8)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--peer-decode-mode", choices=["cache", "prefix"], default="cache")
    ap.add_argument("--no-decode", action="store_true")
    ap.add_argument("--recompute-layers", action="store_true",
                    help="s2s trains with train.recompute_layers (activation checkpointing); the peer as always")
    ap.add_argument("--quiet-wait", type=float, default=120)
    ap.add_argument("--max-other", type=float, default=0.15)
    ap.add_argument("--max-tries", type=int, default=3)
    ap.add_argument("--smoke", action="store_true",
                    help="tiny shape, 2 steps, 8 + 2 decoded sentences, 1 rep, no sgemm probe: checks the plumbing")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    if a.smoke:
        a.shapes, a.reps, a.decode_sents, a.decode_sents_b1, a.beam = ["smoke"], 1, 8, 2, 3
        a.quiet_wait, a.max_tries, a.threads = 0, 1, a.threads[:1]
    if a.no_decode:
        a.decode_sents = a.decode_sents_b1 = 0
    if a.steps:
        for c in SHAPES.values():
            c["steps"] = a.steps
    os.makedirs(a.out, exist_ok=True)
    if "LD_PRELOAD" not in TUNED:
        print(f"note: {rs.TUNED['LD_PRELOAD']} is not installed (apt-get install libtcmalloc-minimal4); the peer runs without "
              "tcmalloc", flush=True)
    load0 = open("/proc/loadavg").read().split()[:3]
    t0 = time.time()
    peaks = ({T: {"best_gflops": float("nan"), "corename": "not measured (--smoke)"} for T in a.threads}
             if a.smoke else rs.sgemm_peak(a.threads))
    runs = rs.interleaved_runs(a, a.shapes, SHAPES, measure)
    rows = summarize(runs, peaks, a)
    for r in rows.values():  # both sides must build the same model
        if "s2s" in r and "peer" in r and r["s2s"]["params"] != r["peer"]["params"]:
            print(f"WARNING {r['config']}: parameter counts differ, s2s {r['s2s']['params']} peer "
                  f"{r['peer']['params']}", flush=True)
    meta = {"load": f"loadavg at start {' '.join(load0)}, at end {' '.join(open('/proc/loadavg').read().split()[:3])}; "
                    f"{round(time.time() - t0)} s",
            "python": platform.python_version(), "argv": sys.argv, "peer_decode_mode": a.peer_decode_mode,
            "tuned_env": TUNED}
    text = rs.table(rows, peaks, meta).replace("beam5", f"beam{a.beam}")
    print("\n" + text)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"meta": meta, "sgemm": peaks, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
