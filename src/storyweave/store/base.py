"""The narrow interface every store backend implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from storyweave.types import Article, Assignment, Story


class Store(Protocol):
    """What the pipeline needs from storage. Writes happen inside `transaction()`. A store that
    cannot be read or written (a damaged file, a full disk) raises `StoreError`, naming it."""

    def writing(self, wait_s: float | None = None) -> AbstractContextManager[None]:
        """Be the store's only writing pipeline while inside; raise `StoreError` when another
        process holds that place and does not give it up within `wait_s` seconds (default: the
        backend's, which is some seconds)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """Reads inside see the store as one state, whatever other processes write meanwhile: for a
        listing read in several queries, such as `stories`. Only for reading: a `transaction`
        inside raises `StoreError`."""
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

    def save_assignments(self, assignments: Sequence[Assignment]) -> int:
        """Record where articles went, in this order (replacing earlier records of the same
        articles); return the `Assignment.seq` of the last."""
        ...

    def clear_assignments(self) -> None:
        """Forget every story (before re-clustering), the checkpoint learned from them and their views."""
        ...

    def kept_view(self, story_id: int, key: str) -> str | None:
        """The view of a story kept by `keep_view` under `key`, if any."""
        ...

    def keep_view(self, story_id: int, key: str, view: str) -> None:
        """Keep a story's view, built from what `key` names, in place of any earlier one."""
        ...

    def setting(self, name: str) -> str | None:
        """The value saved under `name` by `save_setting`, if any."""
        ...

    def save_setting(self, name: str, value: str) -> None:
        """Remember `value` under `name`, in place of any earlier one."""
        ...

    def save_checkpoint(self, key: str, seq: int, learned: int, data: bytes) -> bool:
        """Keep `data`, a state learned from the `learned` assignments up to `seq`, in place of any
        earlier checkpoint. Nothing is kept, and False returned, if the store holds another number
        of assignments up to `seq`: another writer's, which the state never learned.

        Parameters:
            key: what the state depends on (parameters, format); `checkpoint` asks by it.
        """
        ...

    def checkpoint(self, key: str) -> tuple[int, bytes] | None:
        """The state saved under `key` and the seq it was learned up to; None when there is none,
        or when the assignments it was learned from have changed since."""
        ...

    def assignment(self, article_id: str) -> Assignment | None:
        """Where one article went, with the evidence."""
        ...

    def clustered(self, *, after_seq: int = 0, story_id: int | None = None) -> Iterator[tuple[Article, Assignment]]:
        """Clustered articles in the order the clusterer saw them: those after `after_seq`, of
        one story if `story_id` is given."""
        ...

    def unclustered(self) -> Iterator[Article]:
        """Articles not yet in any story, in publication order over them all (`publication_order`
        of their ingest order), read as they are asked for."""
        ...

    def stories(
        self,
        *,
        since: dt.datetime | None = None,
        source: str | None = None,
        query: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Story]:
        """Stories, most recently updated first (by their last publication; undated ones last,
        newest first), optionally filtered: with an article published at or after `since`, from
        outlet `source`, or among the best 1,000 matches of full-text `query`; at most `limit`.
        Built as they are asked for, so a listing that must not mix two states of the store (a
        `recluster` may renumber stories midway) is read inside `reading()`."""
        ...

    def story(self, story_id: int) -> Story | None:
        """One story by id."""
        ...

    def count_articles(self) -> int:
        """How many articles are stored."""
        ...

    def count_stories(self) -> int:
        """How many stories the stored articles form."""
        ...

    def count_clustered(self, *, after_seq: int = 0) -> int:
        """How many articles have a story; with `after_seq`, only those clustered after it."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
