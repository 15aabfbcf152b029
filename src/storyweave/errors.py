"""storyweave's exceptions: one base class, a few precise subclasses (in the manner of httpx).

StoryweaveError
├── InputError      a file, line or request that cannot be read as articles
├── StoreError      the store cannot be opened, migrated or written
└── ConfigError     a parameter or setting is invalid
"""

from __future__ import annotations


class StoryweaveError(Exception):
    """Base class of every error storyweave raises on purpose."""


class InputError(StoryweaveError):
    """An input that cannot be read; `location` names the file and, where known, the line."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Rebuilt from both fields when it crosses from the reader process (see `ingest`).
        return type(self), (self.location, self.reason)


class StoreError(StoryweaveError):
    """The store cannot be opened, migrated, read or written."""


class ConfigError(StoryweaveError):
    """An invalid parameter or setting."""
