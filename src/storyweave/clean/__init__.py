"""Cleaning of article text that arrives already extracted: debris out, Unicode normalized.

The rules themselves are data, in `storyweave.clean.rules`; this module applies them and
records what each removed.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from typing import TypeVar

from storyweave.clean.rules import LINE_RULES, TAIL_RULES
from storyweave.clean.words import words

__all__ = ["CleanedText", "clean_text", "normalize_unicode", "truncation_reason", "words"]

# Quotes, dashes and spaces folded to one form each, so that outlets' typography does not
# split names or facts ("Iran’s" and "Iran's").
_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\t": " ",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)  # fmt: skip
_SENTENCE_END = frozenset(".!?\"')]")
# A scraper that stops at a buffer size leaves a text of exactly that many bytes.
_CUTOFF_SIZES = frozenset(2**k for k in range(8, 21)) | frozenset(1000 * k for k in (1, 2, 4, 5, 8, 10))
_MAX_DEBRIS_LINE = 200
# Tail rules match 400 characters at most (see rules.TAIL_RULES); searching only the end keeps
# them from scanning whole texts (their lookbehinds make a full search cost as much as the rest
# of cleaning).
_TAIL_WINDOW = 500


@dataclasses.dataclass(frozen=True)
class CleanedText:
    """The result of `clean_text`.

    Attributes:
        text: the cleaned body, one paragraph a line.
        removed: (rule name, removed text) pairs, in the order they were found.
        truncation_reason: why the text looks cut off, or None.
    """

    text: str
    removed: tuple[tuple[str, str], ...]
    truncation_reason: str | None


def normalize_unicode(text: str) -> str:
    """NFKC, then one form for quotes, dashes and spaces; line ends become \\n.

    >>> normalize_unicode("Iran’s “key” role – now")
    'Iran\\'s "key" role - now'
    """
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.translate(_TYPOGRAPHY)


_Rule = TypeVar("_Rule")  # a line rule (a pattern) or a tail rule (a marker and a pattern)


def _merged(table: dict[str, dict[str, _Rule]], language: str | None) -> tuple[tuple[str, _Rule], ...]:
    """The rules for `language`: those for every language, then its own (English's if it has none)."""
    return tuple({**table["*"], **table.get(language or "en", table["en"])}.items())


@functools.cache
def _line_rules(language: str | None) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _merged(LINE_RULES, language))


@functools.cache
def _tail_rules(language: str | None) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    return tuple((name, marker, re.compile(pattern)) for name, (marker, pattern) in _merged(TAIL_RULES, language))


def _debris_rule(line: str, rules: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    if len(line) > _MAX_DEBRIS_LINE:
        return None
    return next((name for name, pattern in rules if pattern.fullmatch(line)), None)


def _strip_tail(text: str, rules: tuple[tuple[str, str, re.Pattern[str]], ...]) -> tuple[str, list[tuple[str, str]]]:
    """Remove furniture glued to the end, repeatedly: a licence line can hide a sign-off."""
    removed: list[tuple[str, str]] = []
    changed = True
    while changed:
        changed = False
        for name, marker, pattern in rules:
            start = max(0, len(text) - _TAIL_WINDOW)
            if text.find(marker, start) < 0:
                continue
            match = pattern.search(text, start)
            if match and match.group().strip():
                removed.append((name, match.group().strip()))
                text = text[: match.start()].rstrip()
                changed = True
    return text, removed


def truncation_reason(raw: str, text: str) -> str | None:
    """Why `text` looks cut off, or None. `raw` is the text as it arrived."""
    size = len(raw.encode("utf-8"))
    if size in _CUTOFF_SIZES:
        return f"the raw text is exactly {size} bytes long, a common scraper cut-off"
    stripped = text.rstrip()
    if stripped.endswith(("...", "[...]", "(...)")):
        return "the text ends with an ellipsis"
    if stripped and stripped[-1] not in _SENTENCE_END:
        return "the text ends mid-sentence"
    return None


def clean_text(raw: str, language: str | None = "en") -> CleanedText:
    """Clean extracted article text.

    Parameters:
        raw: the text as scraped, paragraphs on separate lines.
        language: ISO 639-1 code choosing the debris rules; unknown languages use English's.

    >>> cleaned = clean_text("Talks ended.\\nRead more\\nBoth sides agreed. AB/CD")
    >>> cleaned.text
    'Talks ended.\\nBoth sides agreed.'
    >>> cleaned.removed
    (('read-more', 'Read more'), ('sign-off', 'AB/CD'))
    """
    line_rules = _line_rules(language)
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for line in normalize_unicode(raw).split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        rule = _debris_rule(line, line_rules)
        if rule:
            removed.append((rule, line))
        else:
            kept.append(line)
    text, tail_removed = _strip_tail("\n".join(kept), _tail_rules(language))
    removed.extend(tail_removed)
    return CleanedText(text=text, removed=tuple(removed), truncation_reason=truncation_reason(raw, text))
