"""The consolidated story view: sources, entities, facts, conflicts, timeline, events, summary.

`build_view` is the one entry point; its `StoryView.to_dict()` is the versioned JSON contract
that the CLI, the HTTP API and the web page serve (documented in docs/story-view.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from storyweave.clean.dates import dateline
from storyweave.cluster.embeddings import load_embedder
from storyweave.consolidate.dates import ResolvedDate, resolve
from storyweave.consolidate.entities import Entity, canonical_entities, mentions_in
from storyweave.consolidate.events import Event, event_mentions, merge_events
from storyweave.consolidate.facts import Conflict, Fact, Sentence, align, conflicts, sentences_of, timeline_dates
from storyweave.consolidate.nlp import parse
from storyweave.types import Article, Story

SCHEMA_VERSION = 1
_SUMMARY_SENTENCES = 4


@dataclasses.dataclass
class Publication:
    """When a report appeared, stated or inferred."""

    date: dt.date | None
    inferred: str | None  # how it was inferred, when it was


@dataclasses.dataclass
class StoryView:
    """Everything the story page shows; see `to_dict` for the JSON contract."""

    story: Story
    articles: list[Article]
    publications: dict[str, Publication]
    entities: list[Entity]
    facts: list[Fact]
    conflicts: list[Conflict]
    timeline: list[dict[str, Any]]
    events: list[Event]
    title: str

    def _name(self, entity_id: int | None) -> str | None:
        return None if entity_id is None else next(e.name for e in self.entities if e.id == entity_id)

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON form (schema_version 1)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.story.id,
            "title": self.title,
            "sources": self._sources(),
            "entities": [e.to_dict() for e in self.entities],
            "facts": [self._fact(f) for f in self.facts],
            "conflicts": [
                {"fact_id": c.fact_id, "kind": c.kind,
                 "values": [{"source": s, "value": v, "text": t} for s, v, t in c.values]}
                for c in self.conflicts
            ],
            "timeline": self.timeline,
            "events": [self._event(e) for e in self.events],
            "summary": self.summary(),
        }  # fmt: skip

    def _sources(self) -> list[dict[str, Any]]:
        rows = []
        dated = [
            (p.date, p.inferred is not None, n, a.id)
            for n, a in enumerate(self.articles)
            if (p := self.publications[a.id]).date
        ]
        first = min(dated)[-1] if dated else None  # the earliest; on a tie, a stated date beats an inferred one
        for article in self.articles:
            publication = self.publications[article.id]
            rows.append({
                "source": article.source, "article_id": article.id, "url": article.url, "title": article.title,
                "published_at": publication.date.isoformat() if publication.date else None,
                "published_inferred": publication.inferred, "first": article.id == first,
                "copy_of": self.story.copies.get(article.id),
            })  # fmt: skip
        return rows

    def _fact(self, fact: Fact) -> dict[str, Any]:
        return {
            "id": fact.id,
            "text": fact.text,
            "status": fact.status,
            "sources": list(dict.fromkeys(s.source for s in fact.sentences)),
            "sentences": [{"source": s.source, "article_id": s.article_id, "text": s.text} for s in fact.sentences],
            "also_published_by": self._copies_of(s.article_id for s in fact.sentences),
        }

    def _copies_of(self, article_ids: object) -> list[str]:
        originals = set(article_ids)  # type: ignore[call-overload]
        sources = {a.id: a.source for a in self.articles}
        return [sources[c] or c for c, original in self.story.copies.items() if original in originals]

    def _event(self, event: Event) -> dict[str, Any]:
        return {
            "actor": self._name(event.actor),
            "action": event.action,
            "target": self._name(event.target),
            "place": self._name(event.place),
            "date": _date_text(event.date),
            "sources": list(dict.fromkeys(m.source for m in event.mentions)),
            "sentences": [{"source": m.source, "text": m.sentence} for m in event.mentions],
        }

    def summary(self) -> list[dict[str, Any]]:
        """A few facts, the most corroborated first, in the order the first report gives them."""
        ranked = sorted(self.facts, key=lambda f: (-len(f.sentences), f.id))[:_SUMMARY_SENTENCES]
        return [
            {"text": f.text, "sources": list(dict.fromkeys(s.source for s in f.sentences))}
            for f in sorted(ranked, key=lambda f: f.id)
        ]


def _date_text(date: ResolvedDate | None) -> str | None:
    if date is None:
        return None
    return date.start.isoformat() if date.is_day else f"{date.start.isoformat()}/{date.end.isoformat()}"


def _stated(article: Article) -> dt.date | None:
    value = article.published_at
    return value.date() if isinstance(value, dt.datetime) else value


def infer_publications(articles: Sequence[Article], docs: Sequence[Doc]) -> dict[str, Publication]:
    """Stated dates, and for undated reports one inferred: the dateline at the head of the text,
    or else the median date of the story's dated reports, moved later if the text names a later day."""
    stated = {a.id: _stated(a) for a in articles}
    known = sorted(d for d in stated.values() if d)
    result = {}
    for article, doc in zip(articles, docs, strict=True):
        if stated[article.id]:
            result[article.id] = Publication(stated[article.id], None)
            continue
        if headed := dateline(article.title, article.text):
            result[article.id] = Publication(headed, "dateline at the head of its text")
            continue
        named = [d.end for e in doc.ents if e.label_ == "DATE" and (d := resolve(e.text, None)) and d.is_day]
        guess = statistics.median_low(known) if known else None
        if named and (guess is None or max(named) > guess):
            result[article.id] = Publication(max(named), "latest day its own text names")
        elif guess:
            result[article.id] = Publication(guess, "median publication date of the story's dated reports")
        else:
            result[article.id] = Publication(None, None)
    return result


def _timeline(facts: Sequence[Fact]) -> list[dict[str, Any]]:
    entries: dict[tuple[dt.date, dt.date, int], dict[str, Any]] = {}
    for fact in facts:
        for sentence in fact.sentences:
            for date in timeline_dates(sentence):
                entry = entries.setdefault((date.start, date.end, fact.id), {
                    "date": date.start.isoformat(), "end": None if date.is_day else date.end.isoformat(),
                    "expression": date.expression, "text": sentence.text, "sources": [], "fact_id": fact.id,
                })  # fmt: skip
                if sentence.source not in entry["sources"]:
                    entry["sources"].append(sentence.source)
    return [entries[key] for key in sorted(entries)]


_THIRD_PERSON = {"meet": "meets"}


def _title(view_entities: list[Entity], events: Sequence[Event], story: Story, articles: Sequence[Article]) -> str:
    """The leading event with a target, as a sentence; else the story's own title (the store
    picks one that reads as a headline, not a dateline or a banner)."""
    names = {e.id: e.name for e in view_entities}
    for event in events:
        if event.target is not None:
            verb = _THIRD_PERSON.get(
                event.action, event.action + ("es" if event.action.endswith(("s", "sh", "ch")) else "s")
            )
            place = f" in {names[event.place]}" if event.place is not None else ""
            return f"{names[event.actor]} {verb} {names[event.target]}{place}"
    return story.title or articles[0].text.split("\n", 1)[0][:120]


def build_view(story: Story, articles: Sequence[Article], embedder: str = "static") -> StoryView:
    """Consolidate a story's articles (in the story's order) into its view."""
    originals = [a for a in articles if a.id not in story.copies]
    docs = parse([a.text for a in originals])
    publications = infer_publications(originals, docs)
    for copy in (a for a in articles if a.id in story.copies):
        publications[copy.id] = Publication(_stated(copy), None)
    mentions = [m for a, d in zip(originals, docs, strict=True) for m in mentions_in(d, a.source or a.id, a.id)]
    entities, lookup = canonical_entities(mentions)
    sentences: list[Sentence] = [
        s for a, d in zip(originals, docs, strict=True)
        for s in sentences_of(d, a.id, a.source or a.id, publications[a.id].date, lookup)
    ]  # fmt: skip
    for sentence, vector in zip(sentences, load_embedder(embedder).encode([s.text for s in sentences]), strict=True):
        sentence.embedding = vector
    facts = align(sentences)
    kinds = {e.id: e.kind for e in entities}
    roles = {e.id: " ".join(e.roles) for e in entities}
    events = merge_events([
        m for a, d in zip(originals, docs, strict=True)
        for m in event_mentions(d, a.source or a.id, publications[a.id].date, lookup, kinds, roles)
    ])  # fmt: skip
    return StoryView(
        story=story,
        articles=list(articles),
        publications=publications,
        entities=entities,
        facts=facts,
        conflicts=conflicts(facts, {e.id: e.name for e in entities}),
        timeline=_timeline(facts),
        events=events,
        title=_title(entities, events, story, originals),
    )
