"""s2s.Vocab and s2s.Tokenizer: a sentence encoded and decoded as the model does."""

from pathlib import Path

import pytest

import s2s


def test_model_vocabularies_and_tokenizers(translator, model):
    src, tgt = translator.source_vocab, translator.target_vocab
    assert src.tokens[:4] == ["<pad>", "<s>", "</s>", "<unk>"]
    loaded = s2s.Vocab.load(Path(model) / "src.vocab")
    assert loaded.tokens == src.tokens and len(loaded) == len(src)
    assert translator.source_tokenizer.type == "word" and translator.target_tokenizer.type == "word"
    tokens = translator.source_tokenizer.tokenize("c a t")
    assert tokens == ["c", "a", "t"]
    ids = src.encode(tokens)
    assert all(i >= 4 for i in ids) and src.decode(ids) == tokens
    assert translator.encode("c a t") == ids  # the demo's sources get no </s>
    assert src.id("no-such-token") == 3 and "no-such-token" not in src and "c" in src
    assert src.count(src.id("c")) > 0
    # Outputs decode as the translator detokenizes them.
    out = translator.translate_batch(["c a t"], beam_size=1)[0].hypotheses[0]
    assert translator.decode(tgt.encode(out.tokens) + [2]) == out.text
    with pytest.raises(IndexError):
        src.token(len(src))


def test_tokenizers():
    char = s2s.Tokenizer("char")
    assert char.tokenize("ab c") == ["a", "b", "\u2581", "c"]
    assert char.detokenize(char.tokenize("ab c")) == "ab c"
    assert s2s.Tokenizer("word").tokenize("a  b\tc") == ["a", "b", "c"]
    with pytest.raises(s2s.Error, match="spm"):
        s2s.Tokenizer("bpe")
