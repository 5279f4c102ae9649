"""s2s.evaluate against `s2s eval --hyp --ref`: the same lines, figures and signatures."""

import s2s
from conftest import DEV, REPO, run_cli

METRICS = ["bleu", "chrf", "chrf++", "wer", "ser", "per"]


def test_evaluate_equals_the_program(cli, translator, sources, tmp_path):
    refs = [line.split("\t")[1] for line in DEV.read_text(encoding="utf-8").splitlines()]
    hyps = [r.text for r in translator.translate_batch(sources, beam_size=3)]
    (tmp_path / "hyp").write_text("".join(h + "\n" for h in hyps), encoding="utf-8")
    (tmp_path / "ref").write_text("".join(r + "\n" for r in refs), encoding="utf-8")
    out, _, _ = run_cli(cli, "eval", "--hyp", tmp_path / "hyp", "--ref", tmp_path / "ref", "--metrics", ",".join(METRICS))
    scores = s2s.evaluate(hyps, refs, METRICS)
    assert list(scores) == METRICS
    assert "".join(s.line + "\n" for s in scores.values()) == out
    bleu = scores["bleu"]
    assert bleu.name == "BLEU" and bleu.higher_is_better and bleu.signature.startswith("nrefs:1|")
    assert str(bleu) == bleu.line and float(bleu) == bleu.score
    assert not scores["wer"].higher_is_better
    # A comma-separated string works as the program's --metrics does.
    assert [s.line for s in s2s.evaluate(hyps, refs, "bleu,wer").values()] == [scores["bleu"].line, scores["wer"].line]


def test_several_reference_streams(cli, tmp_path):
    rows = [line.split("\t") for line in (REPO / "data" / "g2p.dev.refs.tsv").read_text(encoding="utf-8").splitlines()]
    hyps = [r[1] for r in rows[1:]] + ["x"]
    first = [r[1] for r in rows]
    second = [r[2] if len(r) > 2 else r[1] for r in rows]
    for name, lines in [("hyp", hyps), ("r1", first), ("r2", second)]:
        (tmp_path / name).write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    out, _, _ = run_cli(cli, "eval", "--hyp", tmp_path / "hyp", "--ref", tmp_path / "r1", "--ref", tmp_path / "r2",
                        "--metrics", "bleu,chrf,wer")
    scores = s2s.evaluate(hyps, [first, second], ["bleu", "chrf", "wer"])
    assert "".join(s.line + "\n" for s in scores.values()) == out
    assert scores["bleu"].signature.startswith("nrefs:2|")
