"""Ingest: files, folders, feeds and streams in, cleaned `Article`s (or named errors) out.

`read_articles` is the entry point. It never raises for one bad input: every file, line or
record that cannot be read comes out as an `InputError` in the stream, so that the caller can
report it and keep everything else.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from storyweave.errors import ConfigError, InputError
from storyweave.ingest.decode import sniff_encoding
from storyweave.ingest.tabular import read_csv, read_jsonl
from storyweave.ingest.text import MAX_FILE_BYTES, load_manifest, read_bounded, read_text_file
from storyweave.types import Article

ReadResult = Article | InputError

FORMATS = ("text", "jsonl", "csv", "html", "feed", "warc")
_SUFFIXES = {
    ".txt": "text", ".text": "text", "": "text",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
    ".warc": "warc", ".warc.gz": "warc", ".arc": "warc", ".arc.gz": "warc",
}  # fmt: skip
_FETCH_TIMEOUT_S = 30
_SNIFF_BYTES = 65536


def format_of(path: Path) -> str | None:
    """The reader a file's name asks for, or None when the suffix is unknown."""
    name = path.name.lower()
    for suffix in (".warc.gz", ".arc.gz"):
        if name.endswith(suffix):
            return _SUFFIXES[suffix]
    return _SUFFIXES.get(path.suffix.lower())


def expand_paths(paths: Iterable[str], exclude: set[Path]) -> Iterator[str | Path]:
    """Files in the order given, folders walked in name order; hidden files and `exclude` skipped.

    URLs and "-" (standard input) pass through as strings.
    """
    for given in paths:
        if given == "-" or given.startswith(("http://", "https://")):
            yield given
            continue
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.resolve() not in exclude:
                    yield child
        else:
            yield path


# The HTML, feed and WARC readers are imported when a page, feed or archive comes: trafilatura,
# feedparser and warcio took 0.1 s of every command's start-up, JSONL ingests and `stories` included.


def _read_file(path: Path, fmt: str, manifest: dict[str, dict[str, Any]]) -> Iterator[ReadResult]:
    if fmt == "text":
        yield read_text_file(path, manifest.get(path.name))
    elif fmt == "html":
        from storyweave.ingest.html import article_from_html

        yield article_from_html(read_bounded(path), str(path))
    elif fmt == "feed":
        from storyweave.ingest.feeds import read_feed

        yield from read_feed(read_bounded(path), str(path))
    elif fmt == "warc":
        from storyweave.ingest.warc import read_warc

        yield from read_warc(path)
    else:  # JSONL and CSV are streamed: an archive of a million articles need not fit in memory
        with path.open("rb") as raw:
            encoding = sniff_encoding(raw.read(_SNIFF_BYTES), str(path))
        reader = read_jsonl if fmt == "jsonl" else read_csv
        with path.open(encoding=encoding, errors="replace", newline="") as stream:
            yield from reader(stream, str(path))


def _fetch(url: str) -> bytes:
    """GET `url` with a timeout and a size limit (for feeds given by address)."""
    request = urllib.request.Request(url, headers={"User-Agent": "storyweave"})
    try:
        with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_S) as response:
            data: bytes = response.read(MAX_FILE_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise InputError(url, f"cannot fetch ({getattr(exc, 'reason', exc)})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputError(url, f"response exceeds the {MAX_FILE_BYTES:,}-byte limit")
    return data


def _read_one(source: str | Path, fmt: str | None, manifest: dict[str, dict[str, Any]]) -> Iterator[ReadResult]:
    if source == "-":
        reader = read_csv if fmt == "csv" else read_jsonl
        yield from reader(sys.stdin, "<stdin>")
    elif isinstance(source, str):
        data = _fetch(source)
        if fmt == "html":
            from storyweave.ingest.html import article_from_html

            yield article_from_html(data, source, url=source)
        else:
            from storyweave.ingest.feeds import read_feed

            yield from read_feed(data, source)
    else:
        if not source.exists():
            raise InputError(str(source), "no such file or folder")
        chosen = fmt or format_of(source)
        if chosen is None:
            raise InputError(str(source), f"unknown file type {source.suffix!r} (name one with --format)")
        yield from _read_file(source, chosen, manifest)


def read_articles(
    paths: Iterable[str],
    *,
    format: str | None = None,
    metadata: str | Path | None = None,
    on_input_done: Callable[[str | Path], None] | None = None,
) -> Iterator[ReadResult]:
    """Read articles from files, folders, feed URLs or "-" (standard input).

    Parameters:
        paths: what to read; a folder is read recursively.
        format: one of `FORMATS`; by default each file's suffix decides (no suffix: text).
        metadata: a JSONL manifest whose lines carry a `file` name plus article fields.
        on_input_done: called after each file or URL, for progress reporting.

    Yields:
        An `Article` per article read, an `InputError` per input or record refused.

    Raises:
        ConfigError: an unknown format.
        InputError: an unreadable metadata manifest (it concerns every file).
    """
    if format is not None and format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    manifest = load_manifest(Path(metadata)) if metadata else {}
    exclude = {Path(metadata).resolve()} if metadata else set()
    for source in expand_paths(paths, exclude):
        try:
            yield from _read_one(source, format, manifest)
        except InputError as exc:
            yield exc
        except (OSError, ValueError, UnicodeError) as exc:
            # A reading library's own failure on this input; the batch goes on.
            yield InputError(str(source), f"{type(exc).__name__}: {exc}")
        if on_input_done:
            on_input_done(source)
