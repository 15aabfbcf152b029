"""Claims of a story's reports, aligned across sources by meaning: corroborated, unique, conflicting.

Each report is split into sentences (the parser's); two sentences of different independent
reports are aligned when their lead-embedding cosine, their content-lemma overlap and their
entity overlap together pass a threshold. A fact is a set of aligned sentences with at most one
per report; it is corroborated when two or more independent reports state it. Aligned sentences
that disagree on a number, a date, a place or the person named are a conflict. Spelling variants
of one entity resolve to the same entity first, so they never count as a conflict.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse
from spacy.tokens import Doc

from storyweave.consolidate.dates import ResolvedDate, resolve
from storyweave.consolidate.entities import Key, entity_spans, span_key
from storyweave.consolidate.events import EVENT_VERBS
from storyweave.consolidate.nlp import headline_tokens, sentence_entities
from storyweave.consolidate.quantities import Quantity, disagree, quantities

ALIGN_THRESHOLD = 0.42
_SECOND_MARGIN = 0.16  # how much closer a sentence already in a fact must be to support a second one
_WEIGHTS = {"embedding": 0.45, "lemmas": 0.35, "entities": 0.20}
_BLOCK = 512  # sentences scored against all at a time: 512 x 10,000 pairs take 40 MB a matrix
_MIN_WORDS = 5
_MAX_TIMELINE_DAYS = 31


@dataclasses.dataclass
class Sentence:
    """One sentence of one report, with what alignment and conflict checks read."""

    article_id: str
    source: str
    position: int
    text: str
    lemmas: frozenset[str]
    entities: frozenset[int]
    places: frozenset[int]
    persons: frozenset[int]
    quantities: tuple[Quantity, ...]
    dates: tuple[ResolvedDate, ...]
    embedding: np.ndarray | None = None


@dataclasses.dataclass
class Fact:
    """A claim and the sentences, one per independent report, that state it."""

    id: int
    sentences: list[Sentence]

    @property
    def status(self) -> str:
        return "corroborated" if len({s.article_id for s in self.sentences}) > 1 else "unique"

    @property
    def text(self) -> str:
        return self.sentences[0].text


@dataclasses.dataclass(frozen=True)
class Conflict:
    """Aligned sentences that disagree on one kind of detail."""

    fact_id: int
    kind: str  # number | date | place | name
    values: tuple[tuple[str, str, str], ...]  # (source, value, sentence)


def sentences_of(doc: Doc, article_id: str, source: str, published: object, lookup: dict[Key, int]) -> list[Sentence]:
    """The sentences of one parsed report worth aligning (five words or more)."""
    kinds_by_id: dict[int, str] = {}
    found = []
    spans = entity_spans(doc)
    headline = headline_tokens(doc)
    for position, (sent, entities) in enumerate(sentence_entities(doc)):
        words = [t for t in sent if t.is_alpha]
        if len(words) < _MIN_WORDS or sent.start in headline:  # a headline restates the lead, title-cased
            continue
        ids = set()
        for span in (s for s in spans if sent.start <= s.start < sent.end):
            key = span_key(span)
            if key in lookup:
                ids.add(lookup[key])
                kinds_by_id[lookup[key]] = key[0]
        dates = tuple(d for e in entities if e.label_ == "DATE" and (d := resolve(e.text, published)))  # type: ignore[arg-type]
        found.append(
            Sentence(
                article_id=article_id,
                source=source,
                position=position,
                text=sent.text.strip(),
                lemmas=frozenset(t.lemma_.lower() for t in sent if t.is_alpha and not t.is_stop),
                entities=frozenset(ids),
                places=frozenset(i for i in ids if kinds_by_id[i] == "place"),
                persons=frozenset(i for i in ids if kinds_by_id[i] == "person"),
                quantities=quantities(entities),
                dates=dates,
            )
        )
    return found


def _item_matrix(sets: Sequence[frozenset[Any]]) -> tuple[scipy.sparse.csr_array, np.ndarray]:
    """One row per set, one column per distinct item (1 where the set holds it), and each item's
    rarity in the story: log((sets + 1) / sets holding it). "Syria" in every sentence says little."""
    columns: dict[Any, int] = {}
    indices = [columns.setdefault(item, len(columns)) for items in sets for item in items]
    indptr = np.cumsum([0, *map(len, sets)])
    matrix = scipy.sparse.csr_array(
        (np.ones(len(indices)), np.array(indices, dtype=np.int64), indptr), shape=(len(sets), len(columns))
    )
    return matrix, np.log((len(sets) + 1) / matrix.sum(axis=0))


def _weighted_jaccards(rows: slice, matrix: scipy.sparse.csr_array, rarity: np.ndarray) -> np.ndarray:
    """The weighted Jaccard overlaps of the sets in `rows` with every set: the rarity of the items
    both hold over that of the items either holds."""
    shared = (matrix[rows] * rarity) @ matrix.T
    shared = shared.toarray() if scipy.sparse.issparse(shared) else np.asarray(shared)
    total = matrix @ rarity
    union = total[rows, None] + total[None, :] - shared
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


def _close_pairs(sentences: Sequence[Sentence], threshold: float) -> list[tuple[float, int, int]]:
    """The pairs (score, i, j) of sentences of different reports that state the same claim by at
    least `threshold` (0 to 1), best first: a weighted sum of their embeddings' cosine, and the
    rarity-weighted overlaps of their content lemmas and of their entities.

    In numpy, a block of sentences against all at a time: scored pair by pair in Python, a story
    of 48 reports (about 1,100 sentences, 620,000 pairs) took 5.6 s, and the time grows with the
    square of the story's size.
    """
    n = len(sentences)
    if n < 2:
        return []
    dims = next((len(s.embedding) for s in sentences if s.embedding is not None), 1)
    embeddings = np.stack([s.embedding if s.embedding is not None else np.zeros(dims, np.float32) for s in sentences])
    lemmas, lemma_rarity = _item_matrix([s.lemmas for s in sentences])
    entities, entity_rarity = _item_matrix([s.entities for s in sentences])
    report = np.unique([s.article_id for s in sentences], return_inverse=True)[1]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, _BLOCK):
        rows = slice(start, min(start + _BLOCK, n))
        scores = (
            _WEIGHTS["embedding"] * np.maximum(0.0, embeddings[rows] @ embeddings.T)
            + _WEIGHTS["lemmas"] * _weighted_jaccards(rows, lemmas, lemma_rarity)
            + _WEIGHTS["entities"] * _weighted_jaccards(rows, entities, entity_rarity)
        )
        i, j = np.nonzero(scores >= threshold)
        keep = (j > i + start) & (report[i + start] != report[j])
        found.append((scores[i[keep], j[keep]], i[keep] + start, j[keep]))
    score, first, second = (np.concatenate(parts) for parts in zip(*found, strict=True))
    # Best first, ties by the later sentences, as sorting the tuples in reverse would: in numpy,
    # because that sort of 2.8 million Python tuples took 3.1 s in a 300-report story.
    order = np.lexsort((second, first, score))[::-1]
    return list(zip(score[order].tolist(), first[order].tolist(), second[order].tolist(), strict=True))


def align(sentences: Sequence[Sentence], threshold: float = ALIGN_THRESHOLD) -> list[Fact]:
    """Group sentences into facts, most similar pairs first, one sentence per report per fact.

    A sentence left alone then joins the fact of its closest sentence in another report, if that
    one is close enough by a stricter threshold: one long sentence often states two claims that
    another report states in two sentences.
    """
    fact_of = list(range(len(sentences)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(sentences))}
    reports = {i: {s.article_id} for i, s in enumerate(sentences)}  # kept per fact: pairs run to millions
    pairs = _close_pairs(sentences, threshold)
    for _, i, j in pairs:
        a, b = fact_of[i], fact_of[j]
        if a == b or not reports[a].isdisjoint(reports[b]):
            continue
        for k in members[b]:
            fact_of[k] = a
        members[a].extend(members.pop(b))
        reports[a] |= reports.pop(b)
    supporting = _second_alignments(pairs, members, sentences, threshold + _SECOND_MARGIN)
    ordered = sorted(members, key=lambda root: _first_position(members[root], sentences))
    return [
        Fact(n, [sentences[k] for k in sorted(members[root])] + [sentences[k] for k in supporting.get(root, [])])
        for n, root in enumerate(ordered, start=1)
    ]


def _first_position(indices: list[int], sentences: Sequence[Sentence]) -> tuple[bool, int]:
    """Facts in the order of the first report, then the others'."""
    return min((sentences[k].article_id != sentences[0].article_id, sentences[k].position) for k in indices)


def _second_alignments(
    pairs: list[tuple[float, int, int]], members: dict[int, list[int]], sentences: Sequence[Sentence], threshold: float
) -> dict[int, list[int]]:
    """For facts of one sentence, the closest sentence of another report that is close enough."""
    root_of = {k: root for root, ks in members.items() for k in ks}
    supporting: dict[int, list[int]] = {}
    for score, i, j in pairs:
        if score < threshold:
            break
        for alone, other in ((i, j), (j, i)):
            root = root_of[alone]
            if (
                len(members[root]) == 1
                and root not in supporting
                and sentences[other].article_id != sentences[alone].article_id
            ):
                supporting[root] = [other]
    return supporting


def conflicts(facts: Sequence[Fact], names: dict[int, str]) -> list[Conflict]:
    """Disagreements inside corroborated facts on numbers, dates, places or the person named;
    `names` gives each entity id's canonical name."""
    related = _related_places(facts)
    found = []
    for fact in facts:
        # Only pairs of sentences that state something `_disagreement` compares: a fact of 300
        # sentences holds 45,000 pairs.
        for a, b in itertools.combinations(filter(_disputable, fact.sentences), 2):
            kind = _disagreement(a, b, related)
            if kind:
                values = (_value(a, kind, names, b), _value(b, kind, names, a))
                found.append(Conflict(fact.id, kind, values))
    return found


def _related_places(facts: Sequence[Fact]) -> set[tuple[int, int]]:
    """Pairs of places that some sentence of the story names together ("Paris, France", "the
    village of Zinbi on Qeshm"): one holds or neighbours the other, so naming one where another
    report names the other is no contradiction. Without a gazetteer, the story itself says so."""
    return {
        pair for fact in facts for sentence in fact.sentences for pair in itertools.permutations(sentence.places, 2)
    }


def _disputable(sentence: Sentence) -> bool:
    """Whether `_disagreement` could find the sentence at odds with another: it states a figure,
    a day, or an event verb with one place or one person."""
    return (
        bool(sentence.quantities)
        or any(d.is_day for d in sentence.dates)
        or (bool(sentence.lemmas & EVENT_VERBS) and 1 in (len(sentence.places), len(sentence.persons)))
    )


def _disagreement(a: Sentence, b: Sentence, related_places: set[tuple[int, int]]) -> str | None:
    if disagree(a.quantities, b.quantities):
        return "number"
    days_a, days_b = [d for d in a.dates if d.is_day], [d for d in b.dates if d.is_day]
    if days_a and days_b and not any(x.overlaps(y) for x in a.dates for y in b.dates):
        return "date"
    # Two reports of one event name other places and people in other roles ("announced at the
    # White House", "a doctor from Alabama"): these conflict only where both sentences state the
    # same action (an event verb in common) and each names one place, or one person.
    if not a.lemmas & b.lemmas & EVENT_VERBS:
        return None
    if len(a.places) == len(b.places) == 1 and a.places != b.places and (*a.places, *b.places) not in related_places:
        return "place"
    if len(a.persons) == len(b.persons) == 1 and a.persons != b.persons:
        return "name"
    return None


def _value(sentence: Sentence, kind: str, names: dict[int, str], other: Sentence) -> tuple[str, str, str]:
    """What `sentence` says of the `kind` on which it disagrees with `other`."""
    disputed = disagree(sentence.quantities, other.quantities)
    values = {
        "number": [q.text for q in sentence.quantities if q.thing in disputed],
        "date": [d.start.isoformat() for d in sentence.dates],
        "place": sorted(names[i] for i in sentence.places),
        "name": sorted(names[i] for i in sentence.persons),
    }
    return (sentence.source, ", ".join(values[kind]), sentence.text)


def timeline_dates(sentence: Sentence) -> list[ResolvedDate]:
    """The sentence's dates that place an event in time (a day or a range of up to a month)."""
    return [d for d in sentence.dates if (d.end - d.start).days <= _MAX_TIMELINE_DAYS]
