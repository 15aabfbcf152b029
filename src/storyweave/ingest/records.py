"""The one place where a reader's raw fields become an `Article`: clean, date, language, id."""

from __future__ import annotations

from typing import Any

from storyweave.clean import clean_text
from storyweave.clean.language import detect_language
from storyweave.errors import InputError
from storyweave.types import Article, article_id, parse_publication_time

ARTICLE_FIELDS = ("id", "url", "source", "title", "text", "published_at", "language")
MAX_TEXT_CHARS = 2_000_000


def _text_field(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def article_from_record(record: dict[str, Any], location: str) -> Article:
    """Build a cleaned `Article` from raw fields.

    Parameters:
        record: `text` is required; `title`, `url`, `source`, `published_at`, `language` and
            `id` are optional (an `id` given by the input is kept); any other key goes to `meta`.
        location: where the record came from, used in errors and kept as `origin`.

    Raises:
        InputError: no text, an oversized text, or an unreadable date.
    """
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(location, "no article text")
    if len(raw) > MAX_TEXT_CHARS:
        raise InputError(location, f"text of {len(raw):,} characters exceeds the {MAX_TEXT_CHARS:,} limit")
    declared_language = _text_field(record, "language")
    cleaned = clean_text(raw, declared_language or "en")
    if not cleaned.text:
        raise InputError(location, "nothing is left once page debris is removed")
    language = declared_language or detect_language(cleaned.text)
    title = _text_field(record, "title")
    if title:
        title = " ".join(clean_text(title, language).text.split())
    try:
        published_at = parse_publication_time(record.get("published_at"))
    except ValueError as exc:
        raise InputError(location, str(exc)) from exc
    url, source = _text_field(record, "url"), _text_field(record, "source")
    return Article(
        id=_text_field(record, "id") or article_id(url, source, cleaned.text),
        text=cleaned.text,
        url=url,
        source=source,
        title=title,
        raw_text=raw,
        removed=cleaned.removed,
        published_at=published_at,
        language=language,
        truncated=cleaned.truncation_reason is not None,
        truncation_reason=cleaned.truncation_reason,
        origin=location,
        meta={k: v for k, v in record.items() if k not in ARTICLE_FIELDS and v is not None},
    )
