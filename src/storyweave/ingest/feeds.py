"""RSS and Atom feeds, read by feedparser after defusedxml has refused hostile XML."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
import feedparser
import lxml.etree
import lxml.html
from defusedxml import DefusedXmlException

from storyweave.errors import InputError
from storyweave.ingest.records import article_from_record
from storyweave.types import Article

ReadResult = Article | InputError
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})


def refuse_hostile_xml(data: bytes, location: str) -> None:
    """Raise InputError for entity declarations (billion laughs, external entities).

    feedparser's parser expands internal entities, so a bomb must be stopped before it.
    Malformed XML is left to feedparser, which recovers what it can.
    """
    try:
        defusedxml.ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(location, f"refused hostile XML ({type(exc).__name__}: entity or DTD declarations)") from exc
    except ParseError:
        pass


def _entry_time(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC).isoformat()


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = max((c.get("value", "") for c in contents), key=len, default="") or entry.get("summary", "")
    return fragment_text(html) if "<" in html else html


def fragment_text(html: str) -> str:
    """Text of an HTML fragment, one block element a line.

    trafilatura's html2txt would do, but it wants a whole page and joins paragraphs, which
    feed summaries (fragments, often of a few paragraphs) need kept apart.

    >>> fragment_text("<p>One.</p><p>Two <b>bold</b>.</p>")
    'One.\\nTwo bold.'
    """
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    lxml.etree.strip_elements(root, "script", "style", with_tail=False)
    for element in root.iter():
        if element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content()).strip()


def read_feed(data: bytes, location: str) -> Iterator[ReadResult]:
    """Articles from an RSS or Atom document; each entry is judged on its own."""
    refuse_hostile_xml(data, location)
    feed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if not feed.entries:
        problem = feed.get("bozo_exception")
        line = getattr(problem, "getLineNumber", lambda: None)()
        where = f"{location}:{line}" if line else location
        raise InputError(where, f"not a readable feed ({problem})" if problem else "feed has no entries")
    source = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, start=1):
        record = {
            "text": _entry_text(entry),
            "title": entry.get("title"),
            "url": entry.get("link"),
            "source": source,
            "published_at": _entry_time(entry),
        }
        try:
            yield article_from_record(record, f"{location}#{number}")
        except InputError as exc:
            yield exc
