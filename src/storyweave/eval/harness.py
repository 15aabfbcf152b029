"""`storyweave eval`: cluster an annotated file exactly as `ingest` would, and score it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from storyweave.cluster import ClusterParams
from storyweave.errors import ConfigError, InputError
from storyweave.eval.errors import clustering_errors
from storyweave.eval.metrics import clustering_scores
from storyweave.ingest import read_articles
from storyweave.pipeline import IngestReport, publication_order, store_stream
from storyweave.store import open_store
from storyweave.types import Article


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
            `storyweave explain` can be asked about its decisions.

    Returns:
        `clustering_scores` plus `articles_per_s` (reading, cleaning, storing and clustering).

    Raises:
        ConfigError: `keep` names a file that exists (its articles would be scored too).
    """
    if keep is not None and Path(keep).exists():
        raise ConfigError(f"{keep}: already exists; eval keeps its store in a new file only")
    started = time.perf_counter()
    articles, labels = labelled_articles(path, label_field, format)
    label_of = {a.id: label for a, label in zip(articles, labels, strict=True)}
    store = open_store(Path(keep) if keep is not None else ":memory:")
    try:
        pipeline = store_stream(lambda _: articles, store, IngestReport(), params=params)
        elapsed = time.perf_counter() - started
        if keep is not None:
            pipeline.save_checkpoint()  # so that `explain` on it need not replay the stream
        clustered = list(store.clustered())
        gold = [label_of[article.id] for article, _ in clustered]
        scores = clustering_scores(gold, [assignment.story_id for _, assignment in clustered])
    finally:
        store.close()
    scores["articles_per_s"] = round(len(clustered) / elapsed, 1)
    if errors:
        scores["errors"] = clustering_errors(clustered, gold).to_dict(limit=errors)
    return scores
