"""Plain-text articles, one a file, with optional metadata from a JSONL manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyweave.errors import InputError
from storyweave.ingest.decode import decode_bytes
from storyweave.ingest.records import article_from_record
from storyweave.types import Article

MAX_FILE_BYTES = 50_000_000
_MAX_TITLE_CHARS = 160


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of `path`, refusing files over `limit` (default `MAX_FILE_BYTES`) unread."""
    limit = MAX_FILE_BYTES if limit is None else limit
    size = path.stat().st_size
    if size > limit:
        raise InputError(str(path), f"file of {size:,} bytes exceeds the {limit:,}-byte limit")
    return path.read_bytes()


def load_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Read a metadata manifest: JSONL objects, each with a `file` key naming a text file.

    Raises:
        InputError: a malformed line, or a line without `file`, naming the line.
    """
    manifest: dict[str, dict[str, Any]] = {}
    text = decode_bytes(read_bounded(path), str(path))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}", f"malformed JSON ({exc.msg})") from exc
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise InputError(f"{path}:{number}", 'a manifest line needs a "file" key')
        manifest[Path(entry["file"]).name] = {k: v for k, v in entry.items() if k != "file"}
    return manifest


def split_title(text: str) -> tuple[str | None, str]:
    """Take a headline-like first line (short, no closing punctuation) as the title.

    >>> split_title("Quake hits Chile\\nA strong earthquake struck on Monday.")
    ('Quake hits Chile', 'A strong earthquake struck on Monday.')
    >>> split_title("A strong earthquake struck on Monday.\\nMore followed.")[0] is None
    True
    """
    first, _, rest = text.strip().partition("\n")
    first = first.strip()
    if rest.strip() and len(first) <= _MAX_TITLE_CHARS and first[-1:].isalnum():
        return first, rest
    return None, text


def read_text_file(path: Path, metadata: dict[str, Any] | None = None) -> Article:
    """One article from a plain-text file; `metadata` fields win over what the text suggests."""
    text = decode_bytes(read_bounded(path), str(path))
    record: dict[str, Any] = dict(metadata or {})
    if not record.get("title"):
        record["title"], text = split_title(text)
    record["text"] = text
    return article_from_record(record, str(path))
