#!/usr/bin/python3
"""s2s against the PyTorch peer, side by side in one run (issue 6).

    /usr/bin/python3 bench/run_speed.py [--reps 3] [--threads 1 2] [--configs h256 h512 g2p]
                                        [--build build] [--out bench/results/speed]

1. Measures the sgemm peak (cblas_sgemm 2048^3, best of 10 calls, best of 3
   probes, the OpenMP OpenBLAS that s2s links) at 1 and 2 threads.
2. For each repetition, shape and thread count runs the peer
   (../shared/bench/peer_torch_seq2seq.py in its "tuned" environment:
   LD_PRELOAD tcmalloc + the OpenMP OpenBLAS, /usr/bin/python3) and s2s
   (build/bench/seq2seq_train_bench + seq2seq_decode_bench) on identical
   shapes, alternating which goes first.  Shapes:
     h256 / h512 : bahdanau preset, V=8000, E=256, H=256|512, batch 64, 20 source
                   and 20 target tokens (incl. EOS), 10 timed steps after 3 warm-up
     g2p         : source vocab 30, target vocab 45, E=H=256, batch 64, 8 + 8 tokens,
                   50 timed steps
   Decoding: 128 sentences in batches of 64 and 8 sentences at batch 1, greedy
   and beam 5, every hypothesis runs exactly the target length (no EOS stop).
3. Before every run it waits (up to --quiet-wait s) until other processes use
   < 0.1 core; a run whose timed training span saw more than --max-other cores
   of other load is repeated (up to --max-tries; the last try is kept, flagged).
4. Prints (and writes to <out>/table.md, <out>/summary.json) medians over the
   repetitions: target tokens/s, ms/step, peak RSS, achieved GFLOP/s as a
   fraction of the sgemm peak, decoding sentences/s, and s2s/peer ratios.

The FLOP count is the peer's (2 x multiply-adds of the matmul-like work,
training = 3 x forward), so both sides are charged the same work.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LIBDIR = "/usr/lib/x86_64-linux-gnu"
TUNED = {"LD_PRELOAD": f"{LIBDIR}/libtcmalloc_minimal.so.4", "LD_LIBRARY_PATH": f"{LIBDIR}/openblas-openmp"}
CONFIGS = {
    "h256": dict(src_vocab=8000, tgt_vocab=8000, emb=256, hidden=256, src_len=20, tgt_len=20, steps=10),
    "h512": dict(src_vocab=8000, tgt_vocab=8000, emb=256, hidden=512, src_len=20, tgt_len=20, steps=10),
    "g2p": dict(src_vocab=30, tgt_vocab=45, emb=256, hidden=256, src_len=8, tgt_len=8, steps=50),
}
DECODE_KINDS = ("greedy", "beam_search", "greedy_b1", "beam_search_b1")


def busy_cores(span=1.0):
    def rd():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6]
    b0 = rd()
    time.sleep(span)
    return (rd() - b0) / os.sysconf("SC_CLK_TCK") / span


def wait_quiet(limit):
    t0 = time.time()
    while True:
        b = busy_cores()
        if b < 0.1 or time.time() - t0 > limit:
            return round(b, 3), round(time.time() - t0, 1)


def flop_per_tgt_token(c):
    """The peer's flop_estimate (deep readout, attention dim = H), training = 3 x forward."""
    H, E, A, V, S, T = c["hidden"], c["emb"], c["hidden"], c["tgt_vocab"], c["src_len"], c["tgt_len"]
    mac = (2 * (3 * H * E + 3 * H * H) * S / T + 2 * H * A * S / T + 2 * H * H / T + H * A + S * A + S * 2 * H
           + 3 * H * (E + 2 * H) + 3 * H * H + (3 * H + E) * V)
    return 3 * 2 * mac


def sgemm_peak(threads):
    # Built outside the results folder, which holds only what the run measured.
    exe = os.path.join(tempfile.mkdtemp(prefix="s2s-sgemm-peak-"), "sgemm_peak")
    src = os.path.join(HERE, "sgemm_peak.c")
    subprocess.run(["gcc", "-O2", src, "-o", exe, f"-L{LIBDIR}/openblas-openmp", "-lopenblas",
                    f"-Wl,-rpath,{LIBDIR}/openblas-openmp"], check=True)
    out = {}
    for T in threads:
        # Best of three probes, each after waiting for a quiet machine: one
        # disturbed probe would otherwise understate the peak for the whole run.
        for _ in range(3):
            busy, _waited = wait_quiet(60)
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(T), OMP_NUM_THREADS=str(T))
            p = subprocess.run([exe, "2048", "10"], env=env, capture_output=True, text=True, check=True)
            d = json.loads(p.stdout)
            d["busy_before"] = busy
            if T not in out or d["best_gflops"] > out[T]["best_gflops"]:
                out[T] = d
    return out


def run_json(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-2000:] + p.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    text = p.stdout
    return json.loads(text[text.index("{"):])


def run_peer(a, c, T):
    cmd = ["/usr/bin/python3", os.path.join(a.peer_dir, "peer_torch_seq2seq.py"),
           "--src-vocab", str(c["src_vocab"]), "--tgt-vocab", str(c["tgt_vocab"]), "--emb", str(c["emb"]),
           "--hidden", str(c["hidden"]), "--src-len", str(c["src_len"]), "--tgt-len", str(c["tgt_len"]),
           "--threads", str(T), "--steps", str(c["steps"]), "--decode-sents", str(a.decode_sents),
           "--decode-sents-b1", str(a.decode_sents_b1)]
    d = run_json(cmd, dict(os.environ, **TUNED))
    tr, dec = d["train"], d["decode"]
    out = {"train_tok_s": tr["tgt_tokens_per_s"], "ms_step": tr["ms_per_step_median"],
           "rss_mb": tr["peak_rss_mb_after_train"], "other": tr["other_cores"], "raw": d}
    for k in DECODE_KINDS:
        if dec.get(k):
            out[k] = dec[k]["sentences_per_s"]
    return out


def run_s2s(a, c, T):
    common = ["--src-vocab", str(c["src_vocab"]), "--tgt-vocab", str(c["tgt_vocab"]), "--emb", str(c["emb"]),
              "--hidden", str(c["hidden"]), "--src-len", str(c["src_len"]), "--tgt-len", str(c["tgt_len"]),
              "--threads", str(T)]
    env = dict(os.environ, OMP_NUM_THREADS=str(T), OPENBLAS_NUM_THREADS=str(T))
    tr = run_json([os.path.join(a.build, "bench", "seq2seq_train_bench"), *common, "--steps", str(c["steps"])], env)
    out = {"train_tok_s": tr["train_tok_per_s"], "ms_step": tr.get("ms_per_step_median", tr["ms_per_step"]),
           "rss_mb": tr["peak_rss_mb"], "other": tr.get("other_cores", 0.0), "raw": {"train": tr}}
    dec_exe = os.path.join(a.build, "bench", "seq2seq_decode_bench")
    if not a.no_decode and os.path.exists(dec_exe):
        dec = run_json([dec_exe, *common, "--decode-sents", str(a.decode_sents),
                        "--decode-sents-b1", str(a.decode_sents_b1)], env)
        out["raw"]["decode"] = dec
        for k in DECODE_KINDS:
            if dec.get(k):
                out[k] = dec[k]["sentences_per_s"]
        # Informational only: batch-1 G2P decoding lasts ~10 ms, below the
        # 10 ms tick of /proc/stat, so its other-load figure is noise.
        out["decode_other"] = dec.get("other_cores", 0.0)
    return out


def measure(a, impl, c, T, label):
    fn = run_peer if impl == "peer" else run_s2s
    for tri in range(a.max_tries):
        quiet, waited = wait_quiet(a.quiet_wait)
        r = fn(a, c, T)
        r.update(busy_before=quiet, waited_s=waited, try_=tri, contaminated=r["other"] > a.max_other)
        dec = " ".join(f"{k}={r[k]}" for k in DECODE_KINDS if k in r)
        print(f"  {label} {impl:4s} try{tri}: {r['train_tok_s']:8.1f} tok/s {r['ms_step']:8.1f} ms/step "
              f"rss {r['rss_mb']:6.1f} MB other={r['other']:.2f} busy_before={quiet} | {dec}"
              f"{'  CONTAMINATED' if r['contaminated'] else ''}", flush=True)
        if not r["contaminated"]:
            break
    return r


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarize(runs, peaks, a):
    rows = {}
    for (cfg, T), per in runs.items():
        c = CONFIGS[cfg]
        fl = flop_per_tgt_token(c)
        row = {"config": cfg, "threads": T, "flop_per_tgt_token": fl, "sgemm_peak_gflops": peaks[T]["best_gflops"]}
        for impl in ("s2s", "peer"):
            rs = per.get(impl, [])
            if not rs:
                continue
            s = {k: med([r.get(k) for r in rs]) for k in ("train_tok_s", "ms_step", "rss_mb", *DECODE_KINDS)}
            s["runs"] = len(rs)
            s["contaminated_kept"] = sum(r["raw"]["train"]["other_cores"] > a.max_other for r in rs)
            s["gflops"] = s["train_tok_s"] * fl / 1e9
            s["peak_frac"] = s["gflops"] / peaks[T]["best_gflops"]
            row[impl] = s
        rows[f"{cfg}_t{T}"] = row
    return rows


def fmt(x, nd=1):
    return "-" if x is None else f"{x:.{nd}f}"


def ratio(row, k, inverse=False):
    s, p = row.get("s2s", {}).get(k), row.get("peer", {}).get(k)
    if not s or not p:
        return "-"
    return f"{(p / s if inverse else s / p):.2f}x"


def table(rows, peaks, meta):
    out = [f"sgemm peak (cblas_sgemm 2048^3, best of 10): "
           + ", ".join(f"{T} thread(s) {d['best_gflops']:.1f} GFLOP/s ({d['corename']})" for T, d in peaks.items()),
           f"machine load: {meta['load']}", "",
           "### training (medians; ratio = s2s / peer, RSS ratio = s2s / peer)", "",
           "| shape | thr | s2s tok/s | peer tok/s | ratio | s2s ms/step | peer ms/step | s2s GFLOP/s (% peak) "
           "| peer GFLOP/s (% peak) | s2s RSS MB | peer RSS MB | RSS ratio | runs s2s/peer (disturbed) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in rows.items():
        s, p = r.get("s2s", {}), r.get("peer", {})
        g = lambda d: f"{fmt(d.get('gflops'))} ({fmt(100 * d['peak_frac'], 0)}%)" if d else "-"  # noqa: E731
        rss = "-" if not s or not p else f"{s['rss_mb'] / p['rss_mb']:.2f}x"
        out.append(f"| {r['config']} | {r['threads']} | {fmt(s.get('train_tok_s'))} | {fmt(p.get('train_tok_s'))} "
                   f"| {ratio(r, 'train_tok_s')} | {fmt(s.get('ms_step'))} | {fmt(p.get('ms_step'))} | {g(s)} | {g(p)} "
                   f"| {fmt(s.get('rss_mb'))} | {fmt(p.get('rss_mb'))} | {rss} "
                   f"| {s.get('runs', 0)}/{p.get('runs', 0)} ({s.get('contaminated_kept', 0)}/{p.get('contaminated_kept', 0)}) |")
    out += ["", "### decoding, sentences/s (medians; s2s / peer / ratio)", "",
            "| shape | thr | greedy b64 | beam5 b64 | greedy b1 | beam5 b1 |", "|---|---|---|---|---|---|"]
    for key, r in rows.items():
        cells = []
        for k in DECODE_KINDS:
            s, p = r.get("s2s", {}).get(k), r.get("peer", {}).get(k)
            cells.append(f"{fmt(s)} / {fmt(p)} / {ratio(r, k)}")
        out.append(f"| {r['config']} | {r['threads']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def load_runs(out_dir):
    """The per-run JSON files a previous run left in out_dir."""
    import glob
    runs = {}
    for fn in sorted(glob.glob(os.path.join(out_dir, "*_t*_*_r*.json"))):
        cfg, t, impl = os.path.basename(fn).split("_")[:3]
        with open(fn) as f:
            runs.setdefault((cfg, int(t[1:])), {}).setdefault(impl, []).append(json.load(f))
    return runs


def interleaved_runs(a, names, table, measure):
    """a.reps repetitions of every named configuration at every thread count,
    the implementations' order alternating per repetition; each run's figures
    also go to <a.out>/<name>_t<T>_<impl>_r<rep>.json. Returns
    {(name, T): {impl: [run, ...]}}."""
    runs = {}
    for rep in range(a.reps):
        for name in names:
            for T in a.threads:
                label = f"{name}_t{T} rep{rep}"
                order = a.impls if rep % 2 == 0 else list(reversed(a.impls))
                for impl in order:
                    r = measure(a, impl, table[name], T, label)
                    runs.setdefault((name, T), {}).setdefault(impl, []).append(r)
                    with open(os.path.join(a.out, f"{name}_t{T}_{impl}_r{rep}.json"), "w") as f:
                        json.dump(r, f, indent=1)
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--impls", nargs="+", default=["s2s", "peer"], choices=["s2s", "peer"])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--peer-dir", default=os.path.normpath(os.path.join(REPO, "..", "shared", "bench")))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "speed"))
    ap.add_argument("--decode-sents", type=int, default=128)
    ap.add_argument("--decode-sents-b1", type=int, default=8)
    ap.add_argument("--no-decode", action="store_true")
    ap.add_argument("--quiet-wait", type=float, default=120)
    ap.add_argument("--max-other", type=float, default=0.15)
    ap.add_argument("--max-tries", type=int, default=3)
    ap.add_argument("--summarize-only", action="store_true",
                    help="print the table again from the JSON files of a previous run in --out")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    os.makedirs(a.out, exist_ok=True)
    if a.no_decode:
        a.decode_sents = a.decode_sents_b1 = 0
    if a.summarize_only:
        with open(os.path.join(a.out, "summary.json")) as f:
            prev = json.load(f)
        peaks = {int(t): d for t, d in prev["sgemm"].items()}
        runs = load_runs(a.out)
        order = {c: i for i, c in enumerate(CONFIGS)}
        runs = dict(sorted(runs.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])))
        rows = summarize(runs, peaks, a)
        text = table(rows, peaks, prev["meta"])
        print(text)
        with open(os.path.join(a.out, "table.md"), "w") as f:
            f.write(text + "\n")
        return
    load0 = open("/proc/loadavg").read().split()[:3]
    t0 = time.time()
    peaks = sgemm_peak(a.threads)
    for T, d in peaks.items():
        print(f"sgemm peak, {T} thread(s): {d['best_gflops']} GFLOP/s (median {d['median_gflops']}, {d['corename']})",
              flush=True)
    runs = interleaved_runs(a, a.configs, CONFIGS, measure)
    rows = summarize(runs, peaks, a)
    meta = {"load": f"loadavg at start {' '.join(load0)}, at end {' '.join(open('/proc/loadavg').read().split()[:3])}; "
                    f"{round(time.time() - t0)} s",
            "python": platform.python_version(), "argv": sys.argv}
    text = table(rows, peaks, meta)
    print("\n" + text)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"meta": meta, "sgemm": peaks, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
