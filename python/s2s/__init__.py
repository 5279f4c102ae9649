"""s2s: sequence-to-sequence training, translation and scoring from Python.

The compiled module ``s2s._s2s`` binds the same C++ library the ``s2s``
program runs; this package adds the streaming helpers written in Python.
docs/python.md in the repository is the guide; ``help(s2s.Translator)``
and the stub ``__init__.pyi`` document every name.

    import s2s
    model = s2s.train("examples/demo/g2p.yaml", steps=200, save_dir="run/g2p")
    translator = s2s.Translator(model)
    print(translator.translate_batch(["hello"], beam_size=5)[0].text)
"""

from __future__ import annotations

import gzip
import os
from typing import Iterable, Iterator, Union

from ._s2s import (
    Error,
    Hypothesis,
    MetricScore,
    ScoreResult,
    Tokenizer,
    TranslationResult,
    Vocab,
    __version__,
    evaluate,
    train,
)
from ._s2s import Translator as _Translator

__all__ = [
    "Error",
    "Hypothesis",
    "MetricScore",
    "ScoreResult",
    "Tokenizer",
    "TranslationResult",
    "Translator",
    "Vocab",
    "__version__",
    "evaluate",
    "train",
]

Source = Union[str, "list[str]"]


class Translator(_Translator):
    __doc__ = _Translator.__doc__

    def translate_iterable(
        self,
        sources: Iterable[Source],
        *,
        batch_size: int = 32,
        chunk_size: int = 0,
        **options,
    ) -> Iterator[TranslationResult]:
        """Translates a stream of sentences, yielding one TranslationResult per
        sentence in input order. Sentences are read ``chunk_size`` at a time
        (0: 16 x batch_size, as ``s2s translate --chunk``), each chunk sorted by
        length into batches of ``batch_size``; a sentence's ``id`` is its
        position in the stream, as the program numbers input lines, so sampling
        gives the program's outputs. Other keyword arguments are those of
        translate_batch."""
        if chunk_size < 0:
            raise Error("s2s translate: --chunk must be >= 0")
        chunk = chunk_size or 16 * batch_size
        if chunk <= 0:
            raise Error(f"s2s translate: --batch must be at least 1, got {batch_size}")
        first_id = 0
        pending: list = []
        for sentence in sources:
            pending.append(sentence)
            if len(pending) == chunk:
                yield from self.translate_batch(pending, first_id=first_id, batch_size=batch_size, **options)
                first_id += len(pending)
                pending = []
        if pending:
            yield from self.translate_batch(pending, first_id=first_id, batch_size=batch_size, **options)

    def translate_file(
        self,
        input_path: Union[str, os.PathLike],
        output_path: Union[str, os.PathLike],
        *,
        format: str = "text",
        alignments: bool = False,
        **options,
    ) -> int:
        """Translates a text file (one sentence per line; gzip when it ends in
        .gz) into ``output_path`` in the format of ``s2s translate --format
        FORMAT`` ('text', 'nbest' or 'json', with ``alignments`` as
        --alignments), streaming in chunks: the program's output byte for
        byte. Returns the number of lines."""
        if os.path.abspath(input_path) == os.path.abspath(output_path):
            raise Error(f"s2s translate: --output {output_path} is the input file")
        # As the program: json carries alignments whenever the models have attention.
        alignments = alignments or (format == "json" and self.has_attention)
        opener = gzip.open if str(input_path).endswith(".gz") else open
        count = 0
        with opener(input_path, "rt", encoding="utf-8", newline="") as src, open(
            output_path, "w", encoding="utf-8", newline=""
        ) as out:
            lines = (_strip_eol(line) for line in src)
            for result in self.translate_iterable(lines, return_alignments=alignments, return_scores=True, **options):
                out.write(result.format(format, alignments))
                count += 1
        return count


def _strip_eol(line: str) -> str:
    line = line[:-1] if line.endswith("\n") else line
    return line[:-1] if line.endswith("\r") else line
