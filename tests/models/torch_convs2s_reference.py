#!/usr/bin/python3
"""PyTorch reference for ConvS2S (tests/models/torch_reference_test.cc).

For each case below, builds fairseq's fconv model (Gehring et al. 2017) for
the same options from torch modules: weight-normalised nn.Linear and
nn.Conv1d (torch.nn.utils.weight_norm), the encoder's centred convolutions
over zero-masked padding, the decoder's causal ones (left padding k - 1),
GLU, the sqrt(1/2) residuals, the per-layer attention with the sqrt(m)
context scale (fairseq's AttentionLayer). Weights start random (weight_g off
the norms, biases non-zero). Runs one teacher-forced forward + backward on a
small padded batch and writes into OUT_DIR:

  <case>.weights.safetensors  every parameter under its s2s name (a
                              convolution's weight_v [out, in, k] as
                              [out, k in], column j in + c; weight_g flat)
  <case>.data.safetensors     src/src_len/tgt_in/tgt_out ids, logits [T*B, V],
                              loss [1], grad.<s2s name> for every parameter;
                              __metadata__ = the s2s model options of the case
  cases.txt                   the case names, one per line

Usage: /usr/bin/python3 torch_convs2s_reference.py OUT_DIR
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
    from torch.nn.utils import weight_norm
except ImportError:
    print("torch_convs2s_reference: python3-torch is not installed", file=sys.stderr)
    sys.exit(77)
from torch_reference import pad_batch, write_safetensors, option_text, PAD  # noqa: E402

BASE = {"type": "convs2s", "src_vocab_size": 23, "tgt_vocab_size": 19, "embedding_size": 8, "dropout": 0.0,
        "tie_target_embeddings": False, "share_embeddings": False,
        "convs2s.encoder_layers": 1, "convs2s.decoder_layers": 1, "convs2s.channels": 6,
        "convs2s.kernel_size": 3, "convs2s.max_positions": 12}

CASES = {
    "one_block_one_layer": {},
    "two_layers_kernel5_tied": {"convs2s.encoder_layers": 2, "convs2s.decoder_layers": 2, "convs2s.kernel_size": 5,
                                "tie_target_embeddings": True},
    "shared_3_layers": {"convs2s.encoder_layers": 3, "convs2s.decoder_layers": 3, "share_embeddings": True,
                        "tgt_vocab_size": 23},
}

HALF = math.sqrt(0.5)


def wn_linear(inp, out):
    m = weight_norm(nn.Linear(inp, out))
    with torch.no_grad():
        m.weight_g.mul_(torch.empty_like(m.weight_g).uniform_(0.5, 1.5))
        m.bias.uniform_(-0.3, 0.3)
    return m


def wn_conv(channels, k):
    m = weight_norm(nn.Conv1d(channels, 2 * channels, k), dim=0)
    with torch.no_grad():
        m.weight_g.mul_(torch.empty_like(m.weight_g).uniform_(0.5, 1.5))
        m.bias.uniform_(-0.3, 0.3)
    return m


class Reference(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        e, ch, k = c["embedding_size"], c["convs2s.channels"], c["convs2s.kernel_size"]
        self.k = k
        self.src_emb = nn.Embedding(c["src_vocab_size"], e, padding_idx=PAD)
        self.tgt_emb = self.src_emb if c["share_embeddings"] else nn.Embedding(c["tgt_vocab_size"], e, padding_idx=PAD)
        self.src_pos = nn.Embedding(c["convs2s.max_positions"], e)
        self.tgt_pos = nn.Embedding(c["convs2s.max_positions"], e)
        self.enc_fc1 = wn_linear(e, ch)
        self.enc_convs = nn.ModuleList([wn_conv(ch, k) for _ in range(c["convs2s.encoder_layers"])])
        self.enc_fc2 = wn_linear(ch, e)
        self.dec_fc1 = wn_linear(e, ch)
        self.dec_convs = nn.ModuleList([wn_conv(ch, k) for _ in range(c["convs2s.decoder_layers"])])
        self.in_proj = nn.ModuleList([wn_linear(ch, e) for _ in range(c["convs2s.decoder_layers"])])
        self.out_proj = nn.ModuleList([wn_linear(e, ch) for _ in range(c["convs2s.decoder_layers"])])
        self.dec_fc2 = wn_linear(ch, e)
        self.tied = c["tie_target_embeddings"] or c["share_embeddings"]
        if self.tied:
            self.output = nn.Linear(e, c["tgt_vocab_size"])
            self.output.weight = self.tgt_emb.weight
        else:
            self.output = wn_linear(e, c["tgt_vocab_size"])

    def forward(self, src, src_len, tin):
        S, B = src.shape
        T = tin.size(0)
        pad = torch.arange(S).unsqueeze(0) >= src_len.unsqueeze(1)  # [B, S], True = padding
        # Encoder (fairseq FConvEncoder), batch-first.
        e = self.src_emb(src.t()) + self.src_pos(torch.arange(S)).unsqueeze(0)
        x = self.enc_fc1(e)
        for conv in self.enc_convs:
            residual = x
            x = x.masked_fill(pad.unsqueeze(-1), 0.0)
            x = conv(F.pad(x.transpose(1, 2), ((self.k - 1) // 2, self.k // 2))).transpose(1, 2)
            x = (F.glu(x, dim=2) + residual) * HALF
        z = self.enc_fc2(x).masked_fill(pad.unsqueeze(-1), 0.0)
        y = (z + e) * HALF
        # Decoder (fairseq FConvDecoder with its AttentionLayer).
        g = self.tgt_emb(tin.t()) + self.tgt_pos(torch.arange(T)).unsqueeze(0)
        x = self.dec_fc1(g)
        m = (S - pad.sum(dim=1)).float().view(B, 1, 1)
        for conv, inp, outp in zip(self.dec_convs, self.in_proj, self.out_proj):
            residual = x
            h = F.glu(conv(F.pad(x.transpose(1, 2), (self.k - 1, 0))).transpose(1, 2), dim=2)
            d = (inp(h) + g) * HALF
            scores = torch.bmm(d, z.transpose(1, 2)).masked_fill(pad.unsqueeze(1), float("-inf"))
            a = F.softmax(scores, dim=2)
            context = torch.bmm(a, y) * (m * m.rsqrt())
            h = (outp(context) + h) * HALF
            x = (h + residual) * HALF
        x = self.dec_fc2(x)
        logits = self.output(x)  # [B, T, V]
        return logits.transpose(0, 1).reshape(T * B, -1)


def s2s_tensors(model, grad):
    """Every parameter (or its gradient) under its s2s name."""
    get = (lambda p: p.grad if p.grad is not None else torch.zeros_like(p)) if grad else (lambda p: p)
    out = {}

    def linear(name, m):
        out[f"{name}.weight_v"] = get(m.weight_v)
        out[f"{name}.weight_g"] = get(m.weight_g).reshape(-1)
        out[f"{name}.bias"] = get(m.bias)

    def conv(name, m):
        v = get(m.weight_v)  # [out, in, k] -> [out, k in]
        out[f"{name}.weight_v"] = v.permute(0, 2, 1).reshape(v.size(0), -1)
        out[f"{name}.weight_g"] = get(m.weight_g).reshape(-1)
        out[f"{name}.bias"] = get(m.bias)

    out["encoder.embedding.weight"] = get(model.src_emb.weight)
    out["encoder.positions.weight"] = get(model.src_pos.weight)
    linear("encoder.fc1", model.enc_fc1)
    for l, m in enumerate(model.enc_convs):
        conv(f"encoder.convs.{l}", m)
    linear("encoder.fc2", model.enc_fc2)
    if not model.c["share_embeddings"]:
        out["decoder.embedding.weight"] = get(model.tgt_emb.weight)
    out["decoder.positions.weight"] = get(model.tgt_pos.weight)
    linear("decoder.fc1", model.dec_fc1)
    for l, (m, i, o) in enumerate(zip(model.dec_convs, model.in_proj, model.out_proj)):
        conv(f"decoder.convs.{l}", m)
        linear(f"decoder.attention.{l}.in_projection", i)
        linear(f"decoder.attention.{l}.out_projection", o)
    linear("decoder.fc2", model.dec_fc2)
    if model.tied:
        out["decoder.output.bias"] = get(model.output.bias)
    else:
        linear("decoder.output", model.output)
    return out


def run_case(name, overrides, out_dir, seed):
    c = dict(BASE, **overrides)
    torch.manual_seed(seed)
    model = Reference(c)
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
        run_case(name, overrides, out_dir, seed=3000 + i)
    with open(os.path.join(out_dir, "cases.txt"), "w") as f:
        f.write("\n".join(CASES) + "\n")


if __name__ == "__main__":
    main()
