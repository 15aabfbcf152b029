"""The narrow interface every store backend implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from storyweave.types import Article


class Store(Protocol):
    """What the pipeline needs from storage. Writes happen inside `transaction()`."""

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""
        ...

    def add_articles(self, articles: Sequence[Article]) -> list[bool]:
        """Insert articles not yet stored; True for each one that was new."""
        ...

    def article(self, article_id: str) -> Article | None:
        """One article by id."""
        ...

    def articles(
        self, *, source: str | None = None, since: dt.datetime | None = None, limit: int | None = None
    ) -> Iterator[Article]:
        """Articles in ingest order, optionally filtered."""
        ...

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, float]]:
        """Full-text search, best first, with a relevance score (higher is better)."""
        ...

    def count_articles(self) -> int:
        """How many articles are stored."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
