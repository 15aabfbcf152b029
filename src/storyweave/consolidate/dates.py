"""Time expressions resolved against an article's publication date.

News dates things relative to publication: "on Thursday" in an article of Thursday 26 January
2017 is that day, "on Wednesday" the day before, "earlier this week" a range. dateparser reads
absolute dates well but resolves weekdays to the week before ("on Thursday" on a Thursday) and
over-matches in running text, so weekdays and the common relative phrases are resolved here, and
absolute dates are read by the month-name grammar of `storyweave.clean.dates`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from storyweave.clean.dates import DAY_MONTH, MONTH, MONTH_DAY, MONTHS, month_name_parts, safe_date

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_YEAR = re.compile(rf"\b{MONTH}\s+((?:19|20)\d\d)\b", re.I)
_YEAR_ONLY = re.compile(r"^(?:in\s+)?((?:19|20)\d\d)$", re.I)
_WEEKDAY = re.compile(r"\b(last|this|next)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_SAME_DAY = re.compile(
    r"\b(today|tonight|this (morning|afternoon|evening)|earlier (in|int|on)? ?the day|later (in )?the day)\b", re.I
)


@dataclasses.dataclass(frozen=True)
class ResolvedDate:
    """A time expression as a day or a range of days."""

    start: dt.date
    end: dt.date
    expression: str

    @property
    def is_day(self) -> bool:
        return self.start == self.end

    def overlaps(self, other: ResolvedDate) -> bool:
        return self.start <= other.end and other.start <= self.end


def _range(start: dt.date, end: dt.date, expression: str) -> ResolvedDate:
    return ResolvedDate(start, end, expression)


def _year_for(month: int, day: int, published: dt.date | None) -> int | None:
    """A month and day without a year: the latest such date not far after publication."""
    if published is None:
        return None
    candidate = safe_date(published.year, month, day)
    if candidate and candidate > published + dt.timedelta(days=31):
        return published.year - 1
    return published.year


def _absolute(text: str, published: dt.date | None) -> ResolvedDate | None:
    for pattern, month_first in ((MONTH_DAY, True), (DAY_MONTH, False)):
        match = pattern.search(text)
        if not match:
            continue
        month, day, last_day, year = month_name_parts(match, month_first)
        chosen_year = year or _year_for(month, day, published)
        if chosen_year is None:
            return None
        start = safe_date(chosen_year, month, day)
        end = safe_date(chosen_year, month, last_day) if last_day is not None else start
        return _range(start, end, text) if start and end and end >= start else None
    match = _MONTH_YEAR.search(text)
    if match:
        month, year = MONTHS[match.group(1).lower().rstrip(".")], int(match.group(2))
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return _range(dt.date(year, month, 1), last, text)
    match = _YEAR_ONLY.match(text.strip())
    if match:
        year = int(match.group(1))
        return _range(dt.date(year, 1, 1), dt.date(year, 12, 31), text)
    return None


def _relative(text: str, published: dt.date) -> ResolvedDate | None:
    lowered = text.lower()
    if _SAME_DAY.search(lowered):
        return _range(published, published, text)
    if "yesterday" in lowered:
        day = published - dt.timedelta(days=1)
        return _range(day, day, text)
    if "tomorrow" in lowered:
        day = published + dt.timedelta(days=1)
        return _range(day, day, text)
    monday = published - dt.timedelta(days=published.weekday())
    if "last week" in lowered:
        return _range(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), text)
    if "this week" in lowered:
        return _range(monday, published, text)
    match = _WEEKDAY.search(lowered)
    if match:
        qualifier, weekday = match.group(1), _WEEKDAYS.index(match.group(2))
        if qualifier == "next":
            ahead = (weekday - published.weekday()) % 7 or 7
            day = published + dt.timedelta(days=ahead)
        else:
            back = (published.weekday() - weekday) % 7
            if qualifier == "last" and back == 0:
                back = 7
            day = published - dt.timedelta(days=back)  # "on Thursday" in Thursday's paper is that Thursday
        return _range(day, day, text)
    return None


def resolve(expression: str, published: dt.date | None) -> ResolvedDate | None:
    """Resolve a time expression (as NER marks it) against the publication date.

    >>> thursday = dt.date(2017, 1, 26)
    >>> resolve("Thursday", thursday).start, resolve("Wednesday", thursday).start
    (datetime.date(2017, 1, 26), datetime.date(2017, 1, 25))
    >>> r = resolve("earlier this week", thursday); (r.start, r.end)
    (datetime.date(2017, 1, 23), datetime.date(2017, 1, 26))
    >>> resolve("December 30, 2016", None).start
    datetime.date(2016, 12, 30)
    >>> r = resolve("January 23-24", thursday); (r.start, r.end)
    (datetime.date(2017, 1, 23), datetime.date(2017, 1, 24))
    """
    absolute = _absolute(expression, published)
    if absolute is not None:
        return absolute
    return _relative(expression, published) if published else None
