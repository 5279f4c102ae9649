#!/usr/bin/env python3
"""The Python binding's overhead: sentences/s of Translator.translate_batch
against `s2s translate` on the same 1,000 sentences, model and options
(issue 20 asks for >= 0.95x). Run on a quiet machine, from the repository
root, with the package installed (pip install .) in the running Python:

    python bench/python_overhead.py --model run/g2p [--cli build/s2s] [--beam 5] [--threads 2] [--repeats 5]

Input: the first 1,000 sources of data/g2p.train.tsv (or --input FILE). Each
side runs --repeats times and keeps its best time; the program's time includes
its start and model loading, so a run with --beam 1 also reports them alone
(an empty input) for reference. Prints a Markdown table row for bench/RESULTS.md.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

import s2s

REPO = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model directory")
    ap.add_argument("--cli", default=str(REPO / "build" / "s2s"), help="the s2s program")
    ap.add_argument("--input", default=str(REPO / "data" / "g2p.train.tsv"), help="sources (first TSV column)")
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()

    lines = Path(a.input).read_text(encoding="utf-8").splitlines()[: a.sentences]
    sources = [line.split("\t")[0] for line in lines]
    text = "".join(s + "\n" for s in sources)
    options = ["--beam", str(a.beam), "--threads", str(a.threads)]

    def cli_run(inp):
        start = time.perf_counter()
        out = subprocess.run([a.cli, "translate", "-m", a.model, *options], input=inp, capture_output=True, text=True,
                             check=True).stdout
        return time.perf_counter() - start, out

    cli_best, cli_out = min(cli_run(text) for _ in range(a.repeats))
    startup = min(cli_run("")[0] for _ in range(a.repeats))

    translator = s2s.Translator(a.model, threads=a.threads)

    def py_run():
        start = time.perf_counter()
        results = translator.translate_batch(sources, beam_size=a.beam)
        return time.perf_counter() - start, "".join(r.text + "\n" for r in results)

    py_best, py_out = min(py_run() for _ in range(a.repeats))
    if py_out != cli_out:
        sys.exit("python_overhead: the outputs differ; fix that before timing")

    n = len(sources)
    print(f"| {n} sentences, beam {a.beam}, threads {a.threads or 'all'} | program {n / cli_best:.1f} sent/s "
          f"(start + load {startup * 1000:.0f} ms; {n / max(cli_best - startup, 1e-9):.1f} sent/s without) | "
          f"translate_batch {n / py_best:.1f} sent/s | {cli_best / py_best:.3f}x |")


if __name__ == "__main__":
    main()
