"""Syndication: exact and near-duplicate copies of one report (wire stories) found as they arrive.

An exact copy has the same normalized text. A near copy shares most of its word 5-shingles with
an earlier article: MinHash signatures (datasketch's scheme) with locality-sensitive hashing by
bands (datasketch's choice of bands) find it in constant time per article, and the estimated
Jaccard similarity decides.

References:
    Broder, "On the resemblance and containment of documents", 1997.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import zlib
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from storyweave.clean import words as text_words
from storyweave.errors import ConfigError
from storyweave.types import Article

# datasketch's answers for the default settings, so that an ingest need not import it: its import
# pulls in scipy.integrate, a quarter of a second of every ingest's start (a later ingest of ten
# articles took a second). Tests check both against datasketch; other settings ask it.
_DATASKETCH_SEED = 1  # MinHash's default seed
_DEFAULT_BANDS = {(0.8, 64): (5, 11)}  # MinHashLSH(threshold=0.8, num_perm=64): b, r


@dataclasses.dataclass(frozen=True)
class Copy:
    """An article found to be a copy of an earlier one."""

    original_id: str
    similarity: float
    exact: bool


@dataclasses.dataclass(frozen=True, slots=True)
class TextSignature:
    """What syndication detection reads of a text: computed ahead, possibly in another process.

    Attributes:
        fingerprint: a hash of the text's words; equal for exact copies.
        hashvalues: the MinHash of its word shingles, or None for a text too short to compare.
    """

    fingerprint: str
    hashvalues: np.ndarray | None


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (the golden ratio's) spreading the words' hashes


def shingle_hashes(words: Sequence[str], size: int) -> np.ndarray:
    """32-bit hashes of a text's word `size`-grams, repeats included.

    Each word is hashed once (CRC-32) and each shingle's hash combined from its words' in numpy,
    wrapping modulo 2**64: a shingle hash needs spread, not secrecy, and joining and hashing every
    shingle's string, as datasketch's examples do, made signing a text about 40% slower.

    >>> hashes = shingle_hashes("a b c a b c".split(), 3)
    >>> len(hashes), len(set(hashes.tolist()))  # "a b c" twice, "b c a", "c a b"
    (4, 3)
    """
    word_hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    n = len(words) - size + 1
    combined = word_hashes[:n].copy()
    for offset in range(1, size):
        combined = combined * _MIX + word_hashes[offset : offset + n]
    return (combined >> np.uint64(32)).astype(np.uint32)


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    """The MurmurHash3 finalizer, which datasketch applies to each value before permuting it."""
    hashes = hashes ^ (hashes >> np.uint32(16))
    hashes = hashes * np.uint32(0x85EBCA6B)
    hashes = hashes ^ (hashes >> np.uint32(13))
    hashes = hashes * np.uint32(0xC2B2AE35)
    return hashes ^ (hashes >> np.uint32(16))


@functools.cache
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The bands and rows per band that datasketch's MinHashLSH chooses for these settings (those
    that minimize the chance of a false match plus that of a missed one)."""
    if (threshold, num_perm) in _DEFAULT_BANDS:
        return _DEFAULT_BANDS[threshold, num_perm]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The `a` and `b` of the affine maps `a * h + b` (mod 2**32) that datasketch's MinHash draws
    under its "affine32" scheme: `a` odd, so that each map is a permutation. Drawn here as it
    draws them (its `_init_permutations`) to spare its import (see `_DEFAULT_BANDS`)."""
    generator = np.random.RandomState(_DATASKETCH_SEED)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class _BandIndex:
    """MinHash signatures by band: texts whose signatures agree on all rows of some band are
    candidates, as in datasketch's MinHashLSH (Leskovec, Rajaraman and Ullman, "Mining of
    Massive Datasets", ch. 3), whose choice of bands it takes.

    Not MinHashLSH itself: it computes each band's key twice per article (to query, to insert),
    and rebuilding it from a checkpoint took an insert per remembered text, 1.4 s for 50,000 in
    every later ingest. Here a band's key is one number, its rows' values combined in numpy for
    a whole signature, or a whole checkpoint, at once: 39 against about 15 microseconds an article, and
    1.4 against 0.4 s to restore 50,000. Unequal bands may share a key, rarely; that only adds a
    candidate, whose similarity is then estimated like any other's.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.bands, self.rows = _bands(threshold, num_perm)
        # Powers of an odd constant: a band's key is its values as the digits of a number modulo 2**64.
        self._powers = np.cumprod(np.full(self.rows, _MIX, dtype=np.uint64))
        self._tables: list[dict[int, list[str]]] = [{} for _ in range(self.bands)]

    def keys(self, signatures: np.ndarray) -> np.ndarray:
        """The band keys of each row of a matrix of signatures (one column per band), or of one signature."""
        used = signatures[..., : self.bands * self.rows]
        return used.reshape(*used.shape[:-1], self.bands, self.rows) @ self._powers

    def candidates(self, keys: Sequence[int]) -> set[str]:
        """The ids that share a band key with these."""
        found: set[str] = set()
        for table, key in zip(self._tables, keys, strict=True):
            found.update(table.get(key, ()))
        return found

    def insert(self, article_ids: Sequence[str], keys: np.ndarray) -> None:
        """Index articles under their band keys (a row of `keys` each)."""
        for table, band_keys in zip(self._tables, keys.T.tolist(), strict=True):
            for article_id, key in zip(article_ids, band_keys, strict=True):
                table.setdefault(key, []).append(article_id)

    def remove(self, article_id: str, keys: Sequence[int]) -> None:
        for table, key in zip(self._tables, keys, strict=True):
            ids = table[key]
            ids.remove(article_id)
            if not ids:
                del table[key]


class SyndicationDetector:
    """Finds, for each new article, an earlier article it copies.

    Parameters:
        threshold: estimated Jaccard similarity of word shingles from which two texts are copies.
        shingle: words per shingle.
        num_perm: MinHash permutations (more: finer estimates, slower).
        min_words: texts shorter than this are matched exactly only (a few words prove nothing).
        capacity: how many recent articles are remembered; copies arrive within days of their
            original, and the bound keeps memory flat on endless streams.

    >>> detector = SyndicationDetector()
    >>> text = " ".join(f"word{i}" for i in range(200))
    >>> detector.add(Article(id="a", text=text)) is None
    True
    >>> detector.add(Article(id="b", text=text + " Reuters contributed.")).original_id
    'a'
    """

    def __init__(
        self, threshold: float = 0.8, shingle: int = 5, num_perm: int = 64, min_words: int = 40, capacity: int = 50_000
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], not {threshold}")
        if shingle < 1 or num_perm < 16 or min_words < shingle or capacity < 1:
            raise ConfigError("shingle >= 1, num_perm >= 16, min_words >= shingle and capacity >= 1 are required")
        self.threshold, self.shingle, self.num_perm, self.min_words = threshold, shingle, num_perm, min_words
        self.capacity = capacity
        self._permutations = _permutations(num_perm)  # drawn once, not per article
        self._exact: dict[str, str] = {}
        self._lsh = _BandIndex(threshold, num_perm)
        self._signatures: dict[str, np.ndarray] = {}  # MinHash values by article id
        self._root: dict[str, str] = {}  # a copy's id -> the first report it copies
        self._recent: deque[tuple[str, str]] = deque()  # (id, fingerprint), oldest first

    @property
    def settings(self) -> dict[str, float]:
        """The parameters it was made with."""
        return {"threshold": self.threshold, "shingle": self.shingle, "num_perm": self.num_perm,
                "min_words": self.min_words, "capacity": self.capacity}  # fmt: skip

    def signature(self, words: Sequence[str]) -> TextSignature:
        """The fingerprint and shingle MinHash of a text's `storyweave.clean.words`; depends on the
        settings alone, not on what was seen."""
        fingerprint = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
        if len(words) < self.min_words:
            return TextSignature(fingerprint, None)
        return TextSignature(fingerprint, self._minhash_values(shingle_hashes(words, self.shingle)))

    def _minhash_values(self, hashes: np.ndarray) -> np.ndarray:
        """What datasketch's `MinHash.update_batch` computes for these values under its
        "affine32" scheme (each value mixed, then `a * h + b` modulo 2**32 per permutation, and
        the minimum kept), a test checks. Its `update_batch` takes values one Python call at a time
        and so needs them as a set of ints; these are already a numpy array, and the minimum
        ignores repeats. A third of the cost of signing a text."""
        a, b = self._permutations
        return (np.outer(_fmix32(hashes), a) + b).min(axis=0)

    def add(self, article: Article, signature: TextSignature | None = None) -> Copy | None:
        """Remember `article`; return the earliest report it copies, if any.

        Parameters:
            article: the new article.
            signature: its `signature`, if already computed.
        """
        signature = signature or self.signature(text_words(article.text))
        original = self._exact.get(signature.fingerprint)
        if original is not None:
            return Copy(self._root.get(original, original), 1.0, exact=True)
        copy = self._near_copy(article.id, signature)
        if copy is not None:
            self._root[article.id] = copy.original_id
        self._forget_oldest()
        return copy

    def _near_copy(self, article_id: str, signature: TextSignature) -> Copy | None:
        self._exact[signature.fingerprint] = article_id
        self._recent.append((article_id, signature.fingerprint))
        if signature.hashvalues is None:
            return None
        hashvalues = signature.hashvalues
        keys = self._lsh.keys(hashvalues)
        # The estimated Jaccard similarity: the share of equal MinHash values, as datasketch's `jaccard`.
        matches = [
            (np.count_nonzero(hashvalues == self._signatures[key]) / self.num_perm, key)
            for key in self._lsh.candidates(keys.tolist())
        ]
        self._lsh.insert([article_id], keys[np.newaxis])
        self._signatures[article_id] = hashvalues
        similarity, original = max(matches, default=(0.0, ""))
        if similarity < self.threshold:
            return None
        return Copy(self._root.get(original, original), round(similarity, 3), exact=False)

    def state(self) -> dict[str, Any]:
        """What the detector remembers, as data that pickles (see `storyweave.checkpoint`); the
        band index is not in it, being rebuilt from the signatures by `restore`."""
        return {
            "exact": self._exact,
            "root": self._root,
            "recent": self._recent,
            "signed": list(self._signatures),
            "hashvalues": np.stack(list(self._signatures.values()))
            if self._signatures
            else np.zeros((0, self.num_perm), dtype=np.uint64),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take up a `state` saved from a detector with the same settings."""
        hashvalues = state["hashvalues"]
        if not isinstance(hashvalues, np.ndarray) or hashvalues.shape[1:] != (self.num_perm,):
            raise ValueError("not a syndication state for these settings")
        self._exact, self._root, self._recent = state["exact"], state["root"], state["recent"]
        self._lsh = _BandIndex(self.threshold, self.num_perm)
        self._signatures = dict(zip(state["signed"], hashvalues, strict=True))
        self._lsh.insert(state["signed"], self._lsh.keys(hashvalues))

    def _forget_oldest(self) -> None:
        while len(self._recent) > self.capacity:
            old_id, fingerprint = self._recent.popleft()
            if self._exact.get(fingerprint) == old_id:
                del self._exact[fingerprint]
            hashvalues = self._signatures.pop(old_id, None)
            if hashvalues is not None:
                self._lsh.remove(old_id, self._lsh.keys(hashvalues).tolist())
            self._root.pop(old_id, None)
