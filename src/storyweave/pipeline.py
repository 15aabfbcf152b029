"""The Python API: the pipeline's stages put together. The CLI is a thin layer over this.

>>> from storyweave import open_store, ingest
>>> store = open_store(":memory:")
>>> report = ingest(["tests/data/missing.txt"], store=store)
>>> report.rejected[0].reason
'no such file or folder'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from storyweave.errors import InputError
from storyweave.ingest import read_articles
from storyweave.store import Store
from storyweave.types import Article

BATCH_SIZE = 500


@dataclasses.dataclass
class IngestReport:
    """What one `ingest` call did: ids added, ids already present, inputs refused."""

    added: list[str] = dataclasses.field(default_factory=list)
    present: list[str] = dataclasses.field(default_factory=list)
    rejected: list[InputError] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: counts, ids, and each rejection's location and reason."""
        return {
            "added": len(self.added),
            "present": len(self.present),
            "rejected": len(self.rejected),
            "added_ids": self.added,
            "present_ids": self.present,
            "rejections": [{"location": e.location, "reason": e.reason} for e in self.rejected],
        }


def ingest(
    paths: Iterable[str],
    *,
    store: Store,
    format: str | None = None,
    metadata: str | Path | None = None,
    on_input_done: Callable[[str | Path], None] | None = None,
) -> IngestReport:
    """Read, clean and store articles; each batch is written in one transaction.

    Parameters:
        paths: files, folders, feed URLs, or "-" for JSONL on standard input.
        store: where to keep them (see `open_store`).
        format: force a reader (see `storyweave.ingest.FORMATS`); default: by file suffix.
        metadata: JSONL manifest of per-file fields for plain-text inputs.
        on_input_done: called after each input, for progress display.

    Returns:
        An `IngestReport`; refused inputs are listed there, not raised.
    """
    report = IngestReport()
    seen: set[str] = set()
    results = read_articles(paths, format=format, metadata=metadata, on_input_done=on_input_done)
    for batch in _batched(_collect(results, report), BATCH_SIZE):
        fresh: dict[str, Article] = {}
        for article in batch:
            if article.id in seen or article.id in fresh:
                report.present.append(article.id)  # a second copy within this run
            else:
                fresh[article.id] = article
        seen.update(fresh)
        for article_id, added in zip(fresh, store.add_articles(list(fresh.values())), strict=True):
            (report.added if added else report.present).append(article_id)
    return report


def _batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _collect(results: Iterable[Article | InputError], report: IngestReport) -> Iterable[Article]:
    """Pass articles on; file each refusal in the report."""
    for result in results:
        if isinstance(result, InputError):
            report.rejected.append(result)
        else:
            yield result
