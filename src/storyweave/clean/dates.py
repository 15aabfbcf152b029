"""Dates written in text: a small grammar of month-name and numeric dates, and the dateline.

Scraped articles often carry their publication date as a line at their head ("Posted: May 24,
2005", "22 July 2013 Last updated at 17:50 GMT", "Updated 5 / 5 / 2010 1:41 PM"). When a record
states no publication date, that dateline is the best evidence of when it appeared.

Written here rather than with dateparser: this runs on every article on the ingest hot path,
where dateparser's search costs milliseconds per text and over-matches in running prose.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}  # fmt: skip
MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
# "January 23", "Jan. 23-24, 2017"; "23 January", "23-24 January 2017": the year is optional.
MONTH_DAY = re.compile(rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*-\s*(\d{{1,2}}))?(?:,?\s+{_YEAR})?\b", re.I)
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*-\s*(\d{{1,2}}))?\s+{MONTH}(?:,?\s+{_YEAR})?\b", re.I)
# "5 / 5 / 2010", "08. 07. 2012", "12/16/08", and ISO "2012 - 04 - 04" (scrapers space the separators).
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d])")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*([-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
# What a dateline says besides its date: these words do not make a line prose.
_DATELINE_WORDS = frozenset(
    "posted published updated last first created found release on at by am pm a m p gmt bst et est edt pt pdt pst "
    "cst cdt mst ist utc cet cest aest hrs time story downloaded article local monday tuesday wednesday thursday "
    "friday saturday sunday mon tue tues wed thu thur thurs fri sat sun".split()
)
_WORD = re.compile(r"[^\W\d_]+")
_HEAD_LINES = 4  # the title, then this many lines of text, are searched for a dateline
_MAX_DATELINE = 100  # characters: a longer line is prose, not a dateline
_MAX_OTHER_WORDS = 3  # a place or an agency name may stand beside the date ("WASHINGTON, DC, April 28, 2009")


def safe_date(year: int, month: int, day_of_month: int) -> dt.date | None:
    """The date, or None for an impossible one (30 February)."""
    try:
        return dt.date(year, month, day_of_month)
    except ValueError:
        return None


def _numeric(match: re.Match[str]) -> dt.date | None:
    first, separator, second, year_text = match.groups()
    year = int(year_text) + (0 if len(year_text) == 4 else 2000 if int(year_text) < 50 else 1900)
    a, b = int(first), int(second)
    # Slashes are mostly American (month first), dots and dashes mostly day first; a number above
    # 12 settles it either way.
    month_first = (separator == "/" and a <= 12) or b > 12
    return safe_date(year, a, b) if month_first else safe_date(year, b, a)


def month_name_parts(match: re.Match[str], month_first: bool) -> tuple[int, int, int | None, int | None]:
    """(month, day, last day of a range or None, year or None) of a `MONTH_DAY` match
    (`month_first`) or a `DAY_MONTH` one."""
    if month_first:
        month_name, day, last_day, year = match.groups()
    else:
        day, last_day, month_name, year = match.groups()
    return (
        MONTHS[month_name.lower()],
        int(day),
        int(last_day) if last_day is not None else None,
        int(year) if year else None,
    )


def _month_name(match: re.Match[str], month_first: bool) -> dt.date | None:
    month, day, _, year = month_name_parts(match, month_first)
    return safe_date(year, month, day) if year else None


def dated_spans(text: str) -> list[tuple[int, int, dt.date]]:
    """Every full date (day, month and year) in `text`, as (start, end, date), in text order.

    >>> [d.isoformat() for _, _, d in dated_spans("Posted 2 / 3 / 2009; on Dec. 19, 2008 and 7 July 2012")]
    ['2009-02-03', '2008-12-19', '2012-07-07']
    """
    found = []
    for pattern, month_first in ((MONTH_DAY, True), (DAY_MONTH, False)):
        found += [(m.start(), m.end(), d) for m in pattern.finditer(text) if (d := _month_name(m, month_first))]
    found += [(m.start(), m.end(), d) for m in _NUMERIC.finditer(text) if (d := _numeric(m))]
    found += [(m.start(), m.end(), d) for m in _ISO.finditer(text) if (d := safe_date(*map(int, m.group(1, 3, 4))))]
    return sorted(found, key=lambda span: span[0])


def dateline(title: str | None, text: str) -> dt.date | None:
    """The publication date a dateline at the head of an article states, or None.

    A dateline is a short line of the title or the first lines whose words, besides the date, are
    dateline furniture ("Posted", "Updated", weekdays, time zones) or a place, or a line that
    starts with a date. A date in a sentence is an event's date, not a dateline.

    >>> dateline("Quake hits Iran", "November 28th, 2005, 09: 11 GMT\\nA 5.9 magnitude earthquake ...")
    datetime.date(2005, 11, 28)
    >>> dateline(None, "Updated 5 / 5 / 2010 1: 41 PM\\nThree people died ...")
    datetime.date(2010, 5, 5)
    >>> dateline(None, "Reid checked herself in on Tuesday, December 9, 2008.") is None
    True
    """
    for line in [title or "", *text.split("\n", _HEAD_LINES)[:_HEAD_LINES]]:
        line = line.strip()
        if not line or len(line) > _MAX_DATELINE:
            continue
        spans = dated_spans(line)
        if not spans:
            continue
        start, end, date = spans[0]
        rest = line[:start] + " " + line[end:]
        other_words = [w for w in _WORD.findall(rest) if w.lower() not in _DATELINE_WORDS]
        if start <= 2 or len(other_words) <= _MAX_OTHER_WORDS:
            return date
    return None
