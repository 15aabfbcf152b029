"""`storyweave eval`: cluster an annotated file exactly as `ingest` would, and score it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storyweave.cluster import ClusterParams
from storyweave.errors import ConfigError, InputError, StoreError
from storyweave.eval.errors import clustering_errors
from storyweave.eval.metrics import clustering_scores
from storyweave.ingest import read_articles
from storyweave.pipeline import IngestReport, store_stream
from storyweave.store import open_store
from storyweave.types import Article, publication_order


def labelled_articles(path: str | Path, label_field: str, format: str | None = None) -> tuple[list[Article], list[str]]:
    """Every article of `path` with its gold label, in the order `ingest` clusters them: by
    publication time, with undated articles in their file places. Training then sees the stream
    that `eval` and `ingest` see.

    Raises:
        InputError: an unreadable record, or one without the label (scores would be wrong).
    """
    articles, labels = [], []
    for result in read_articles([str(path)], format=format):
        if isinstance(result, InputError):
            raise result
        label = result.meta.get(label_field)
        if label is None:
            raise InputError(result.origin or str(path), f"no {label_field!r} label")
        articles.append(result)
        labels.append(str(label))
    if not articles:
        raise ConfigError(f"{path}: no articles to evaluate")
    label_of = {a.id: label for a, label in zip(articles, labels, strict=True)}
    ordered = publication_order(articles)
    return ordered, [label_of[a.id] for a in ordered]


def evaluate(
    path: str | Path,
    *,
    label_field: str = "event",
    params: ClusterParams | None = None,
    format: str | None = None,
    errors: int = 0,
    keep: str | Path | None = None,
) -> dict[str, Any]:
    """Ingest `path` into a throwaway store in publication order, cluster online, and score.

    Parameters:
        errors: also list this many of the worst mixed stories and split events (see
            `storyweave.eval.errors`), under the key "errors".
        keep: keep the store in this new SQLite file rather than throw it away, so that
            `storyweave explain` can be asked about its decisions. The file appears only when
            the store is whole.

    Returns:
        `clustering_scores` plus `articles_per_s` (reading, cleaning, storing and clustering).

    Raises:
        ConfigError: `keep` names a file that exists, or comes to exist while eval runs.
        StoreError: `keep`'s folder cannot be written.
    """
    if keep is not None and Path(keep).exists():
        raise ConfigError(f"{keep}: already exists; eval keeps its store in a new file only")
    started = time.perf_counter()
    articles, labels = labelled_articles(path, label_field, format)
    label_of = {a.id: label for a, label in zip(articles, labels, strict=True)}
    with _store_file(keep) as target:
        store = open_store(target)
        try:
            pipeline = store_stream(lambda _: articles, store, IngestReport(), params=params)
            elapsed = time.perf_counter() - started
            if keep is not None:
                pipeline.save_checkpoint()  # so that `explain` on it need not replay the stream
            clustered = list(store.clustered())
        finally:
            store.close()
    gold = [label_of[article.id] for article, _ in clustered]
    scores = clustering_scores(gold, [assignment.story_id for _, assignment in clustered])
    scores["articles_per_s"] = round(len(clustered) / elapsed, 1)
    if errors:
        scores["errors"] = clustering_errors(clustered, gold).to_dict(limit=errors)
    return scores


@contextlib.contextmanager
def _store_file(keep: str | Path | None) -> Iterator[str | Path]:
    """Where `evaluate` builds its store: in memory, or, to be kept, in a scratch folder beside
    `keep` that becomes `keep` only once the store is whole. An interrupted or failed run then
    leaves no half-clustered file that `explain` would answer from, and no -wal or lock files."""
    if keep is None:
        yield ":memory:"
        return
    keep = Path(keep)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{keep.name}.", dir=keep.parent))
    except OSError as exc:
        raise StoreError(f"{keep}: cannot create the store there ({exc.strerror})") from exc
    try:
        yield scratch / keep.name
        _link_new(scratch / keep.name, keep)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _link_new(built: Path, keep: Path) -> None:
    """Give the built store the name `keep`, which must still be free: a file made there while
    eval ran (another eval, a user) is not overwritten, as `os.replace` would."""
    try:
        os.link(built, keep)
    except FileExistsError:
        raise ConfigError(f"{keep}: appeared while eval ran; the store is not kept") from None
    except OSError as exc:
        raise StoreError(f"{keep}: cannot create the store there ({exc.strerror})") from exc
