"""Store: where articles (and, later, stories) live between runs.

Stages never talk SQL; they get a `Store`, whose interface is kept narrow so that a second
backend (PostgreSQL) can be added without touching them. `open_store` picks the backend from
a path or URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from storyweave.errors import ConfigError
from storyweave.store.base import Store
from storyweave.store.sqlite import SQLiteStore

DEFAULT_DB = "storyweave.db"
DB_ENV = "STORYWEAVE_DB"

__all__ = ["DB_ENV", "DEFAULT_DB", "SQLiteStore", "Store", "open_store", "resolve_target"]


def resolve_target(target: str | Path | None) -> str:
    """The store to use: `target`, else $STORYWEAVE_DB, else ./storyweave.db."""
    return str(target or os.environ.get(DB_ENV) or DEFAULT_DB)


def open_store(target: str | Path | None = None) -> Store:
    """Open (creating and migrating if needed) the store at a path or URL.

    Parameters:
        target: a file path or `sqlite:///path`; None uses $STORYWEAVE_DB or ./storyweave.db.

    >>> store = open_store(":memory:")
    >>> store.count_articles()
    0
    """
    resolved = resolve_target(target)
    if resolved.startswith("sqlite:///"):
        return SQLiteStore(resolved.removeprefix("sqlite:///"))
    if "://" in resolved:
        scheme = resolved.split("://", 1)[0]
        raise ConfigError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///PATH")
    return SQLiteStore(resolved)
