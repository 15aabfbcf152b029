"""What the clusterer sees of an article: terms, lead terms, names, dates, publication time.

Everything here is cheap (regular expressions, no model), because it runs on every article on
the ingest hot path. The heavy signals (NER, transformer embeddings) belong to the story view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storyweave.types import Article, as_datetime

_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|\d+(?:[.,]\d+)*", re.UNICODE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
# A run of capitalized words, allowing lowercase particles inside names ("Abu Bakr al-Baghdadi").
_NAME = re.compile(r"\b(?:[A-Z][\w'-]*[a-z][\w'-]*|[A-Z]{2,})(?:\s+(?:(?:al|el|de|van|von|bin|da|of|the)[\s-])?"
                   r"(?:[A-Z][\w'-]*[a-z][\w'-]*|[A-Z]{2,}))*")  # fmt: skip
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], start=1)}  # fmt: skip
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+((?:19|20)\d\d)\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "told", "mr", "mrs", "ms", "according", "also", "new",
                                              "year", "years", "just", "like", "s"}  # fmt: skip
_NAME_STOP = (
    frozenset(w.capitalize() for w in STOP_WORDS)
    | {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
    | {m.capitalize() for m in _MONTHS}
)
_LEAD_SENTENCES = 2
# Generic heads of place names: "Qeshm Island" is also "Qeshm".
_GENERIC_HEADS = frozenset({"island", "islands", "province", "city", "county", "state", "river", "valley", "district",
                            "region", "mountains", "bay", "lake", "square", "street", "airport", "port"})  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """The clusterer's view of one article.

    Attributes:
        terms: content-word counts of title and body.
        lead: content-word counts of the title and the first sentences, where news puts the event.
        names: capitalized name phrases and their last words ("bashar al-assad", "assad").
        lead_names: the names in the title and first sentences: who the report is about.
        years: years the text mentions.
        dates: full dates the text mentions, as ISO strings.
        published: publication time (UTC), or None.
    """

    terms: Counter[str]
    lead: Counter[str]
    names: Counter[str]
    lead_names: Counter[str]
    years: frozenset[int]
    dates: frozenset[str]
    published: dt.datetime | None


def tokens(text: str) -> list[str]:
    """Lower-cased content words and numbers, stop words dropped.

    >>> tokens("Iran's envoy met Syria's President in Damascus on 26 January")
    ['iran', 'envoy', 'met', 'syria', 'president', 'damascus', '26', 'january']
    """
    return [w for w in (m.lower().removesuffix("'s") for m in _WORD.findall(text)) if w not in STOP_WORDS]


def names(text: str) -> Counter[str]:
    """Capitalized phrases and their last word, lower-cased, as name keys.

    >>> sorted(names("Iraqi leader Abu Bakr al-Baghdadi spoke. Baghdadi said").items())
    [('abu bakr al-baghdadi', 1), ('baghdadi', 1), ('bakr al-baghdadi', 1)]
    """
    found: Counter[str] = Counter()
    for match in _NAME.finditer(text):
        words = [w.removesuffix("'s") for w in match.group().split() if w not in _NAME_STOP]
        if not words or (len(words) == 1 and _sentence_initial(text, match.start())):
            continue  # one capitalized word opening a sentence is as likely a common word
        phrase = " ".join(words).lower()
        found[phrase] += 1
        if len(words) > 1 and words[-1].lower() in _GENERIC_HEADS:
            words = words[:-1]
            found[" ".join(words).lower()] += 1
        if len(words) > 1:
            last = words[-1].lower()
            last = last.split("-", 1)[1] if last.startswith(("al-", "el-")) else last
            found[last] += 1
            if len(words) > 2:
                found[" ".join(words[-2:]).lower()] += 1
    return found


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \"'(")
    return not before or before[-1] in ".!?:\n"


def _dates(text: str) -> frozenset[str]:
    found = set()
    for day, month, year in _DAY_MONTH_YEAR.findall(text):
        found.add(f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d}")
    for month, day, year in _MONTH_DAY_YEAR.findall(text):
        found.add(f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d}")
    return frozenset(found)


def article_features(article: Article) -> ArticleFeatures:
    """Extract an article's features (see `ArticleFeatures`)."""
    body = article.text
    title = article.title or ""
    lead_text = title + " " + " ".join(_SENTENCE_SPLIT.split(body[:1500], maxsplit=_LEAD_SENTENCES)[:_LEAD_SENTENCES])
    published = as_datetime(article.published_at)
    return ArticleFeatures(
        terms=Counter(tokens(title + "\n" + body)),
        lead=Counter(tokens(lead_text)),
        names=names(title + "\n" + body),
        lead_names=names(lead_text),
        years=frozenset(int(y) for y in _YEAR.findall(body)),
        dates=_dates(body),
        published=published.astimezone(dt.UTC) if published else None,
    )
