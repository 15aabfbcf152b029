"""The plain types that flow through the pipeline: an `Article` in, a `Story` out.

Every stage takes and returns these; none of them knows about the store, the CLI or the web.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import operator
import re
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

PublicationTime = dt.datetime | dt.date
T = TypeVar("T")

# Query parameters that track a click rather than name a page: two URLs that differ only in
# these are the same article.
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid|ocid)$", re.I)


def normalize_url(url: str) -> str:
    """Canonical form of an article URL, so that re-ingesting the same page finds the same id.

    >>> normalize_url("HTTPS://Example.com/a/?utm_source=x&id=3#top")
    'https://example.com/a?id=3'
    """
    parts = urllib.parse.urlsplit(url.strip())
    query = [
        (k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)
    ]
    path = parts.path.rstrip("/") or ""
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urllib.parse.urlencode(query), "")
    )


def article_id(url: str | None, source: str | None, text: str) -> str:
    """Stable id: from the URL when there is one, else from the source and the normalized text."""
    if url:
        key = "url:" + normalize_url(url)
    else:
        key = "text:" + (source or "").casefold() + "\n" + " ".join(text.casefold().split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def digest(*values: Any) -> str:
    """A short name for JSON-like values that changes when any of them does: what a saved state
    or a kept view was made from."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclasses.dataclass(frozen=True)
class Article:
    """One news article, cleaned and ready for clustering.

    Attributes:
        id: stable identifier, see `article_id`.
        url: original address, if known.
        source: outlet name ("Press TV"), or the site's domain when no name is known.
        title: headline, if known.
        text: cleaned body, paragraphs separated by newlines.
        raw_text: the body as it arrived, before cleaning.
        removed: (rule, text) pairs for the pieces of `raw_text` that cleaning removed.
        published_at: publication time (aware datetime) or date; None when unknown.
        language: ISO 639-1 code.
        truncated: whether the body looks cut off; `truncation_reason` says why.
        origin: where it was read from ("seeds/a.txt", "feed.xml#3", "data.jsonl:12").
        meta: any other fields the input carried (for example a gold `event` label).
    """

    id: str
    text: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    raw_text: str = ""
    removed: tuple[tuple[str, str], ...] = ()
    published_at: PublicationTime | None = None
    language: str | None = None
    truncated: bool = False
    truncation_reason: str | None = None
    origin: str | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601 strings)."""
        data = dataclasses.asdict(self)
        data["removed"] = [{"rule": rule, "text": text} for rule, text in self.removed]
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data


# What dateutil takes a field a date leaves out from: the first month and day, and year 4, which
# no publication has (a leap year, so that "29 Feb" parses): a parsed year 4 is one the text left out.
_FIRST_DAY = dt.datetime(4, 1, 1)


def parse_publication_time(value: Any) -> PublicationTime | None:
    """Parse an ISO 8601 date or datetime; a naive datetime is taken as UTC.

    >>> parse_publication_time("2017-01-26")
    datetime.date(2017, 1, 26)
    >>> parse_publication_time("2017-01-26T10:00:00")
    datetime.datetime(2017, 1, 26, 10, 0, tzinfo=datetime.timezone.utc)

    Other forms (RFC 822, as feeds give, or "26 January 2017") are read by dateutil. What they
    leave out of month and day is the first, not today's, so the same input always gives the same
    time; a form without a year is refused:

    >>> parse_publication_time("Jan 2017")
    datetime.datetime(2017, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_publication_time("Monday")
    Traceback (most recent call last):
    ...
    ValueError: unreadable date 'Monday': no year
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _other_form(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _other_form(text: str) -> dt.datetime:
    from dateutil import parser as date_parser  # RFC 822 and other common feed forms

    try:
        parsed = date_parser.parse(text, default=_FIRST_DAY)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"unreadable date {text!r}") from exc
    if parsed.year == _FIRST_DAY.year:
        raise ValueError(f"unreadable date {text!r}: no year")
    return parsed


def as_datetime(value: PublicationTime | None) -> dt.datetime | None:
    """A date becomes midnight UTC, so that dates and datetimes can be compared."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def publication_order(
    items: Sequence[T], published: Callable[[T], PublicationTime | None] = operator.attrgetter("published_at")
) -> list[T]:
    """Items with a publication time sorted by it, in the places such items hold; the others keep
    their places (file order where dates are missing). By default the items are articles.

    >>> dates = {"a": dt.date(2020, 1, 2), "b": None, "c": dt.date(2020, 1, 1)}
    >>> [x.id for x in publication_order([Article(id=i, text="x", published_at=d) for i, d in dates.items()])]
    ['c', 'b', 'a']
    """
    times = [as_datetime(published(item)) for item in items]
    slots = iter(sorted((i for i, time in enumerate(times) if time), key=times.__getitem__))  # type: ignore[arg-type, return-value]
    return [items[next(slots)] if time else item for item, time in zip(items, times, strict=True)]


@dataclasses.dataclass(frozen=True)
class Assignment:
    """Where the clusterer put an article, and the evidence it weighed.

    Attributes:
        article_id: the article.
        story_id: its story.
        opened: whether it opened the story.
        probability: same-event probability with the best candidate story (0 if none).
        copy_of: the earlier article this one copies (syndication), if any.
        copy_similarity: estimated shingle Jaccard similarity with that article.
        evidence: each candidate story scored: {"story_id", "probability", "signals", "gap_days"}.
        seq: its place in the order the clusterer saw articles in, given by the store.
    """

    article_id: str
    story_id: int
    opened: bool
    probability: float
    copy_of: str | None = None
    copy_similarity: float | None = None
    evidence: tuple[dict[str, Any], ...] = ()
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["evidence"] = list(self.evidence)
        return data


@dataclasses.dataclass(frozen=True)
class Story:
    """One real-world event and the articles that report it.

    Attributes:
        id: stable story id.
        title: a headline for the story (its first report's title, or first sentence).
        article_ids: its articles, in publication order (undated ones last).
        sources: the outlets, in order of first report.
        first_published, last_published: the span of its dated articles.
        copies: syndicated copies: article id -> the id of the report it copies.
    """

    id: int
    title: str
    article_ids: tuple[str, ...]
    sources: tuple[str, ...]
    first_published: PublicationTime | None = None
    last_published: PublicationTime | None = None
    copies: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the `articles` key holds the article ids."""
        return {
            "id": self.id,
            "title": self.title,
            "articles": list(self.article_ids),
            "sources": list(self.sources),
            "first_published": self.first_published.isoformat() if self.first_published else None,
            "last_published": self.last_published.isoformat() if self.last_published else None,
            "copies": self.copies,
        }
