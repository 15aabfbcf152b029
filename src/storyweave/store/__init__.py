"""Store: where articles (and, later, stories) live between runs.

Stages never talk SQL; they get a `Store`, whose interface is kept narrow so that a second
backend (PostgreSQL) can be added without touching them. `open_store` picks the backend from
a path or URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from storyweave.errors import ConfigError, StoreError
from storyweave.store.base import Store
from storyweave.store.sqlite import SQLiteStore

DEFAULT_DB = "storyweave.db"
DB_ENV = "STORYWEAVE_DB"

__all__ = ["DB_ENV", "DEFAULT_DB", "SQLiteStore", "Store", "open_store", "resolve_target", "store_exists"]


def resolve_target(target: str | Path | None) -> str:
    """The store to use: `target`, else $STORYWEAVE_DB, else ./storyweave.db."""
    return str(target or os.environ.get(DB_ENV) or DEFAULT_DB)


def open_store(
    target: str | Path | None = None, *, create: bool = True, on_upgrade: Callable[[int, int], None] | None = None
) -> Store:
    """Open (creating and migrating if needed) the store at a path or URL.

    Parameters:
        target: a file path or `sqlite:///path`; None uses $STORYWEAVE_DB or ./storyweave.db.
        create: make the store if there is none; else refuse, so that a mistyped path is an
            error rather than a new, empty store.
        on_upgrade: called with the schema versions from and to before a store made by an
            older storyweave is migrated, which on a large store takes a while.

    Raises:
        StoreError: no store at `target` and not `create`, or it cannot be opened.

    >>> store = open_store(":memory:")
    >>> store.count_articles()
    0
    """
    path = _store_path(target)
    if not create and not store_exists(path):
        raise StoreError(f"{path}: no store there (`storyweave ingest FILES --db {path}` makes one)")
    return SQLiteStore(path, on_upgrade)


def store_exists(target: str | Path | None) -> bool:
    """Whether there is a store at `target` (see `open_store`) to open without creating one."""
    path = _store_path(target)
    return path == ":memory:" or Path(path).exists()


def _store_path(target: str | Path | None) -> str:
    """The file (or ":memory:") that `target` names (see `open_store`)."""
    resolved = resolve_target(target)
    if resolved.startswith("sqlite:///"):
        return resolved.removeprefix("sqlite:///")
    if "://" in resolved:
        scheme = resolved.split("://", 1)[0]
        raise ConfigError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///PATH")
    return resolved
