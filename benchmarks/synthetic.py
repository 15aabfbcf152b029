"""A synthetic news stream for speed and memory benchmarks (never for quality figures).

Articles have realistic lengths (300-450 words in sentences and paragraphs), a Zipfian background
vocabulary, and events that come in topics: events of one topic share keywords, each event has its
own names, place and numbers, and events have a heavy-tailed number of articles spread over a few
days of publication times, from a few hundred outlets. Articles are published at a steady rate
a day, whatever the stream's length: a longer stream spans more days, not more stories at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy.special import zeta

_SYLLABLES = [c + v for c in "bdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_EVENT_SIZE_EXPONENT, _LARGEST_EVENT = 1.8, 300  # event sizes: Zipf-distributed, capped
_SIZES_BELOW_CAP = np.arange(1, _LARGEST_EVENT)
_P_BELOW_CAP = _SIZES_BELOW_CAP**-_EVENT_SIZE_EXPONENT / zeta(_EVENT_SIZE_EXPONENT)
# E[min(K, cap)] for K ~ Zipf: what sets the time between events for a given rate of articles
MEAN_EVENT_SIZE = float(_SIZES_BELOW_CAP @ _P_BELOW_CAP + _LARGEST_EVENT * (1 - _P_BELOW_CAP.sum()))
PER_DAY = 2000  # articles a day: "thousands a day from many outlets"


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES, size=rng.integers(1, 4))))
    return sorted(words)


def generate(n_articles: int, seed: int = 7, per_day: float = PER_DAY) -> Iterator[dict[str, object]]:
    """Yield `n_articles` article records (the JSONL format of `storyweave eval`), in time order,
    about `per_day` of them published each day."""
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(rng, 30_000)
    zipf = np.cumsum(1.0 / np.arange(1, len(vocabulary) + 1) ** 1.05)
    zipf /= zipf[-1]  # a cumulative distribution, sampled by bisection (rng.choice with p= is slow)
    sources = [f"outlet{i}.example" for i in range(300)]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    clock = 0.0  # hours since start at which the next event happens
    produced, event_number = 0, 0
    pending: list[tuple[float, int, dict[str, object]]] = []
    common, rare = np.array(vocabulary[200:5000]), np.array(vocabulary[3000:])
    topics = [rng.choice(common, size=8) for _ in range(max(10, n_articles // 200))]
    while produced < n_articles:
        event_number += 1
        clock += rng.exponential(24 * MEAN_EVENT_SIZE / per_day)  # a Poisson process of events
        topic = topics[rng.integers(len(topics))]
        names = [" ".join(w.capitalize() for w in rng.choice(rare, size=2)) for _ in range(4)]
        place = str(rng.choice(rare)).capitalize()
        numbers = [str(rng.integers(2, 500)) for _ in range(3)]
        size = min(int(rng.zipf(_EVENT_SIZE_EXPONENT)), _LARGEST_EVENT, n_articles - produced)
        for _ in range(size):
            hours = clock + rng.exponential(18)
            when = start + dt.timedelta(hours=hours)
            record = _article(rng, vocabulary, zipf, topic, names, place, numbers, event_number, sources, when)
            heapq.heappush(pending, (hours, produced, record))
            produced += 1
        while pending and pending[0][0] < clock:
            yield heapq.heappop(pending)[2]
    while pending:
        yield heapq.heappop(pending)[2]


def _article(
    rng: np.random.Generator,
    vocabulary: list[str],
    zipf: np.ndarray,
    topic: np.ndarray,
    names: list[str],
    place: str,
    numbers: list[str],
    event: int,
    sources: list[str],
    when: dt.datetime,
) -> dict[str, object]:
    event_words = [*topic, *names, place, *numbers]
    ranks = np.searchsorted(zipf, rng.random(int(rng.integers(300, 450))))
    words = [vocabulary[r] for r in ranks]
    for position in rng.choice(len(words), size=len(words) // 6, replace=False):
        words[position] = event_words[rng.integers(len(event_words))]
    paragraph: list[str] = []
    paragraphs: list[str] = []
    at = 0
    while at < len(words):
        length = int(rng.integers(12, 26))
        sentence = " ".join(words[at : at + length])
        paragraph.append(sentence[:1].upper() + sentence[1:] + ".")
        at += length
        if len(paragraph) >= rng.integers(2, 5):
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    paragraphs.append(" ".join(paragraph))
    title = f"{names[0]} {rng.choice(topic)} in {place} {rng.choice(topic)}"
    return {
        "id": f"syn-{event}-{rng.integers(1 << 40):x}",
        "title": title,
        "text": "\n".join(p for p in paragraphs if p),
        "published_at": when.isoformat(),
        "source": sources[rng.integers(len(sources))],
        "url": None,
        "language": "en",
        "event": str(event),
    }


def follow_up(stream: Path, path: Path, n_articles: int = 1000, per_day: float = PER_DAY) -> Path:
    """Write `n_articles` more of another stream at `per_day` articles a day, as if published from
    the end of `stream` on: what a later `ingest` into a store holding `stream` sees."""
    with stream.open("rb") as lines:
        lines.seek(max(0, lines.seek(0, 2) - (1 << 16)))
        last = json.loads(lines.read().splitlines()[-1])
    shift = dt.datetime.fromisoformat(last["published_at"]) - dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with path.open("w", encoding="utf-8") as out:
        for record in generate(n_articles, seed=8, per_day=per_day):
            published = (dt.datetime.fromisoformat(str(record["published_at"])) + shift).isoformat()
            out.write(json.dumps({**record, "id": f"more-{record['id']}", "published_at": published}) + "\n")
    return path


def write(path: Path, n_articles: int, seed: int = 7, per_day: float = PER_DAY) -> Path:
    """Write the stream as JSONL (once: an existing file of the right size is reused, so name the
    file after the size and the rate)."""
    if path.exists() and sum(1 for _ in path.open()) == n_articles:
        return path
    with path.open("w", encoding="utf-8") as stream:
        for record in generate(n_articles, seed, per_day):
            stream.write(json.dumps(record) + "\n")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-day", type=float, default=PER_DAY, help=f"articles a day (default {PER_DAY:,})")
    args = parser.parse_args()
    write(args.out, args.n, per_day=args.per_day)
    sys.exit(0)
