#!/usr/bin/env python3
"""Reads an `s2s train` log (train.log.jsonl, docs/training.md) for the recipes.

  run_log.py state LOG                  none | started | done (finished, not interrupted);
                                        started only with a checkpoint to resume from
  run_log.py field LOG EVENT KEY        KEY of the last EVENT object (e.g. done elapsed_s)
  run_log.py best LOG METRIC            METRIC at the best validation (the model kept)
  run_log.py plot OUT.svg METRIC YLABEL LABEL=LOG [LABEL=LOG ...]
                                        dev METRIC per step as an SVG line plot
  run_log.py section FILE NAME          replaces FILE's part between <!-- NAME --> and
                                        <!-- /NAME --> with stdin (appends it when absent),
                                        so each variant of a recipe rewrites only its own rows
Standard library only.
"""
import json
import os
import sys


def events(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def state(path):
    evs = events(path)
    if not evs:
        return "none"
    last = [e for e in evs if e["event"] == "done"]
    if last and last[-1] is evs[-1] and last[-1].get("reason") != "interrupted":
        return "done"
    # A run that failed before its first checkpoint has nothing to resume.
    ckpts = os.path.join(os.path.dirname(path), "checkpoints")
    if os.path.isdir(ckpts) and any(os.path.exists(os.path.join(ckpts, c, "trainer.json")) for c in os.listdir(ckpts)):
        return "started"
    return "none"


def field(path, event, key):
    found = [e for e in events(path) if e["event"] == event and key in e]
    if not found:
        sys.exit(f"run_log.py: {path}: no '{event}' event with '{key}'")
    return found[-1][key]


def best(path, metric):
    valid = [e for e in events(path) if e["event"] == "valid"]
    step = field(path, "valid", "best_step")
    for e in valid:
        if e["step"] == step:
            return e[metric]
    sys.exit(f"run_log.py: {path}: no validation at the best step {step}")


def curve(path, metric):
    # A resumed run repeats no validation, but keep the last value per step anyway.
    points = {e["step"]: e[metric] for e in events(path) if e["event"] == "valid" and e.get(metric) is not None}
    return sorted(points.items())


def plot(out, metric, ylabel, series):
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    curves = [(label, curve(path, metric)) for label, path in series]
    pts = [p for _, c in curves for p in c]
    if not pts:
        sys.exit(f"run_log.py: no '{metric}' validations to plot")
    w, h, left, right, top, bottom = 640, 400, 60, 20, 30, 50
    x0, x1 = 0, max(s for s, _ in pts)
    y0, y1 = min(v for _, v in pts), max(v for _, v in pts)
    pad = (y1 - y0) * 0.05 or 1.0
    y0, y1 = y0 - pad, y1 + pad
    sx = lambda s: left + (s - x0) / (x1 - x0 or 1) * (w - left - right)
    sy = lambda v: h - bottom - (v - y0) / (y1 - y0) * (h - top - bottom)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
           f'<text x="{(w + left) / 2}" y="{h - 12}" text-anchor="middle">training step</text>',
           f'<text x="14" y="{(h - bottom + top) / 2}" transform="rotate(-90 14 {(h - bottom + top) / 2})" '
           f'text-anchor="middle">{ylabel}</text>']
    for i in range(5):
        v = y0 + (y1 - y0) * i / 4
        s = x0 + (x1 - x0) * i / 4
        svg.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        svg.append(f'<text x="{sx(s):.1f}" y="{h - bottom + 16}" text-anchor="middle">{int(s)}</text>')
    for i, (label, c) in enumerate(curves):
        color = colors[i % len(colors)]
        line = " ".join(f"{sx(s):.1f},{sy(v):.1f}" for s, v in c)
        svg.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{line}"/>')
        svg.append(f'<text x="{left + 10}" y="{top + 14 * (i + 1)}" fill="{color}">{label}</text>')
    svg.append("</svg>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


def section(path, name, text):
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    i, j = old.find(begin), old.find(end)
    if i >= 0 and j > i:
        rest = old[j + len(end):].lstrip("\n")
        new = old[:i] + block + ("\n" + rest if rest else "")
    else:
        new = old + ("\n" if old else "") + block
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, path)


def main(argv):
    if len(argv) >= 3 and argv[1] == "state":
        print(state(argv[2]))
    elif len(argv) == 5 and argv[1] == "field":
        print(field(argv[2], argv[3], argv[4]))
    elif len(argv) == 4 and argv[1] == "best":
        print(f"{best(argv[2], argv[3]):.2f}")
    elif len(argv) >= 6 and argv[1] == "plot":
        plot(argv[2], argv[3], argv[4], [a.rsplit("=", 1) for a in argv[5:]])
    elif len(argv) == 4 and argv[1] == "section":
        section(argv[2], argv[3], sys.stdin.read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
