"""JSONL and CSV files of articles: one record a line or row, each judged on its own."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from typing import IO

from storyweave.errors import InputError
from storyweave.ingest.records import article_from_record
from storyweave.types import Article

ReadResult = Article | InputError
_TEXT_COLUMNS = ("text", "body", "content", "article")
_SNIFF_LINES = 50  # lines the CSV dialect is guessed from


def read_jsonl(stream: IO[str], name: str) -> Iterator[ReadResult]:
    """Articles from JSONL; a bad line yields an InputError naming it and the rest go on."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        location = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(location, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield InputError(location, "expected a JSON object")
            continue
        yield _article_or_error(record, location)


def read_csv(stream: IO[str], name: str) -> Iterator[ReadResult]:
    """Articles from CSV with a header row; the body column is `text` (or body/content/article)."""
    head = list(itertools.islice(stream, _SNIFF_LINES))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff("".join(head), delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(itertools.chain(head, stream), dialect=dialect)
    columns = {c.strip().lower(): c for c in reader.fieldnames or [] if c}
    text_column = next((columns[c] for c in _TEXT_COLUMNS if c in columns), None)
    if text_column is None:
        yield InputError(name, f"no text column (looked for {', '.join(_TEXT_COLUMNS)})")
        return
    try:
        for row in reader:
            record = {k.strip().lower(): (v or None) for k, v in row.items() if k}
            record["text"] = row.get(text_column)
            yield _article_or_error(record, f"{name}:{reader.line_num}")
    except csv.Error as exc:
        yield InputError(f"{name}:{reader.line_num}", f"malformed CSV ({exc})")


def _article_or_error(record: dict[str, object], location: str) -> ReadResult:
    try:
        return article_from_record(record, location)
    except InputError as exc:
        return exc
