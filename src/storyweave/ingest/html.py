"""Saved HTML pages: main text, title, date and site name extracted by trafilatura."""

from __future__ import annotations

import trafilatura

from storyweave.errors import InputError
from storyweave.ingest.decode import decode_bytes
from storyweave.ingest.records import article_from_record
from storyweave.types import Article


def article_from_html(html: bytes, location: str, url: str | None = None, fallback_date: str | None = None) -> Article:
    """Extract the article in an HTML page.

    Parameters:
        html: the page's bytes; its declared charset is honoured.
        location: where the page came from, for errors.
        url: the page's address, when known (a WARC record's target, say).
        fallback_date: publication date to use when the page states none.

    Raises:
        InputError: the page holds no article text.
    """
    page = decode_bytes(html, location)
    document = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if document is None or not (document.text or "").strip():
        raise InputError(location, "no article text found in the HTML page")
    text = document.text
    if document.title and text.startswith(document.title):
        text = text[len(document.title) :]  # trafilatura repeats the headline as the first line
    return article_from_record(
        {
            "text": text,
            "title": document.title,
            "url": url or document.url,
            "source": document.sitename or document.hostname,
            "published_at": document.date or fallback_date,
        },
        location,
    )
