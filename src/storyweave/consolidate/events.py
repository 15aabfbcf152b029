"""Event records, who did what to whom, where and when, read off the dependency parse.

An event is a verb from a list of event verbs, its subject (the actor), its object or the object
of "with"/"on"/"against"/"to" (the target), a place in an "in"/"at" phrase, and a date from the
sentence or, failing that, the first day the report names. A pronoun subject ("He") stands for
the last person who was a subject in that report; a description ("the Iranian official") for
the last such person whose roles share one of its words. Records from different reports with the
same actor, action and target are one event.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from storyweave.consolidate.dates import ResolvedDate, resolve
from storyweave.consolidate.entities import Key, entity_spans, span_key
from storyweave.consolidate.nlp import sentence_entities

# Verbs that report an event rather than an opinion (lemmas).
EVENT_VERBS = frozenset(
    """meet sit visit talk host receive discuss negotiate sign agree announce launch release nominate appoint elect
    resign fire sack hire arrest detain charge sentence convict acquit free capture seize kill shoot attack strike
    bomb hit injure wound die win beat defeat lose score retain stop knock rescue evacuate destroy damage collapse
    congratulate condemn hail warn threaten sue ban approve reject veto pass vote rob steal raid loot kidnap abduct
    hijack crash explode burn flood erupt""".split()
)
_ACTOR_DEPS = frozenset({"nsubj", "nsubjpass"})
_TARGET_DEPS = frozenset({"dobj", "obj", "attr"})
_TARGET_PREPS = frozenset({"with", "against", "to"})
# "On" names a target only after these ("fired on protesters"); elsewhere a medium or a topic
# ("announced on Twitter", "talks on Syria").
_ON_TARGET_VERBS = frozenset({"fire", "vote", "attack", "strike"})
_PLACE_PREPS = frozenset({"in", "at"})
_PRONOUNS = frozenset({"he", "she"})
# Phrasal verbs that name another event verb's action.
_PHRASAL = {("sit", "down"): "meet", ("hold", "talks"): "meet"}
_LEAD_SENTENCES = 3
_SYMMETRIC = frozenset({"meet", "talk", "negotiate", "discuss", "sign", "agree"})  # A and B met: A met B


@dataclasses.dataclass(frozen=True)
class EventMention:
    """One report's statement of an event; entities as ids of the story's entities."""

    actor: int
    action: str
    target: int | None
    place: int | None
    date: ResolvedDate | None
    source: str
    sentence: str
    position: int  # the sentence's index in its report


@dataclasses.dataclass
class Event:
    """An event record with every report that states it."""

    actor: int
    action: str
    target: int | None
    place: int | None
    date: ResolvedDate | None
    mentions: list[EventMention]


def _entity_at(token: Token, spans: Sequence[Span], lookup: dict[Key, int]) -> int | None:
    """The entity a noun stands for: its own span, that of a name in apposition, or, for a
    name, that of a name compounded with it. A common noun's compound is a modifier, not what
    the noun stands for: "a rural Alabama doctor" is not Alabama, "a Paris store" not Paris."""
    linked = {"compound", "appos"} if token.pos_ == "PROPN" else {"appos"}
    words = [token, *(child for child in token.children if child.dep_ in linked)]
    for span in spans:
        if any(span.start <= word.i < span.end for word in words):
            return lookup.get(span_key(span))
    return None


def _target(verb: Token, spans: Sequence[Span], lookup: dict[Key, int]) -> int | None:
    for child in verb.children:
        if child.dep_ in _TARGET_DEPS and (found := _entity_at(child, spans, lookup)):
            return found
        if child.dep_ == "prep" and _introduces_target(child, verb):
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and (found := _entity_at(grandchild, spans, lookup)):
                    return found
        if child.dep_ == "prt" and (found := _target(child, spans, lookup)):  # "sat down with X"
            return found
    return None


def _introduces_target(preposition: Token, verb: Token) -> bool:
    """Whether a preposition of `verb` introduces what the action is done to."""
    word = preposition.lower_
    return word in _TARGET_PREPS or (word == "on" and verb.lemma_.lower() in _ON_TARGET_VERBS)


def _co_subject(verb: Token, spans: Sequence[Span], lookup: dict[Key, int]) -> int | None:
    """The second of two subjects of `verb`, for a symmetric action: in "Assad and
    Amir-Abdollahian met", each met the other."""
    for subject in (child for child in verb.children if child.dep_ in _ACTOR_DEPS):
        for conjunct in (child for child in subject.children if child.dep_ == "conj"):
            if (found := _entity_at(conjunct, spans, lookup)) is not None:
                return found
    return None


def _place(verb: Token, spans: Sequence[Span], lookup: dict[Key, int], places: set[int]) -> int | None:
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
            for grandchild in child.children:
                found = _entity_at(grandchild, spans, lookup)
                if found in places:
                    return found
    return None


def _action(verb: Token) -> str:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if (lemma, child.lower_) in _PHRASAL:
            return _PHRASAL[(lemma, child.lower_)]
    return lemma


def _actor(
    verb: Token, spans: Sequence[Span], lookup: dict[Key, int], persons: list[int], roles: dict[int, str]
) -> int | None:
    for child in verb.children:
        if child.dep_ not in _ACTOR_DEPS:
            continue
        found = _entity_at(child, spans, lookup)
        if found is not None:
            return found
        if child.lower_ in _PRONOUNS:
            return persons[-1] if persons else None
        words = {child.lemma_.lower()} | {t.lower_ for t in child.children if t.dep_ in {"amod", "compound"}}
        return next((p for p in reversed(persons) if words & set(roles.get(p, "").lower().split())), None)
    return None


def event_mentions(
    doc: Doc, source: str, published: object, lookup: dict[Key, int], kinds: dict[int, str], roles: dict[int, str]
) -> list[EventMention]:
    """The event statements of one parsed report; `roles` gives each person's roles, joined."""
    spans = entity_spans(doc)
    places = {i for i, kind in kinds.items() if kind == "place"}
    found: list[EventMention] = []
    persons_so_far: list[int] = []  # persons that were subjects, most recent last
    report_date: ResolvedDate | None = None
    report_place: int | None = None
    for position, (sent, entities) in enumerate(sentence_entities(doc)):
        dates = [d for e in entities if e.label_ == "DATE" and (d := resolve(e.text, published)) and d.is_day]  # type: ignore[arg-type]
        report_date = report_date or (dates[0] if dates else None)
        for verb, action in ((t, _action(t)) for t in sent if t.pos_ == "VERB"):
            if action not in EVENT_VERBS:
                continue
            actor = _actor(verb, spans, lookup, persons_so_far, roles)
            if actor is None:
                continue
            place = _place(verb, spans, lookup, places)
            report_place = report_place or place
            date = dates[0] if dates else report_date
            target = _target(verb, spans, lookup)
            if target is None and action in _SYMMETRIC:
                target = _co_subject(verb, spans, lookup)
            found.append(
                EventMention(actor, action, target, place or report_place, date, source, sent.text.strip(), position)
            )
        for token in sent:
            if token.dep_ in _ACTOR_DEPS and (who := _entity_at(token, spans, lookup)) and kinds.get(who) == "person":
                persons_so_far = [p for p in persons_so_far if p != who] + [who]
    return found


def merge_events(mentions: Sequence[EventMention]) -> list[Event]:
    """One record per (actor, action, target); place and date by majority. Events a report leads
    with come first (news states its event in its first sentences), then the most reported."""
    grouped: dict[tuple[int, str, int | None], list[EventMention]] = {}
    for mention in mentions:
        if mention.target is not None and mention.target == mention.actor:
            continue
        grouped.setdefault((mention.actor, mention.action, mention.target), []).append(mention)
    events = []
    for (actor, action, target), group in grouped.items():
        places = Counter(m.place for m in group if m.place is not None)
        dates = Counter(m.date for m in group if m.date is not None)
        place = places.most_common(1)[0][0] if places else None
        date = dates.most_common(1)[0][0] if dates else None
        events.append(Event(actor, action, target, place, date, group))
    return sorted(events, key=_prominence)


def _prominence(event: Event) -> tuple[bool, bool, int]:
    in_lead = min(m.position for m in event.mentions) < _LEAD_SENTENCES
    return (event.target is None, not in_lead, -len({m.source for m in event.mentions}))
