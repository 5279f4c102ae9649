# Type stubs for the s2s package (docs/python.md is the guide). The names
# come from the compiled module s2s._s2s, plus Translator.translate_iterable
# and translate_file from python/s2s/__init__.py.
import os
from typing import Any, Callable, Iterable, Iterator, Literal, Mapping, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Path = Union[str, os.PathLike[str]]
_Sources = Union[Sequence[str], Sequence[Sequence[str]]]
_LengthPenalty = Literal["none", "average", "gnmt"]

class Error(RuntimeError):
    """An error s2s reports, with the one-line message the s2s program prints."""

class Vocab:
    """Token <-> id mapping of a model side; ids 0-3 are <pad>, <s>, </s>, <unk>."""
    @staticmethod
    def load(path: _Path) -> Vocab: ...
    def __len__(self) -> int: ...
    def __contains__(self, token: str) -> bool: ...
    def id(self, token: str) -> int: ...
    def token(self, id: int) -> str: ...
    def count(self, id: int) -> int: ...
    def encode(self, tokens: Sequence[str]) -> list[int]: ...
    def decode(self, ids: Sequence[int], skip_reserved: bool = False) -> list[str]: ...
    @property
    def tokens(self) -> list[str]: ...

class Tokenizer:
    """'char', 'word' or 'spm' tokenizer with its detokenizer."""
    def __init__(self, type: Literal["char", "word"]) -> None: ...
    @staticmethod
    def load_spm(path: _Path) -> Tokenizer: ...
    @property
    def type(self) -> str: ...
    def tokenize(self, text: str) -> list[str]: ...
    def detokenize(self, tokens: Sequence[str]) -> str: ...

class Hypothesis:
    """One output for a source sentence."""
    @property
    def text(self) -> str: ...
    @property
    def tokens(self) -> list[str]: ...
    @property
    def score(self) -> Optional[float]:
        """Ranking score (return_scores=True), else None."""
    @property
    def log_prob(self) -> Optional[float]:
        """Summed log-probability, </s> included (return_scores=True), else None."""
    @property
    def alignment(self) -> Optional[npt.NDArray[np.int32]]:
        """[len(tokens), 2] (source position, output position) pairs (return_alignments=True)."""
    @property
    def attention(self) -> Optional[npt.NDArray[np.float32]]:
        """[len(tokens) + 1, len(source_tokens)] attention weights, last row </s> (return_attention=True)."""

class TranslationResult:
    """The outputs for one source sentence, best first."""
    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def source_tokens(self) -> list[str]: ...
    @property
    def hypotheses(self) -> list[Hypothesis]: ...
    @property
    def text(self) -> str:
        """The best hypothesis's text."""
    def format(self, format: Literal["text", "nbest", "json"] = "text", alignments: Optional[bool] = None) -> str:
        """The lines `s2s translate --format FORMAT [--alignments]` writes for this sentence."""

class ScoreResult:
    @property
    def log_prob(self) -> float: ...
    @property
    def num_tokens(self) -> int: ...

class MetricScore:
    """One corpus-level score as `s2s eval` prints it."""
    @property
    def metric(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def higher_is_better(self) -> bool: ...
    @property
    def signature(self) -> str: ...
    @property
    def line(self) -> str: ...
    def __float__(self) -> float: ...

class Translator:
    """A model directory, or a list of them as an ensemble, loaded once. Safe to
    call from several Python threads at once (shared model, per-call state)."""
    def __init__(
        self,
        model_dir: Union[_Path, Sequence[_Path]],
        threads: int = 0,
        compute_type: str = "auto",
    ) -> None: ...
    def translate_batch(
        self,
        sources: _Sources,
        *,
        return_scores: bool = False,
        return_alignments: bool = False,
        return_attention: bool = False,
        first_id: int = 0,
        beam_size: int = 5,
        n_best: int = 1,
        batch_size: int = 32,
        max_length: int = 256,
        max_length_ratio: float = 2.0,
        max_length_extra: int = 10,
        min_length: int = 0,
        min_length_ratio: float = 0.0,
        length_penalty: _LengthPenalty = "average",
        alpha: float = 0.6,
        coverage_penalty: float = 0.0,
        no_repeat_ngram: int = 0,
        sampling: bool = False,
        temperature: float = 1.0,
        top_k: int = 0,
        top_p: float = 1.0,
        seed: int = 0,
        replace_unk: bool = False,
        phrase_table: Optional[_Path] = None,
    ) -> list[TranslationResult]:
        """Translates sentences (str) or token lists (list[str]); options as `s2s translate`'s."""
    def translate_iterable(
        self, sources: Iterable[Union[str, Sequence[str]]], *, batch_size: int = 32, chunk_size: int = 0, **options: Any
    ) -> Iterator[TranslationResult]:
        """Streams sentences in chunks, yielding results in input order."""
    def translate_file(
        self,
        input_path: _Path,
        output_path: _Path,
        *,
        format: Literal["text", "nbest", "json"] = "text",
        alignments: bool = False,
        **options: Any,
    ) -> int:
        """Translates a file as `s2s translate --input --output` does; returns the line count."""
    def score(
        self, sources: _Sources, targets: _Sources, *, batch_size: int = 32
    ) -> list[ScoreResult]:
        """Teacher-forced log-probability of each target given its source."""
    def encode(self, text: str) -> list[int]: ...
    def decode(self, ids: Sequence[int]) -> str: ...
    @property
    def model_dirs(self) -> list[str]: ...
    @property
    def descriptions(self) -> list[str]: ...
    @property
    def has_attention(self) -> bool: ...
    @property
    def threads(self) -> int: ...
    @property
    def source_vocab(self) -> Vocab: ...
    @property
    def target_vocab(self) -> Vocab: ...
    @property
    def source_tokenizer(self) -> Tokenizer: ...
    @property
    def target_tokenizer(self) -> Tokenizer: ...

def train(
    config: Union[_Path, Mapping[str, Any], None] = None,
    *,
    resume: Optional[_Path] = None,
    progress: Optional[Callable[[dict[str, Any]], None]] = None,
    verbose: bool = True,
    **overrides: Any,
) -> str:
    """Trains as `s2s train` does (same options, checks and messages); returns the model directory."""

def evaluate(
    hyps: Sequence[str],
    refs: Union[Sequence[str], Sequence[Sequence[str]]],
    metrics: Union[str, Sequence[str]] = ("bleu", "chrf"),
) -> dict[str, MetricScore]:
    """Scores as `s2s eval --hyp --ref` does: {metric: MetricScore}."""
