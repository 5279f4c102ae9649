"""s2s.Translator against `s2s translate` on the same models: byte for byte."""

import numpy as np
import pytest

import s2s
from conftest import DEV, run_cli


def cli_translate(cli, models, sources, *options):
    args = ["translate"]
    for m in models:
        args += ["-m", m]
    out, _, _ = run_cli(cli, *args, *options, input_text="".join(s + "\n" for s in sources))
    return out


def nbest_lines(results):
    return "".join(f"{r.id} ||| {h.text} ||| {h.score:.6f}\n" for r in results for h in r.hypotheses)


@pytest.mark.parametrize(
    "name, kwargs, options",
    [
        ("greedy", {"beam_size": 1}, ["--beam", "1"]),
        ("beam", {"beam_size": 5}, ["--beam", "5"]),
        ("gnmt", {"beam_size": 4, "length_penalty": "gnmt", "alpha": 0.8}, ["--beam", "4", "--length-penalty", "gnmt", "--alpha", "0.8"]),
    ],
)
def test_text_equals_the_program(cli, model, sources, translator, name, kwargs, options):
    expected = cli_translate(cli, [model], sources, *options)
    results = translator.translate_batch(sources, **kwargs)
    assert [r.id for r in results] == list(range(len(sources)))
    assert "".join(r.text + "\n" for r in results) == expected
    assert "".join(r.format("text") for r in results) == expected
    assert len(set(r.text for r in results)) > 10, "the model should give different outputs"


def test_int8_equals_the_program(cli, model, sources):
    expected = cli_translate(cli, [model], sources, "--beam", "5", "--compute-type", "int8")
    results = s2s.Translator(model, compute_type="int8").translate_batch(sources, beam_size=5)
    assert "".join(r.text + "\n" for r in results) == expected


def test_int8_directory_decodes_like_int8_at_load(cli, model, sources, tmp_path):
    # s2s quantize --to int8: the copy decodes in int8 by default (auto), to the
    # bytes --compute-type int8 gives on the fp32 directory.
    quantized = str(tmp_path / "int8")
    run_cli(cli, "quantize", "-m", model, "--to", "int8", "-o", quantized)
    expected = cli_translate(cli, [model], sources, "--beam", "5", "--compute-type", "int8")
    results = s2s.Translator(quantized).translate_batch(sources, beam_size=5)
    assert "".join(r.text + "\n" for r in results) == expected


def test_nbest_equals_the_program(cli, model, sources, translator):
    expected = cli_translate(cli, [model], sources, "--beam", "5", "--n-best", "3", "--format", "nbest")
    results = translator.translate_batch(sources, beam_size=5, n_best=3, return_scores=True)
    assert all(len(r.hypotheses) == 3 for r in results)
    assert nbest_lines(results) == expected
    assert "".join(r.format("nbest") for r in results) == expected


def test_sampling_equals_the_program(cli, model, sources, translator):
    options = ["--sampling", "--n-best", "2", "--seed", "7", "--top-k", "5", "--format", "nbest"]
    expected = cli_translate(cli, [model], sources, *options)
    results = translator.translate_batch(sources, sampling=True, n_best=2, seed=7, top_k=5, return_scores=True)
    assert nbest_lines(results) == expected
    # Streaming in chunks keeps each sentence's number, so the samples stay the program's.
    streamed = list(translator.translate_iterable(iter(sources), chunk_size=7, batch_size=3, sampling=True, n_best=2,
                                                  seed=7, top_k=5, return_scores=True))
    assert nbest_lines(streamed) == expected


def test_ensemble_equals_the_program(cli, trained, sources):
    models = [trained["model"], trained["model2"]]
    expected = cli_translate(cli, models, sources, "--beam", "5", "--n-best", "2", "--format", "nbest")
    ensemble = s2s.Translator(models)
    results = ensemble.translate_batch(sources, beam_size=5, n_best=2, return_scores=True)
    assert nbest_lines(results) == expected
    alone = s2s.Translator(trained["model"]).translate_batch(sources, beam_size=5, n_best=2, return_scores=True)
    assert nbest_lines(alone) != expected, "an ensemble of two seeds should differ from one model"


def test_alignments_equal_the_program(cli, model, sources, translator):
    expected = cli_translate(cli, [model], sources, "--beam", "3", "--alignments")
    results = translator.translate_batch(sources, beam_size=3, return_alignments=True, return_attention=True)
    lines = []
    for r in results:
        h = r.hypotheses[0]
        lines.append(h.text + " ||| " + " ".join(f"{i}-{j}" for i, j in h.alignment) + "\n")
    assert "".join(lines) == expected
    assert "".join(r.format("text") for r in results) == expected


def test_alignment_and_attention_shapes(translator, sources):
    results = translator.translate_batch(sources[:20], beam_size=3, n_best=2, return_alignments=True,
                                         return_attention=True)
    for r in results:
        assert len(r.source_tokens) == len(r.source.split())
        for h in r.hypotheses:
            n, s = len(h.tokens), len(r.source_tokens)
            assert h.alignment.dtype == np.int32 and h.alignment.shape == (n, 2)
            assert h.attention.dtype == np.float32 and h.attention.shape == (n + 1, s)
            assert (h.alignment[:, 1] == np.arange(n)).all()
            assert ((h.alignment[:, 0] >= 0) & (h.alignment[:, 0] < s)).all()
            # Hard alignments are each row's most attended source token.
            assert (h.alignment[:, 0] == h.attention[:n].argmax(axis=1)).all()
            np.testing.assert_allclose(h.attention.sum(axis=1), 1.0, rtol=1e-5)
    plain = translator.translate_batch(sources[:2])[0].hypotheses[0]
    assert plain.alignment is None and plain.attention is None and plain.score is None


def test_files_equal_the_program(cli, model, translator, tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("".join(line.split("\t")[0] + "\n" for line in DEV.read_text().splitlines()), encoding="utf-8")
    for fmt, alignments in [("text", False), ("nbest", True), ("json", False), ("json", True)]:
        out_cli, out_py = tmp_path / f"cli.{fmt}", tmp_path / f"py.{fmt}"
        run_cli(cli, "translate", "-m", model, "--input", src, "--output", out_cli, "--format", fmt, "--beam", "4",
                *(["--alignments"] if alignments else []))
        count = translator.translate_file(src, out_py, format=fmt, alignments=alignments, beam_size=4)
        assert count == 200
        assert out_py.read_bytes() == out_cli.read_bytes(), (fmt, alignments)


def test_pretokenized_input(translator, sources):
    text = translator.translate_batch(sources[:30], beam_size=2)
    tokens = translator.translate_batch([s.split() for s in sources[:30]], beam_size=2)
    assert [r.text for r in tokens] == [r.text for r in text]
    assert [r.source_tokens for r in tokens] == [r.source_tokens for r in text]
    assert translator.translate_batch([[]])[0].text == ""


def test_empty_inputs(translator):
    assert translator.translate_batch([]) == []
    r = translator.translate_batch([""])[0]
    assert r.text == "" and len(r.hypotheses) == 1


def test_score_equals_the_programs_perplexity(cli, model, translator):
    pairs = [line.split("\t") for line in DEV.read_text(encoding="utf-8").splitlines()]
    scores = translator.score([p[0] for p in pairs], [p[1] for p in pairs])
    tokens = sum(s.num_tokens for s in scores)
    ppl = np.exp(-sum(s.log_prob for s in scores) / tokens)
    out, _, _ = run_cli(cli, "eval", "-m", model, "--test", DEV, "--metrics", "ppl")
    assert out.strip().startswith(f"PPL = {ppl:.3f} ({tokens} tokens")
    assert all(s.num_tokens == len(p[1].split()) + 1 and s.log_prob < 0 for s, p in zip(scores, pairs))
    # The forced score of the greedy output is its search log-probability.
    best = translator.translate_batch([pairs[0][0]], beam_size=1, return_scores=True)[0].hypotheses[0]
    forced = translator.score([pairs[0][0]], [best.text])[0]
    assert forced.log_prob == pytest.approx(best.log_prob, rel=1e-5)


def test_pretokenized_scores_equal_text_scores(translator):
    text = translator.score(["c a t", "d o g"], ["K AE T", "D AO G"])
    tokens = translator.score([["c", "a", "t"], ["d", "o", "g"]], [["K", "AE", "T"], ["D", "AO", "G"]])
    assert [(s.log_prob, s.num_tokens) for s in tokens] == [(s.log_prob, s.num_tokens) for s in text]
    with pytest.raises(s2s.Error, match="both be sentences"):
        translator.score([["c"]], ["K"])
