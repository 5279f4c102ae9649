#!/usr/bin/python3
"""PyTorch peer of the s2s Transformer, as a competent PyTorch user writes it.

    /usr/bin/python3 bench/peer_torch_transformer.py [--shape base|small] [--threads 1] [--steps 10] ...

The model (the one s2s builds for model.type: transformer, see
tests/models/torch_transformer_reference.py for the parameter mapping):
    token embedding * sqrt(d) + sinusoidal positions (s2s's layout: column 2i
    sin, 2i+1 cos), dropout
    nn.TransformerEncoder / nn.TransformerDecoder of nn.TransformerEncoderLayer /
    nn.TransformerDecoderLayer (batch_first=True, norm_first=True for pre-norm
    with a final LayerNorm per stack, dropout on residuals, attention weights
    and the feed-forward activation), source padding masked, causal decoder
    self-attention
    nn.Linear output layer
Training: Adam (lr 1e-3), nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=PAD),
clip_grad_norm_ 1.0; the synthetic data of the RNN peer
(/work/shared/bench/peer_torch_seq2seq.py): uniform random ids in [3, V),
--src-len source tokens, --tgt-len target tokens incl. EOS, 4 batches cycled,
--warmup untimed steps then --steps timed steps. Reports target tokens/s,
ms/step and peak RSS.

Decoding (model.eval(), torch.no_grad()): greedy and beam search, batched
(--decode-batch) and at batch 1; as in the RNN peer every hypothesis runs
exactly --decode-max-len steps (default --tgt-len) unless --decode-stop-eos,
so the work does not depend on the untrained weights. --decode-mode:
  cache  (default) incremental decoding with a key/value cache, as fairseq and
         OpenNMT-py do: every step runs each decoder layer's sub-layers on the
         new position only, using the layers' own weights (in_proj split into
         q/k/v); self-attention keys/values are appended per layer, the
         cross-attention keys/values are projected once per sentence; beam
         search reorders the caches with index_select.
  prefix the PyTorch tutorial's way: re-run nn.TransformerDecoder on the whole
         prefix every step and keep the last position.
--check-decode compares the two modes' greedy outputs and step logits on a
few sentences (they must agree) and exits.

Thread count: torch.set_num_threads(--threads), one inter-op thread; run it in
the RNN peer's "tuned" environment (LD_PRELOAD tcmalloc, the OpenMP OpenBLAS:
bench/run_transformer_speed.py sets it). Prints one JSON object.

Shapes (--shape sets the defaults, each flag overrides):
  base   6+6 layers, d 512, 8 heads, ffn 2048, V 8000, batch 64 x 25+25 tokens
  small  3+3 layers, d 256, 4 heads, ffn 1024, V 8000, batch 64 x 25+25 tokens
"""
import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

SHAPES = {
    "base": dict(layers=6, d_model=512, heads=8, ffn=2048),
    "small": dict(layers=3, d_model=256, heads=4, ffn=1024),
}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=list(SHAPES), default="small")
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--src-vocab", type=int, default=None)
    ap.add_argument("--tgt-vocab", type=int, default=None)
    ap.add_argument("--layers", type=int, default=None, help="encoder and decoder layers")
    ap.add_argument("--enc-layers", type=int, default=None)
    ap.add_argument("--dec-layers", type=int, default=None)
    ap.add_argument("--d-model", type=int, default=None)
    ap.add_argument("--heads", type=int, default=None)
    ap.add_argument("--ffn", type=int, default=None)
    ap.add_argument("--activation", choices=["relu", "gelu"], default="relu")
    ap.add_argument("--norm", choices=["pre", "post"], default="pre")
    ap.add_argument("--dropout", type=float, default=0.1, help="residual, embedding, attention and ffn dropout")
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--src-len", type=int, default=25)
    ap.add_argument("--tgt-len", type=int, default=25, help="target tokens per sentence incl. EOS")
    ap.add_argument("--steps", type=int, default=10, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed warm-up steps")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--decode-sents", type=int, default=128, help="batched decoding sentences (0 = skip)")
    ap.add_argument("--decode-batch", type=int, default=64)
    ap.add_argument("--decode-sents-b1", type=int, default=8, help="batch-1 decoding sentences (0 = skip)")
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--decode-max-len", type=int, default=None, help="decoded tokens incl. EOS (default --tgt-len)")
    ap.add_argument("--decode-stop-eos", action="store_true")
    ap.add_argument("--decode-mode", choices=["cache", "prefix"], default="cache")
    ap.add_argument("--check-decode", action="store_true",
                    help="compare cache and prefix decoding on a few sentences and exit")
    a = ap.parse_args(argv)
    for k, v in SHAPES[a.shape].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.enc_layers = a.enc_layers or a.layers
    a.dec_layers = a.dec_layers or a.layers
    a.src_vocab = a.src_vocab or a.vocab
    a.tgt_vocab = a.tgt_vocab or a.vocab
    a.decode_max_len = a.decode_max_len or a.tgt_len
    return a


ARGS = parse_args()
# As in the RNN peer: Debian's torch calls OpenBLAS, whose pool torch.set_num_threads
# does not bound, so bound it before torch loads it.
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PAD, BOS, EOS = 0, 1, 2
FIRST_TOKEN = 3


def sinusoids(length, d):
    """s2s's positions: column 2i sin(p / 10000^(2i/d)), column 2i+1 cos of the same."""
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    col = torch.arange(d)
    angle = pos / torch.pow(10000.0, ((col - col % 2).double() / d)).unsqueeze(0)
    return torch.where(col % 2 == 0, torch.sin(angle), torch.cos(angle)).float()


class Transformer(nn.Module):
    def __init__(self, a, max_positions=1024):
        super().__init__()
        d = a.d_model
        self.d, self.heads, self.pre = d, a.heads, a.norm == "pre"
        kw = dict(d_model=d, nhead=a.heads, dim_feedforward=a.ffn, dropout=a.dropout, activation=a.activation,
                  batch_first=True, norm_first=self.pre)
        self.src_emb = nn.Embedding(a.src_vocab, d, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(a.tgt_vocab, d, padding_idx=PAD)
        self.register_buffer("pe", sinusoids(max_positions, d), persistent=False)
        self.drop = nn.Dropout(a.dropout)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kw), a.enc_layers,
                                             norm=nn.LayerNorm(d) if self.pre else None, enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**kw), a.dec_layers,
                                             norm=nn.LayerNorm(d) if self.pre else None)
        self.out = nn.Linear(d, a.tgt_vocab)
        self.loss = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=a.label_smoothing)
        self._causal = {}

    def embed(self, ids, table, start=0):  # ids [B, L]
        return self.drop(table(ids) * math.sqrt(self.d) + self.pe[start:start + ids.size(1)])

    def causal(self, T):
        if T not in self._causal:
            self._causal[T] = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        return self._causal[T]

    def encode(self, src, pad):  # src [B, S], pad [B, S] True = padding
        return self.encoder(self.embed(src, self.src_emb), src_key_padding_mask=pad)

    def forward(self, src, pad, tin, tout):
        mem = self.encode(src, pad)
        y = self.decoder(self.embed(tin, self.tgt_emb), mem, tgt_mask=self.causal(tin.size(1)),
                         memory_key_padding_mask=pad)
        logits = self.out(y)
        return self.loss(logits.view(-1, logits.size(-1)), tout.reshape(-1))

    # ---- incremental decoding. A state is a dict of tensors whose dim 0 is the row.
    def start(self, src, pad, mode, K=1):
        mem = self.encode(src, pad)
        if K > 1:
            mem, pad = mem.repeat_interleave(K, 0), pad.repeat_interleave(K, 0)
        N = mem.size(0)
        bias = torch.zeros(pad.shape).masked_fill(pad, float("-inf"))[:, None, None, :]  # [N, 1, 1, S]
        st = {"mem": mem, "pad": pad, "bias": bias, "ys": torch.empty((N, 0), dtype=torch.long)}
        if mode == "cache":
            for l, layer in enumerate(self.decoder.layers):
                st[f"ck{l}"] = self._heads(self._proj(layer.multihead_attn, mem, 1))
                st[f"cv{l}"] = self._heads(self._proj(layer.multihead_attn, mem, 2))
                st[f"sk{l}"] = mem.new_empty((N, self.heads, 0, self.d // self.heads))
                st[f"sv{l}"] = mem.new_empty((N, self.heads, 0, self.d // self.heads))
        return st

    @staticmethod
    def reorder(st, idx):
        return {k: v.index_select(0, idx) for k, v in st.items()}

    def step(self, st, y, mode):
        """Feeds tokens y [N]; returns logits [N, V] for the next position and the new state."""
        st = dict(st)
        t = st["ys"].size(1)
        st["ys"] = torch.cat([st["ys"], y.unsqueeze(1)], 1)
        if mode == "prefix":
            T = t + 1
            h = self.decoder(self.embed(st["ys"], self.tgt_emb), st["mem"], tgt_mask=self.causal(T),
                             memory_key_padding_mask=st["pad"])
            return self.out(h[:, -1]), st
        x = self.embed(y.unsqueeze(1), self.tgt_emb, start=t)  # [N, 1, d]
        for l, layer in enumerate(self.decoder.layers):
            sa = layer.self_attn
            h = layer.norm1(x) if self.pre else x
            st[f"sk{l}"] = torch.cat([st[f"sk{l}"], self._heads(self._proj(sa, h, 1))], 2)
            st[f"sv{l}"] = torch.cat([st[f"sv{l}"], self._heads(self._proj(sa, h, 2))], 2)
            a = self._attend(sa, self._heads(self._proj(sa, h, 0)), st[f"sk{l}"], st[f"sv{l}"], None)
            x = x + a if self.pre else layer.norm1(x + a)
            ca = layer.multihead_attn
            h = layer.norm2(x) if self.pre else x
            a = self._attend(ca, self._heads(self._proj(ca, h, 0)), st[f"ck{l}"], st[f"cv{l}"], st["bias"])
            x = x + a if self.pre else layer.norm2(x + a)
            h = layer.norm3(x) if self.pre else x
            f = layer.linear2(layer.activation(layer.linear1(h)))
            x = x + f if self.pre else layer.norm3(x + f)
        if self.decoder.norm is not None:
            x = self.decoder.norm(x)
        return self.out(x[:, 0]), st

    def _proj(self, mha, x, k):  # k: 0 query, 1 key, 2 value rows of the packed in_proj
        d = self.d
        return F.linear(x, mha.in_proj_weight[k * d:(k + 1) * d], mha.in_proj_bias[k * d:(k + 1) * d])

    def _heads(self, x):  # [N, L, d] -> [N, H, L, d/H]
        N, L, _ = x.shape
        return x.view(N, L, self.heads, self.d // self.heads).transpose(1, 2)

    def _attend(self, mha, q, k, v, bias):  # q [N, H, 1, hd]
        scores = torch.matmul(q * (q.size(-1) ** -0.5), k.transpose(-1, -2))
        if bias is not None:
            scores = scores + bias
        ctx = torch.matmul(torch.softmax(scores, -1), v)  # [N, H, 1, hd]
        return mha.out_proj(ctx.transpose(1, 2).reshape(q.size(0), 1, self.d))

    @torch.no_grad()
    def greedy(self, src, pad, max_len, stop_eos, mode, return_logits=False):
        st = self.start(src, pad, mode)
        B = src.size(0)
        y = torch.full((B,), BOS, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        out, logs = [], []
        for _ in range(max_len):
            logits, st = self.step(st, y, mode)
            logs.append(logits)
            y = logits.argmax(1)
            if stop_eos:
                y = y.masked_fill(done, PAD)
                done |= y == EOS
            out.append(y)
            if stop_eos and bool(done.all()):
                break
        hyp = torch.stack(out, 1)
        return (hyp, torch.stack(logs, 1)) if return_logits else hyp

    @torch.no_grad()
    def beam_search(self, src, pad, K, max_len, stop_eos, mode):
        B, V = src.size(0), self.out.out_features
        st = self.start(src, pad, mode, K)
        y = torch.full((B * K,), BOS, dtype=torch.long)
        scores = torch.full((B, K), float("-inf"))
        scores[:, 0] = 0.0
        done = torch.zeros(B * K, dtype=torch.bool)
        lengths = torch.zeros(B * K)
        hist = torch.empty((B * K, 0), dtype=torch.long)
        base = (torch.arange(B) * K).unsqueeze(1)
        for _ in range(max_len):
            logits, st = self.step(st, y, mode)
            logp = torch.log_softmax(logits, 1)
            if stop_eos and bool(done.any()):
                logp[done] = float("-inf")
                logp[done, PAD] = 0.0
            cand = (scores.unsqueeze(2) + logp.view(B, K, V)).view(B, K * V)
            scores, idx = cand.topk(K, dim=1)
            src_beam = (idx // V + base).view(-1)
            y = (idx % V).view(-1)
            st = self.reorder(st, src_beam)
            hist = torch.cat([hist.index_select(0, src_beam), y.unsqueeze(1)], 1)
            done = done.index_select(0, src_beam)
            lengths = lengths.index_select(0, src_beam) + (~done).float()
            if stop_eos:
                done = done | (y == EOS)
                if bool(done.all()):
                    break
        final = scores.view(-1) / lengths.clamp(min=1)
        best = final.view(B, K).argmax(1) + base.squeeze(1)
        return hist.index_select(0, best)


def synthetic_batch(g, B, S, T, src_vocab, tgt_vocab):
    """The RNN peer's data, batch-first: fixed lengths, T target tokens incl. EOS."""
    src = torch.randint(FIRST_TOKEN, src_vocab, (S, B), generator=g).t().contiguous()
    body = torch.randint(FIRST_TOKEN, tgt_vocab, (T - 1, B), generator=g)
    tin = torch.cat([torch.full((1, B), BOS, dtype=torch.long), body], 0).t().contiguous()
    tout = torch.cat([body, torch.full((1, B), EOS, dtype=torch.long)], 0).t().contiguous()
    return src, torch.zeros((B, S), dtype=torch.bool), tin, tout


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6]


class Meter:
    """wall time and the cores' worth of CPU *other* processes used meanwhile."""
    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self):
        self.w0, self.c0, self.b0 = time.perf_counter(), time.process_time(), busy_ticks()

    def read(self):
        wall = time.perf_counter() - self.w0
        cpu = time.process_time() - self.c0
        busy = (busy_ticks() - self.b0) / self.HZ
        return {"wall_s": round(wall, 3), "own_cpu_per_wall": round(cpu / wall, 3),
                "other_cores": round(max(0.0, busy - cpu) / wall, 3)}


def train(a, model, opt):
    g = torch.Generator().manual_seed(a.seed)
    fixed = [synthetic_batch(g, a.batch, a.src_len, a.tgt_len, a.src_vocab, a.tgt_vocab) for _ in range(4)]
    model.train()
    step_ms, tokens, losses, meter = [], 0, [], None
    for i in range(a.warmup + a.steps):
        src, pad, tin, tout = fixed[i % len(fixed)]
        if i == a.warmup:
            meter = Meter()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(src, pad, tin, tout)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        dt = time.perf_counter() - t0
        losses.append(round(loss.item(), 4))
        if i >= a.warmup:
            step_ms.append(dt * 1e3)
            tokens += int((tout != PAD).sum())
    m = meter.read()
    return {"tgt_tokens_per_s": round(tokens / m["wall_s"], 1),
            "ms_per_step_median": round(statistics.median(step_ms), 2),
            "ms_per_step_min": round(min(step_ms), 2), "timed_steps": a.steps,
            "tgt_tokens_per_step": tokens / a.steps, "wall_s": m["wall_s"],
            "own_cpu_per_wall": m["own_cpu_per_wall"], "other_cores": m["other_cores"],
            "loss_first_last": [losses[0], losses[-1]], "peak_rss_mb_after_train": round(rss_mb(), 1)}


def decode(a, model):
    model.eval()
    gd = torch.Generator().manual_seed(a.seed + 1)

    def batches(bs, n):
        out = []
        for i in range(0, n, bs):
            b = min(bs, n - i)
            out.append((torch.randint(FIRST_TOKEN, a.src_vocab, (b, a.src_len), generator=gd),
                        torch.zeros((b, a.src_len), dtype=torch.bool)))
        return out

    def run(kind, src, pad):
        if kind == "greedy":
            return model.greedy(src, pad, a.decode_max_len, a.decode_stop_eos, a.decode_mode)
        return model.beam_search(src, pad, a.beam, a.decode_max_len, a.decode_stop_eos, a.decode_mode)

    def timed(kind, bs, n):
        if n <= 0:
            return None
        bb = batches(bs, n)
        run(kind, *bb[0])  # warm-up
        sents = toks = 0
        meter = Meter()
        for src, pad in bb:
            hyp = run(kind, src, pad)
            sents += hyp.size(0)
            toks += int((hyp != PAD).sum())
        m = meter.read()
        return {"sentences": sents, "decode_batch": bs, "sentences_per_s": round(sents / m["wall_s"], 2),
                "tokens_per_s": round(toks / m["wall_s"], 1), "ms_per_sentence": round(m["wall_s"] / sents * 1e3, 3),
                "out_tokens": toks, "other_cores": m["other_cores"]}

    return {"mode": a.decode_mode, "max_len": a.decode_max_len, "stop_at_eos": a.decode_stop_eos, "beam": a.beam,
            "greedy": timed("greedy", a.decode_batch, a.decode_sents),
            "beam_search": timed("beam", a.decode_batch, a.decode_sents),
            "greedy_b1": timed("greedy", 1, a.decode_sents_b1),
            "beam_search_b1": timed("beam", 1, a.decode_sents_b1)}


def check_decode(a, model):
    """Cache and prefix decoding of the same sentences (some padded) must agree."""
    model.eval()
    g = torch.Generator().manual_seed(a.seed + 2)
    B, S = 4, a.src_len
    src = torch.randint(FIRST_TOKEN, a.src_vocab, (B, S), generator=g)
    pad = torch.arange(S).unsqueeze(0) >= torch.tensor([S, S - 1, max(1, S // 2), 2]).unsqueeze(1)
    src = src.masked_fill(pad, PAD)
    hc, lc = model.greedy(src, pad, a.decode_max_len, False, "cache", return_logits=True)
    hp, lp = model.greedy(src, pad, a.decode_max_len, False, "prefix", return_logits=True)
    bc = model.beam_search(src, pad, a.beam, a.decode_max_len, False, "cache")
    bp = model.beam_search(src, pad, a.beam, a.decode_max_len, False, "prefix")
    diff = float((lc - lp).abs().max())
    ok = bool(torch.equal(hc, hp)) and bool(torch.equal(bc, bp)) and diff < 1e-3
    return {"check_decode": {"greedy_equal": bool(torch.equal(hc, hp)), "beam_equal": bool(torch.equal(bc, bp)),
                             "max_abs_logit_diff": diff, "ok": ok}}


def main():
    a = ARGS
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(a.seed)
    model = Transformer(a)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    res = {"impl": "torch", "config": vars(a), "params": sum(p.numel() for p in model.parameters()),
           "info": {"python": platform.python_version(), "torch": torch.__version__,
                    "torch_threads": torch.get_num_threads(),
                    "env": {k: os.environ.get(k, "(unset)") for k in ("LD_PRELOAD", "LD_LIBRARY_PATH",
                                                                      "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
                    "loadavg_at_start": open("/proc/loadavg").read().split()[:3]}}
    if a.check_decode:
        res.update(check_decode(a, model))
        print(json.dumps(res, indent=1))
        sys.exit(0 if res["check_decode"]["ok"] else 1)
    res["train"] = train(a, model, opt)
    res["decode"] = decode(a, model)
    res["peak_rss_mb"] = round(rss_mb(), 1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
