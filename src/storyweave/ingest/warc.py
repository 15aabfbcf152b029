"""WARC archives: every HTML response record becomes an article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyweave.errors import InputError
from storyweave.ingest.html import article_from_html
from storyweave.types import Article

ReadResult = Article | InputError
MAX_RECORD_BYTES = 20_000_000


def read_warc(path: Path) -> Iterator[ReadResult]:
    """Articles from the HTML `response` records of a WARC (gzipped or not)."""
    with path.open("rb") as stream:
        try:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type != "response" or not record.http_headers:
                    continue
                content_type = record.http_headers.get_header("Content-Type", "")
                if "html" not in content_type.lower():
                    continue
                location = f"{path}#{number}"
                body = record.content_stream().read(MAX_RECORD_BYTES + 1)
                if len(body) > MAX_RECORD_BYTES:
                    yield InputError(location, f"record exceeds {MAX_RECORD_BYTES:,} bytes")
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                date = record.rec_headers.get_header("WARC-Date")
                try:
                    yield article_from_html(body, location, url=url, fallback_date=date)
                except InputError as exc:
                    yield exc
        except ArchiveLoadFailed as exc:
            raise InputError(str(path), f"not a readable WARC ({exc})") from exc
