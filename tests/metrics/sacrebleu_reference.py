#!/usr/bin/env python3
"""Reference figures for tests/metrics/sacrebleu_compat_test.cc.

Usage: sacrebleu_reference.py MANIFEST OUTPUT

MANIFEST has one line per hypothesis set: name, flags ("pp" to score chrF++
too, else "-"), hypothesis file, then one or more reference files,
tab-separated. Every file holds one segment per line,
split on '\\n' only (no other newline translation), as the C++ test wrote it.
OUTPUT receives tab-separated records (scores printed with repr(), which
round-trips doubles exactly):

  version  <sacrebleu version>
  set      <name>
  bleu     <score> <sys_len> <ref_len> <counts,> <totals,>
  line     <sacreBLEU text line for BLEU, then chrF2, then chrF2++ (if asked)>
  chrf     <chrF2 score>
  chrfpp   <chrF2++ score>                       (if asked)
  tok      <i> <13a tokens of hypothesis i, space-joined>
  sent     <i> <sentence_bleu> <sentence_chrf>   (the first SENT_LINES only)
"""
import sys

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

SENT_LINES = 300


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    assert text.endswith("\n") or text == "", path
    return text.split("\n")[:-1]


def main():
    manifest, output = sys.argv[1], sys.argv[2]
    tok = Tokenizer13a()
    out = []
    out.append(f"version\t{sacrebleu.__version__}")
    with open(manifest, encoding="utf-8") as f:
        entries = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for name, flags, hyp_path, *ref_paths in entries:
        hyps = read_lines(hyp_path)
        refs = [read_lines(p) for p in ref_paths]
        for r in refs:
            assert len(r) == len(hyps), (name, len(r), len(hyps))
        out.append(f"set\t{name}")

        bleu = BLEU()
        b = bleu.corpus_score(hyps, refs)
        out.append("bleu\t" + "\t".join([repr(b.score), str(b.sys_len), str(b.ref_len),
                                         ",".join(map(str, b.counts)), ",".join(map(str, b.totals))]))
        out.append("line\t" + b.format(signature=str(bleu.get_signature())))

        chrf = CHRF()
        c = chrf.corpus_score(hyps, refs)
        out.append(f"chrf\t{c.score!r}")
        out.append("line\t" + c.format(signature=str(chrf.get_signature())))

        if flags == "pp":  # chrF++ is the slowest part; a few sets suffice
            chrfpp = CHRF(word_order=2)
            cpp = chrfpp.corpus_score(hyps, refs)
            out.append(f"chrfpp\t{cpp.score!r}")
            out.append("line\t" + cpp.format(signature=str(chrfpp.get_signature())))

        for i, h in enumerate(hyps):
            # BLEU._preprocess_segment: rstrip, then the tokenizer.
            out.append(f"tok\t{i}\t{tok(h.rstrip())}")
        for i in range(min(SENT_LINES, len(hyps))):
            seg_refs = [r[i] for r in refs]
            sb = sacrebleu.sentence_bleu(hyps[i], seg_refs)
            sc = sacrebleu.sentence_chrf(hyps[i], seg_refs)
            out.append(f"sent\t{i}\t{sb.score!r}\t{sc.score!r}")

    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
