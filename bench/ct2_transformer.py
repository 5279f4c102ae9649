#!/usr/bin/env python3
"""s2s Transformer against CTranslate2: convert, decode both, compare.

    PY=$(bash bench/ct2_env.sh)
    $PY bench/ct2_transformer.py --model MODEL_DIR --input SOURCE.txt [--s2s build/s2s]
        [--ct2-dir OUT] [--max-length 50] [--beams 1 4] [--threads 1] [--batch 32] [--compute-type float32|int8]
        [--out RESULT.json]

1. Converts the s2s model directory (model.safetensors, config.yaml,
   src.vocab / tgt.vocab) into a CTranslate2 model (--ct2-dir, default
   MODEL_DIR/ct2) through ctranslate2.specs.TransformerSpec, filled the way
   CTranslate2's OpenNMT-py and fairseq converters fill it:
     - pre-norm (a final LayerNorm per stack) or post-norm, ReLU or GELU (erf),
       layer norm epsilon 1e-5 (torch's, which s2s uses);
     - embeddings scaled by sqrt(d_model) (scale_embeddings);
     - positions given explicitly as a table (position_encodings.encodings):
       s2s's sinusoids interleave sin (column 2i) and cos (column 2i+1) with
       frequencies 10000^(-2i/d), which is not CTranslate2's built-in
       [sin | cos] layout; learned positions are copied;
     - q/k/v projections fused as CTranslate2 wants them (self-attention one
       [3d, d] linear, cross-attention q alone and k/v fused);
     - tied output (tie_target_embeddings) and shared embeddings
       (share_embeddings) resolved to the table they point to;
     - vocabularies from the s2s vocabulary files (src.vocab and tgt.vocab, or
       shared.vocab under data.shared_vocab; token<TAB>count, reserved
       <pad> <s> </s> <unk> first, \\ \t \n \r escapes), decoder start <s>.
   Relative positions (Shaw et al.) are refused: CTranslate2 drops absolute
   positions with them and shares keys and values, s2s does neither.
2. Tokenizes the input as the model's config says (word: split on spaces;
   char: every character; spm is not supported here), appending </s> to the
   source when the model was trained with data.src_eos.
3. Decodes with `s2s translate` and with ctranslate2.Translator for each
   beam size (default greedy and 4), with the same settings: max length N
   output tokens (</s> not counted; --max-length-ratio 0), length penalty
   "average" = CTranslate2's length_penalty 1, one hypothesis.
4. Reports per beam: sentences whose token sequence is identical, how close
   the scores of those are (both: summed log-probability / length), the
   first few differences, each side's sentences/s (wall time of the decoding
   only: s2s's own --verbose figure, and translate_batch's time) and each
   side's peak RSS (CTranslate2 runs in a process of its own for that).

--compute-type int8 decodes both in 8 bits (s2s `--compute-type int8`,
CTranslate2 `compute_type="int8"`): weights quantized per row at load on
both sides, activations per row at each product; the two round differently,
so the identity figures then say how often two int8 implementations agree,
not whether the conversion is right (that is float32's check).

Exit status 0 when it ran; the identity figures are in the output (and in
--out as JSON). It decides nothing by itself.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

import ctranslate2
from ctranslate2.specs import common_spec, transformer_spec

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, d in header.items():
        if name == "__metadata__":
            continue
        a, b = d["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DTYPES[d["dtype"]]).reshape(d["shape"]).astype(np.float32)
    return out


def read_vocab(path):
    """Tokens of an s2s vocabulary file, in id order (escapes undone)."""
    esc = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
    tokens = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if "\t" not in line:
                sys.exit(f"{path}:{n}: expected token<TAB>count")
            tok = line.rsplit("\t", 1)[0]
            tokens.append(re.sub(r"\\[\\tnr]", lambda m: esc[m.group(0)], tok))
    if tokens[:4] != ["<pad>", "<s>", "</s>", "<unk>"]:
        sys.exit(f"{path}: the first four tokens must be <pad> <s> </s> <unk>")
    return tokens


def sinusoids(length, d):
    """s2s's table: column 2i sin(p / 10000^(2i/d)), column 2i+1 cos of the same."""
    pos = np.arange(length, dtype=np.float64)[:, None]
    col = np.arange(d)
    angle = pos / np.power(10000.0, (col - col % 2) / d)[None, :]
    return np.where(col % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)


def model_options(model_dir):
    with open(os.path.join(model_dir, "config.yaml")) as f:
        cfg = yaml.safe_load(f)
    m = cfg["model"]
    if m.get("type") != "transformer":
        sys.exit(f"{model_dir}/config.yaml: model.type is {m.get('type')!r}, expected transformer")
    return cfg, m, m["transformer"]


def convert(model_dir, out_dir, max_positions):
    cfg, m, t = model_options(model_dir)
    if int(t.get("relative_positions", 0)):
        sys.exit("model.transformer.relative_positions: not convertible (CTranslate2 drops absolute positions "
                 "with relative ones and shares key and value vectors)")
    w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    d = int(t["d_model"])
    pre = t["norm"] == "pre"
    act = {"relu": common_spec.Activation.RELU, "gelu": common_spec.Activation.GELU}[t["activation"]]
    spec = transformer_spec.TransformerSpec.from_config(
        (int(t["encoder_layers"]), int(t["decoder_layers"])), int(t["heads"]), pre_norm=pre, activation=act)
    spec.config.layer_norm_epsilon = 1e-5
    spec.config.decoder_start_token = "<s>"

    def linear(ls, name):
        ls.weight = w[name + ".weight"]
        if name + ".bias" in w:
            ls.bias = w[name + ".bias"]

    def fused(ls, prefix, parts):
        ls.weight = np.concatenate([w[f"{prefix}.{p}.weight"] for p in parts])
        ls.bias = np.concatenate([w[f"{prefix}.{p}.bias"] for p in parts])

    def norm(ns, name):
        ns.gamma = w[name + ".weight"]
        ns.beta = w[name + ".bias"]

    def positions(stack, ps):
        if t["positions"] == "learned":
            ps.encodings = w[f"{stack}.positions.weight"]
        else:
            ps.encodings = sinusoids(max_positions, d)

    def self_attention(spec_attn, p):
        fused(spec_attn.linear[0], f"{p}.self_attn", ["q_proj", "k_proj", "v_proj"])
        linear(spec_attn.linear[1], f"{p}.self_attn.out_proj")
        norm(spec_attn.layer_norm, f"{p}.self_attn_norm")

    def feed_forward(spec_ffn, p):
        linear(spec_ffn.linear_0, f"{p}.ffn.fc1")
        linear(spec_ffn.linear_1, f"{p}.ffn.fc2")
        norm(spec_ffn.layer_norm, f"{p}.ffn_norm")

    src_emb = w["encoder.embedding.weight"]
    tgt_emb = w.get("decoder.embedding.weight", src_emb)  # share_embeddings: one table
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = src_emb
    enc.scale_embeddings = True
    positions("encoder", enc.position_encodings)
    for i, layer in enumerate(enc.layer):
        p = f"encoder.layers.{i}"
        self_attention(layer.self_attention, p)
        feed_forward(layer.ffn, p)
    if pre:
        norm(enc.layer_norm, "encoder.norm")
    dec.embeddings.weight = tgt_emb
    dec.scale_embeddings = True
    positions("decoder", dec.position_encodings)
    for i, layer in enumerate(dec.layer):
        p = f"decoder.layers.{i}"
        self_attention(layer.self_attention, p)
        linear(layer.attention.linear[0], f"{p}.cross_attn.q_proj")
        fused(layer.attention.linear[1], f"{p}.cross_attn", ["k_proj", "v_proj"])
        linear(layer.attention.linear[2], f"{p}.cross_attn.out_proj")
        norm(layer.attention.layer_norm, f"{p}.cross_attn_norm")
        feed_forward(layer.ffn, p)
    if pre:
        norm(dec.layer_norm, "decoder.norm")
    dec.projection.weight = w.get("decoder.output.weight", tgt_emb)  # tied: the target embedding
    dec.projection.bias = w["decoder.output.bias"]

    shared = bool(cfg["data"].get("shared_vocab"))  # one file, shared.vocab, for both sides
    src_vocab = read_vocab(os.path.join(model_dir, "shared.vocab" if shared else "src.vocab"))
    tgt_vocab = read_vocab(os.path.join(model_dir, "shared.vocab" if shared else "tgt.vocab"))
    if len(src_vocab) != src_emb.shape[0] or len(tgt_vocab) != tgt_emb.shape[0]:
        sys.exit(f"{model_dir}: vocabulary sizes {len(src_vocab)}/{len(tgt_vocab)} do not match the embeddings "
                 f"{src_emb.shape[0]}/{tgt_emb.shape[0]}")
    spec.register_source_vocabulary(src_vocab)
    spec.register_target_vocabulary(tgt_vocab)
    spec.validate()
    spec.optimize(quantization="float32")
    os.makedirs(out_dir, exist_ok=True)
    spec.save(out_dir)
    return cfg


def tokenize(line, kind):
    if kind == "word":
        return line.split()
    if kind == "char":
        return list(line)
    sys.exit(f"data.src_tokenizer {kind}: only word and char are supported by this script")


def run_child(cmd):
    """Runs cmd; returns (stdout, stderr, wall seconds, peak RSS in MB of that process alone)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(p.pid, 0)  # reaped here, with its own rusage
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{stderr[-3000:]}")
    return stdout, stderr, wall, usage.ru_maxrss / 1024


def run_s2s(a, beam, inp, out):
    cmd = [a.s2s, "translate", "-m", a.model, "--input", inp, "--output", out, "--beam", str(beam),
           "--batch", str(a.batch), "--max-length", str(a.max_length), "--max-length-ratio", "0",
           "--length-penalty", "average", "--threads", str(a.threads), "--format", "json", "--verbose",
           "--compute-type", {"float32": "fp32", "int8": "int8"}[a.compute_type]]
    _, err, wall, rss = run_child(cmd)
    m = re.search(r"([0-9.]+)\s*sentences/s", err)
    hyps, scores = [], []
    with open(out, encoding="utf-8") as f:
        for line in f:
            best = json.loads(line)["hypotheses"][0]
            hyps.append(best["tokens"])
            scores.append(best["score"])
    return hyps, scores, (float(m.group(1)) if m else None), wall, rss


def run_ct2(a, beam, src_json, out_json):
    """CTranslate2 in a process of its own, so its peak RSS is its own (not the converter's)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", a.ct2_dir, src_json, out_json, str(beam), str(a.threads),
           str(a.batch), str(a.max_length), a.compute_type]
    _, _, _, rss = run_child(cmd)
    with open(out_json, encoding="utf-8") as f:
        r = json.load(f)
    return r["hyps"], r["scores"], r["sentences_per_s"], rss


def worker(ct2_dir, src_json, out_json, beam, threads, batch, max_length, compute_type):
    with open(src_json, encoding="utf-8") as f:
        src = json.load(f)
    tr = ctranslate2.Translator(ct2_dir, device="cpu", compute_type=compute_type, inter_threads=1, intra_threads=int(threads))
    t0 = time.perf_counter()
    res = tr.translate_batch(src, beam_size=int(beam), length_penalty=1.0, max_decoding_length=int(max_length),
                             max_batch_size=int(batch), num_hypotheses=1, return_scores=True)
    secs = time.perf_counter() - t0
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"hyps": [r.hypotheses[0] for r in res], "scores": [r.scores[0] for r in res],
                   "sentences_per_s": round(len(src) / secs, 2)}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="s2s Transformer model directory")
    ap.add_argument("--input", required=True, help="source sentences, one per line (or a TSV: column 1)")
    ap.add_argument("--s2s", default=os.path.join(REPO, "build", "s2s"))
    ap.add_argument("--ct2-dir", default=None, help="converted model (default MODEL/ct2)")
    ap.add_argument("--max-length", type=int, default=50, help="output tokens, </s> not counted")
    ap.add_argument("--max-positions", type=int, default=1024, help="rows of the sinusoid table")
    ap.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--compute-type", choices=["float32", "int8"], default="float32")
    ap.add_argument("--show", type=int, default=5, help="differences shown per beam size")
    ap.add_argument("--out", default=None, help="write the result as JSON here")
    a = ap.parse_args()
    a.ct2_dir = a.ct2_dir or os.path.join(a.model, "ct2")
    cfg = convert(a.model, a.ct2_dir, a.max_positions)
    print(f"converted {a.model} -> {a.ct2_dir} (ctranslate2 {ctranslate2.__version__})", flush=True)

    data = cfg["data"]
    with open(a.input, encoding="utf-8") as f:
        lines = [line.rstrip("\n").split("\t")[0] for line in f]
    tmp = os.path.join(a.ct2_dir, "input.txt")  # s2s reads the same first column
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    src = [tokenize(line, data["src_tokenizer"]) + (["</s>"] if data.get("src_eos") else []) for line in lines]

    src_json = os.path.join(a.ct2_dir, "input.json")
    with open(src_json, "w", encoding="utf-8") as f:
        json.dump(src, f)
    result = {"model": a.model, "sentences": len(lines), "ctranslate2": ctranslate2.__version__,
              "max_length": a.max_length, "threads": a.threads, "batch": a.batch, "compute_type": a.compute_type,
              "beams": {}}
    for beam in a.beams:
        s2s_hyps, s2s_scores, s2s_sps, s2s_wall, s2s_rss = run_s2s(a, beam, tmp, os.path.join(a.ct2_dir, f"s2s.beam{beam}.json"))
        ct2_hyps, ct2_scores, ct2_sps, ct2_rss = run_ct2(a, beam, src_json, os.path.join(a.ct2_dir, f"ct2.beam{beam}.json"))
        same = [x == y for x, y in zip(s2s_hyps, ct2_hyps)]
        diffs = [{"line": i + 1, "source": lines[i], "s2s": " ".join(x), "ct2": " ".join(y)}
                 for i, (x, y) in enumerate(zip(s2s_hyps, ct2_hyps)) if x != y]
        # Scores of the identical outputs: both are the summed log-probability
        # divided by the length (length penalty "average" / 1.0).
        gaps = [abs(x - y) for x, y, eq in zip(s2s_scores, ct2_scores, same) if eq]
        r = {"identical": sum(same), "sentences": len(lines), "s2s_sentences_per_s": s2s_sps,
             "s2s_process_wall_s": round(s2s_wall, 3), "ct2_sentences_per_s": ct2_sps,
             "s2s_peak_rss_mb": round(s2s_rss, 1), "ct2_peak_rss_mb": round(ct2_rss, 1),
             "score_max_abs_diff": max(gaps) if gaps else None,
             "scores_within_1e-4": sum(g <= 1e-4 for g in gaps), "differences": diffs}
        result["beams"][beam] = r
        print(f"beam {beam}: {sum(same)}/{len(lines)} sentences token-identical; scores of those within 1e-4: "
              f"{r['scores_within_1e-4']}/{len(gaps)} (max |diff| {r['score_max_abs_diff']}); sentences/s s2s {s2s_sps} "
              f"(process {s2s_wall:.2f} s, peak RSS {s2s_rss:.0f} MB), ctranslate2 {ct2_sps} (peak RSS {ct2_rss:.0f} MB)",
              flush=True)
        for d in diffs[: a.show]:
            print(f"  line {d['line']}: {d['source']!r}\n    s2s: {d['s2s']}\n    ct2: {d['ct2']}")
        if len(s2s_hyps) != len(lines):
            print(f"  note: s2s wrote {len(s2s_hyps)} lines for {len(lines)} inputs", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 10 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:])
    else:
        main()
