#!/usr/bin/python3
"""PyTorch reference for the Transformer (tests/models/transformer_torch_test.cc).

For each case below, builds the model s2s builds for the same options from
torch.nn.TransformerEncoderLayer / TransformerDecoderLayer (batch_first,
norm_first for pre-norm, a final LayerNorm per stack with pre-norm), token
embeddings scaled by sqrt(d_model) plus sinusoidal or learned positions, runs
one teacher-forced forward + backward on a small padded batch (source
padding masked as keys, causal decoder self-attention), and writes into OUT_DIR:

  <case>.weights.safetensors  every parameter under its s2s name (torch's packed
                              in_proj split into q_proj / k_proj / v_proj)
  <case>.data.safetensors     src/src_len/tgt_in/tgt_out ids, logits [T*B, V],
                              loss [1], grad.<s2s name> for every parameter;
                              __metadata__ = the s2s model options of the case
  cases.txt                   the case names, one per line

Usage: /usr/bin/python3 torch_transformer_reference.py OUT_DIR
Exits 77 when torch is not installed.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch_transformer_reference: python3-torch is not installed", file=sys.stderr)
    sys.exit(77)
from torch_reference import pad_batch, write_safetensors, option_text, PAD  # noqa: E402

BASE = {"type": "transformer", "src_vocab_size": 23, "tgt_vocab_size": 19, "embedding_size": 8, "dropout": 0.0,
        "tie_target_embeddings": False, "share_embeddings": False,
        "transformer.encoder_layers": 2, "transformer.decoder_layers": 2, "transformer.d_model": 8,
        "transformer.heads": 2, "transformer.ffn_size": 12, "transformer.activation": "relu",
        "transformer.norm": "pre", "transformer.positions": "sinusoidal", "transformer.max_positions": 16}

CASES = {
    "pre_relu": {},
    "post_relu": {"transformer.norm": "post"},
    "pre_gelu": {"transformer.activation": "gelu"},
    "post_gelu": {"transformer.norm": "post", "transformer.activation": "gelu"},
    "pre_gelu_learned_tied": {"transformer.activation": "gelu", "transformer.positions": "learned",
                              "tie_target_embeddings": True, "transformer.encoder_layers": 1},
    "post_relu_shared": {"transformer.norm": "post", "share_embeddings": True, "src_vocab_size": 23,
                         "tgt_vocab_size": 23, "transformer.decoder_layers": 3},
}


def sinusoids(length, d):
    pe = torch.zeros(length, d, dtype=torch.float64)
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    for c in range(d):
        angle = pos[:, 0] / (10000.0 ** ((c - c % 2) / d))
        pe[:, c] = torch.sin(angle) if c % 2 == 0 else torch.cos(angle)
    return pe.float()


class Reference(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d, h, ffn = c["transformer.d_model"], c["transformer.heads"], c["transformer.ffn_size"]
        pre = c["transformer.norm"] == "pre"
        kw = dict(d_model=d, nhead=h, dim_feedforward=ffn, dropout=0.0, activation=c["transformer.activation"],
                  batch_first=True, norm_first=pre)
        self.src_emb = nn.Embedding(c["src_vocab_size"], d, padding_idx=PAD)
        self.tgt_emb = self.src_emb if c["share_embeddings"] else nn.Embedding(c["tgt_vocab_size"], d,
                                                                                 padding_idx=PAD)
        self.learned = c["transformer.positions"] == "learned"
        if self.learned:
            self.src_pos = nn.Embedding(c["transformer.max_positions"], d)
            self.tgt_pos = nn.Embedding(c["transformer.max_positions"], d)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kw), c["transformer.encoder_layers"],
                                             norm=nn.LayerNorm(d) if pre else None, enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**kw), c["transformer.decoder_layers"],
                                             norm=nn.LayerNorm(d) if pre else None)
        self.output = nn.Linear(d, c["tgt_vocab_size"])
        if c["tie_target_embeddings"] or c["share_embeddings"]:
            self.output.weight = self.tgt_emb.weight
        for layer in list(self.encoder.layers) + list(self.decoder.layers):  # a non-trivial start for the biases
            for p in layer.parameters():
                if p.dim() == 1:
                    nn.init.uniform_(p, -0.3, 0.3)

    def embed(self, ids_bf, table, pos):
        d = self.c["transformer.d_model"]
        x = table(ids_bf) * math.sqrt(d)
        T = ids_bf.size(1)
        return x + (pos(torch.arange(T)).unsqueeze(0) if self.learned else sinusoids(T, d).unsqueeze(0))

    def forward(self, src, src_len, tin):
        S, B = src.shape
        T = tin.size(0)
        pad = torch.arange(S).unsqueeze(0) >= src_len.unsqueeze(1)  # [B, S], True = padding
        mem = self.encoder(self.embed(src.t(), self.src_emb, getattr(self, "src_pos", None)),
                           src_key_padding_mask=pad)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        y = self.decoder(self.embed(tin.t(), self.tgt_emb, getattr(self, "tgt_pos", None)), mem, tgt_mask=causal,
                         memory_key_padding_mask=pad)
        return self.output(y.transpose(0, 1).reshape(T * B, -1))


def s2s_tensors(model, grad):
    """Every parameter (or its gradient) under its s2s name."""
    c = model.c
    get = (lambda p: p.grad if p.grad is not None else torch.zeros_like(p)) if grad else (lambda p: p)
    out = {"encoder.embedding.weight": get(model.src_emb.weight)}
    if model.learned:
        out["encoder.positions.weight"] = get(model.src_pos.weight)

    def attention(prefix, mha):
        w, b = get(mha.in_proj_weight), get(mha.in_proj_bias)
        d = w.size(1)
        for k, name in enumerate(["q_proj", "k_proj", "v_proj"]):
            out[f"{prefix}.{name}.weight"] = w[k * d:(k + 1) * d]
            out[f"{prefix}.{name}.bias"] = b[k * d:(k + 1) * d]
        out[f"{prefix}.out_proj.weight"] = get(mha.out_proj.weight)
        out[f"{prefix}.out_proj.bias"] = get(mha.out_proj.bias)

    def module(prefix, m):
        for n, p in m.named_parameters():
            out[f"{prefix}.{n}"] = get(p)

    for l, layer in enumerate(model.encoder.layers):
        p = f"encoder.layers.{l}"
        attention(f"{p}.self_attn", layer.self_attn)
        module(f"{p}.self_attn_norm", layer.norm1)
        module(f"{p}.ffn.fc1", layer.linear1)
        module(f"{p}.ffn.fc2", layer.linear2)
        module(f"{p}.ffn_norm", layer.norm2)
    if model.encoder.norm is not None:
        module("encoder.norm", model.encoder.norm)
    if not c["share_embeddings"]:
        out["decoder.embedding.weight"] = get(model.tgt_emb.weight)
    if model.learned:
        out["decoder.positions.weight"] = get(model.tgt_pos.weight)
    for l, layer in enumerate(model.decoder.layers):
        p = f"decoder.layers.{l}"
        attention(f"{p}.self_attn", layer.self_attn)
        module(f"{p}.self_attn_norm", layer.norm1)
        attention(f"{p}.cross_attn", layer.multihead_attn)
        module(f"{p}.cross_attn_norm", layer.norm2)
        module(f"{p}.ffn.fc1", layer.linear1)
        module(f"{p}.ffn.fc2", layer.linear2)
        module(f"{p}.ffn_norm", layer.norm3)
    if model.decoder.norm is not None:
        module("decoder.norm", model.decoder.norm)
    if not (c["tie_target_embeddings"] or c["share_embeddings"]):
        out["decoder.output.weight"] = get(model.output.weight)
    out["decoder.output.bias"] = get(model.output.bias)
    return out


def run_case(name, overrides, out_dir, seed):
    c = dict(BASE, **overrides)
    torch.manual_seed(seed)
    model = Reference(c)
    model.train()  # dropout 0; keeps torch off its inference fast path
    src, src_len, tin, tout = pad_batch()
    logits = model(src, src_len, tin)
    loss = F.cross_entropy(logits, tout.reshape(-1), ignore_index=PAD)
    loss.backward()
    write_safetensors(os.path.join(out_dir, f"{name}.weights.safetensors"), s2s_tensors(model, False))
    data = {"src": src, "src_len": src_len, "tgt_in": tin, "tgt_out": tout.reshape(-1), "logits": logits,
            "loss": loss.reshape(1)}
    for k, g in s2s_tensors(model, True).items():
        data["grad." + k] = g
    meta = {k: option_text(v) for k, v in c.items() if k != "embedding_size"}
    meta["src_embedding_size"] = meta["tgt_embedding_size"] = str(c["embedding_size"])
    write_safetensors(os.path.join(out_dir, f"{name}.data.safetensors"), data, meta)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    for i, (name, overrides) in enumerate(CASES.items()):
        run_case(name, overrides, out_dir, seed=2000 + i)
    with open(os.path.join(out_dir, "cases.txt"), "w") as f:
        f.write("\n".join(CASES) + "\n")


if __name__ == "__main__":
    main()
