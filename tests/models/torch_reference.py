#!/usr/bin/python3
"""PyTorch reference for the RNN encoder-decoder (tests/models/torch_reference_test.cc).

For each case below, builds the model s2s builds for the same options (see
src/s2s/models/rnn_decoder.h for the equations) with torch's own modules and
initialisation, runs one teacher-forced forward + backward on a small padded
batch, and writes into OUT_DIR:

  <case>.weights.safetensors  every parameter, named exactly as s2s names it
  <case>.data.safetensors     src/src_len/tgt_in/tgt_out ids, logits [T*B, V],
                              loss [1], grad.<parameter> for every parameter;
                              __metadata__ = the s2s model options of the case
  cases.txt                   the case names, one per line

Usage: /usr/bin/python3 torch_reference.py OUT_DIR [--peer PATH/peer_torch_seq2seq.py]
With --peer, the bench's PyTorch peer model is loaded with the gru_bahdanau
case's weights and must give the same loss (so the s2s `bahdanau` preset and
the peer compute the same function). Exits 77 when torch is not installed.
"""
import json
import os
import struct
import sys

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
except ImportError:
    print("torch_reference: python3-torch is not installed", file=sys.stderr)
    sys.exit(77)

PAD, BOS, EOS = 0, 1, 2

BASE = dict(src_vocab_size=23, tgt_vocab_size=19, src_embedding_size=7, tgt_embedding_size=8, hidden_size=6,
            encoder_layers=1, decoder_layers=1, bidirectional=True, cell="gru", bridge="learned",
            attention="bahdanau", attention_size=5, local_window=2, input_feed=True, readout="deep",
            decoder_embedding_relu=False, dropout=0.0, tie_target_embeddings=False)

CASES = {
    # The bench peer's model (bench/peer_torch_seq2seq.py) = examples/configs/bahdanau.yaml.
    "gru_bahdanau": dict(src_embedding_size=8),  # the peer has one embedding size
    "lstm_general_tanh_2layers": dict(cell="lstm", attention="general", readout="tanh", encoder_layers=2,
                                      decoder_layers=2),
    "lstm_general_deep_copy_nofeed": dict(cell="lstm", attention="general", bidirectional=False, bridge="copy",
                                          input_feed=False),
    "rnn_relu_dot_state": dict(cell="rnn_relu", attention="dot", bidirectional=False, bridge="zeros",
                               readout="state", hidden_size=7),
    "rnn_tanh_bahdanau_tanh": dict(cell="rnn_tanh", readout="tanh", encoder_layers=2, decoder_layers=2),
    "gru_localp_tanh_2layers": dict(attention="local-p", bidirectional=False, bridge="copy", readout="tanh",
                                    encoder_layers=2, decoder_layers=2),
    # The PyTorch tutorial's plain GRU encoder-decoder (examples/configs/pytorch-gru.yaml).
    "gru_none_tutorial": dict(attention="none", bidirectional=False, bridge="copy", readout="state",
                              decoder_embedding_relu=True, hidden_size=8),
}

SOURCES = [[4, 5, 6], [7, 8, 9, 10, 11, 12, 4], [5, 9, 4, 6, 8], [20, 21, 22, 3, 13, 14]]
TARGETS = [[6, 5, 4, 7], [4, 9], [8, 6, 10, 5, 4, 7], [18, 17, 3]]


def rnn_class(cell):
    return {"gru": nn.GRU, "lstm": nn.LSTM, "rnn_tanh": nn.RNN, "rnn_relu": nn.RNN}[cell]


def make_rnn(cell, inp, hidden, layers, bidirectional):
    kw = dict(num_layers=layers, bidirectional=bidirectional)
    if cell.startswith("rnn_"):
        kw["nonlinearity"] = cell[4:]
    return rnn_class(cell)(inp, hidden, **kw)


class Attention(nn.Module):
    def __init__(self, c, mem):
        super().__init__()
        self.kind, H, A, self.D = c["attention"], c["hidden_size"], c["attention_size"] or c["hidden_size"], c["local_window"]
        if self.kind == "bahdanau":
            self.W = nn.Linear(H, A, bias=False)
            self.U = nn.Linear(mem, A, bias=True)
            self.v = nn.Linear(A, 1, bias=False)
        if self.kind in ("general", "local-p"):
            self.W_a = nn.Linear(mem, H, bias=False)
        if self.kind == "local-p":
            self.W_p = nn.Linear(H, H, bias=False)
            self.v_p = nn.Linear(H, 1, bias=False)

    def precompute(self, enc_bf):
        if self.kind == "bahdanau":
            return self.U(enc_bf)
        if self.kind in ("general", "local-p"):
            return self.W_a(enc_bf)
        return enc_bf

    def forward(self, q, keys, enc_bf, mask, src_len):
        if self.kind == "bahdanau":
            scores = self.v(torch.tanh(keys + self.W(q).unsqueeze(1))).squeeze(2)
        else:
            scores = torch.bmm(keys, q.unsqueeze(2)).squeeze(2)
        if self.kind == "local-p":
            S = enc_bf.size(1)
            p = src_len.float().unsqueeze(1) * torch.sigmoid(self.v_p(torch.tanh(self.W_p(q))))  # (B, 1)
            pos = torch.arange(S, dtype=torch.float32).unsqueeze(0)
            window = mask | ((pos - p.detach()).abs() > self.D)
            alpha = torch.softmax(scores.masked_fill(window, float("-inf")), dim=1)
            sigma = self.D / 2.0
            alpha = alpha * torch.exp(-((pos - p) ** 2) / (2 * sigma * sigma))
        else:
            alpha = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=1)
        return torch.bmm(alpha.unsqueeze(1), enc_bf).squeeze(1), alpha


class Reference(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        H, Es, Et = c["hidden_size"], c["src_embedding_size"], c["tgt_embedding_size"]
        D = 2 if c["bidirectional"] else 1
        mem = D * H
        att = c["attention"]
        if att == "none" or not c["input_feed"]:
            feed = 0
        elif att == "bahdanau":
            feed = mem
        else:
            feed = H if c["readout"] == "tanh" else mem
        self.feed = feed
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(c["src_vocab_size"], Es, padding_idx=PAD)
        self.encoder.rnn = make_rnn(c["cell"], Es, H, c["encoder_layers"], c["bidirectional"])
        self.bridge = nn.Module()
        if c["bridge"] == "learned":
            for l in range(c["decoder_layers"]):
                setattr(self.bridge, f"h_l{l}", nn.Linear(mem, H))
                if c["cell"] == "lstm":
                    setattr(self.bridge, f"c_l{l}", nn.Linear(mem, H))
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(c["tgt_vocab_size"], Et, padding_idx=PAD)
        if att != "none":
            self.decoder.attention = Attention(c, mem)
        self.decoder.rnn = make_rnn(c["cell"], Et + feed, H, c["decoder_layers"], False)
        deep = H + (mem if att != "none" else 0) + Et
        if c["readout"] == "tanh":
            self.decoder.readout = nn.Linear(deep, H)
        ro = {"state": H, "tanh": H, "deep": deep}[c["readout"]]
        self.decoder.output = nn.Linear(ro, c["tgt_vocab_size"])

    def initial_state(self, h_n, c_n, B):
        c, L = self.c, self.c["decoder_layers"]
        lstm = c["cell"] == "lstm"
        if c["bridge"] == "zeros":
            z = torch.zeros(L, B, c["hidden_size"])
            return (z, z.clone()) if lstm else z

        def learned(states, prefix):
            out = []
            for l in range(L):
                x = torch.cat([states[2 * l], states[2 * l + 1]], 1) if c["bidirectional"] else states[l]
                out.append(torch.tanh(getattr(self.bridge, f"{prefix}_l{l}")(x)))
            return torch.stack(out)

        if c["bridge"] == "copy":
            return (h_n, c_n) if lstm else h_n
        return (learned(h_n, "h"), learned(c_n, "c")) if lstm else learned(h_n, "h")

    def forward(self, src, src_len, tin):
        c = self.c
        att, lstm = c["attention"], c["cell"] == "lstm"
        S, B = src.shape
        x = self.encoder.embedding(src)
        packed = pack_padded_sequence(x, src_len, enforce_sorted=False)
        out, hn = self.encoder.rnn(packed)
        enc, _ = pad_packed_sequence(out, total_length=S)
        h_n, c_n = hn if lstm else (hn, None)
        state = self.initial_state(h_n, c_n, B)
        enc_bf = enc.transpose(0, 1).contiguous()
        mask = torch.arange(S).unsqueeze(0) >= src_len.unsqueeze(1)
        keys = self.decoder.attention.precompute(enc_bf) if att != "none" else None
        emb = self.decoder.embedding(tin)
        if c["decoder_embedding_relu"]:
            emb = F.relu(emb)
        feed_prev = torch.zeros(B, self.feed) if self.feed else None
        outs = []
        for e in emb.unbind(0):
            top = (state[0] if lstm else state)[-1]
            ctx, fed = None, None
            if att == "bahdanau":
                ctx, _ = self.decoder.attention(top, keys, enc_bf, mask, src_len)
                fed = ctx if self.feed else None
            elif self.feed:
                fed = feed_prev
            inp = torch.cat([e, fed], 1) if fed is not None else e
            o, state = self.decoder.rnn(inp.unsqueeze(0), state)
            h = o[0]
            if att not in ("none", "bahdanau"):
                ctx, _ = self.decoder.attention(h, keys, enc_bf, mask, src_len)
            if c["readout"] == "state":
                r = h
            else:
                r = torch.cat([h, ctx, e] if ctx is not None else [h, e], 1)
                if c["readout"] == "tanh":
                    r = torch.tanh(self.decoder.readout(r))
            if self.feed and att != "bahdanau":
                feed_prev = r if c["readout"] == "tanh" else ctx
            outs.append(r)
        T = tin.size(0)
        return self.decoder.output(torch.stack(outs).view(T * B, -1))


def pad_batch():
    S = max(len(x) for x in SOURCES)
    T = max(len(y) for y in TARGETS) + 1
    B = len(SOURCES)
    src = torch.full((S, B), PAD, dtype=torch.long)
    tin = torch.full((T, B), PAD, dtype=torch.long)
    tout = torch.full((T, B), PAD, dtype=torch.long)
    for b, (x, y) in enumerate(zip(SOURCES, TARGETS)):
        src[: len(x), b] = torch.tensor(x)
        tin[0, b] = BOS
        tin[1: len(y) + 1, b] = torch.tensor(y)
        tout[: len(y), b] = torch.tensor(y)
        tout[len(y), b] = EOS
    return src, torch.tensor([len(x) for x in SOURCES]), tin, tout


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype, data = "F32", t.numpy().astype("<f4").tobytes()
        else:
            dtype, data = "I32", t.to(torch.int32).numpy().astype("<i4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for data in blobs:
            f.write(data)


def option_text(v):
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def run_case(name, overrides, out_dir, seed):
    c = dict(BASE, **overrides)
    torch.manual_seed(seed)
    model = Reference(c)
    src, src_len, tin, tout = pad_batch()
    logits = model(src, src_len, tin)
    loss = F.cross_entropy(logits, tout.reshape(-1), ignore_index=PAD)
    loss.backward()
    params = dict(model.named_parameters())
    write_safetensors(os.path.join(out_dir, f"{name}.weights.safetensors"), params)
    data = {"src": src, "src_len": src_len, "tgt_in": tin, "tgt_out": tout.reshape(-1), "logits": logits,
            "loss": loss.reshape(1)}
    for k, p in params.items():
        data["grad." + k] = p.grad
    write_safetensors(os.path.join(out_dir, f"{name}.data.safetensors"), data,
                      {k: option_text(v) for k, v in c.items()})
    return model, (src, src_len, tin, tout), loss.item()


def check_peer(peer_path, model, batch, loss):
    """Loads the bench peer with the gru_bahdanau weights; its loss must match."""
    import importlib.util
    c = model.c
    sys.argv = [peer_path, "--src-vocab", str(c["src_vocab_size"]), "--tgt-vocab", str(c["tgt_vocab_size"]),
                "--emb", str(c["tgt_embedding_size"]), "--hidden", str(c["hidden_size"]),
                "--attn", str(c["attention_size"])]
    spec = importlib.util.spec_from_file_location("peer", peer_path)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    ours = dict(model.named_parameters())
    names = {"encoder.emb.weight": "encoder.embedding.weight", "bridge.weight": "bridge.h_l0.weight",
             "bridge.bias": "bridge.h_l0.bias", "tgt_emb.weight": "decoder.embedding.weight",
             "attn.W.weight": "decoder.attention.W.weight", "attn.U.weight": "decoder.attention.U.weight",
             "attn.U.bias": "decoder.attention.U.bias", "attn.v.weight": "decoder.attention.v.weight",
             "cell.weight_ih": "decoder.rnn.weight_ih_l0", "cell.weight_hh": "decoder.rnn.weight_hh_l0",
             "cell.bias_ih": "decoder.rnn.bias_ih_l0", "cell.bias_hh": "decoder.rnn.bias_hh_l0",
             "out.weight": "decoder.output.weight", "out.bias": "decoder.output.bias"}
    pm = peer.Seq2Seq(peer.ARGS)
    state = {}
    for k, v in pm.state_dict().items():
        src = names.get(k, k)  # encoder.rnn.* are named alike
        assert ours[src].shape == v.shape, (k, src, ours[src].shape, v.shape)
        state[k] = ours[src].detach()
    assert len(state) == len(ours), "the peer and the reference have different parameter sets"
    pm.load_state_dict(state)
    peer_loss = pm(*batch).item()
    print(f"torch_reference: peer loss {peer_loss:.7f}, reference {loss:.7f}", file=sys.stderr)
    if abs(peer_loss - loss) > 1e-6:
        sys.exit("torch_reference: the peer's loss differs from the reference's")


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out_dir = args[0]
    peer_path = args[args.index("--peer") + 1] if "--peer" in args else None
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    results = {}
    for i, (name, overrides) in enumerate(CASES.items()):
        results[name] = run_case(name, overrides, out_dir, seed=1000 + i)
    with open(os.path.join(out_dir, "cases.txt"), "w") as f:
        f.write("\n".join(CASES) + "\n")
    if peer_path:
        check_peer(peer_path, *results["gru_bahdanau"])


if __name__ == "__main__":
    main()
