"""Named entities of a story: mentions found by NER, grouped into one canonical entity each.

Spelling variants and partial mentions become one entity ("Mohammed bin Salman" and "Mohammad
bin Salman"; "Abu Bakr al-Baghdadi", "Abu Bakr Baghdadi" and "Baghdadi") by fuzzy matching of normalized
names (rapidfuzz) and by token containment, never by lists of names.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span

from storyweave.cluster.features import GENERIC_HEADS
from storyweave.consolidate.nlp import headline_tokens

KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "prof", "sir", "dame", "rev"})
_PARTICLES = frozenset({"al", "el", "ul", "bin", "ibn", "de", "da", "van", "von", "der", "la"})
_FUZZY_MIN = 85  # rapidfuzz ratio (0-100) from which two full names of one kind are spellings of one name
_ROLE_MAX_WORDS = 10
Key = tuple[str, tuple[str, ...]]  # (kind, normalized tokens)


@dataclasses.dataclass(frozen=True)
class Mention:
    """One mention of a named entity in one article."""

    text: str
    kind: str
    source: str
    article_id: str
    sentence: int  # index of the sentence in the article
    role: str | None = None


@dataclasses.dataclass
class Entity:
    """One real-world entity of a story, however each source spelled it."""

    id: int
    name: str
    kind: str
    variants: list[str]
    forms_by_source: dict[str, list[str]]
    roles: list[str]
    mentions: int

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "variants": self.variants,
                "sources": self.forms_by_source, "roles": self.roles, "mentions": self.mentions}  # fmt: skip


def normalized_tokens(name: str) -> tuple[str, ...]:
    """Lower-case name tokens without particles, possessives or a leading honorific: "Abu Bakr
    al-Baghdadi" -> ("abu", "bakr", "baghdadi").

    >>> normalized_tokens("the Islamic Republic's"), normalized_tokens("Dr. Regina Benjamin")
    (('islamic', 'republic'), ('regina', 'benjamin'))
    """
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.I).removesuffix("'s").removesuffix("'")
    tokens = [t for t in re.split(r"[\s\-]+", name.lower()) if t and t not in _PARTICLES]
    while len(tokens) > 1 and tokens[0].rstrip(".") in _HONORIFICS:  # "Dr Sanjay Gupta" is Sanjay Gupta
        tokens.pop(0)
    return tuple(tokens)


def entity_key(kind: str, name: str) -> Key:
    """What the mentions of one entity share: their kind and normalized tokens, without a place's
    generic head ("Qeshm Island" is Qeshm, as the clusterer's names have it) or a person's middle
    initials.

    >>> entity_key("place", "Qeshm Island"), entity_key("person", "Francis S. Collins")
    (('place', ('qeshm',)), ('person', ('francis', 'collins')))
    """
    tokens = normalized_tokens(name)
    if kind == "place" and len(tokens) > 1 and tokens[-1] in GENERIC_HEADS:
        tokens = tokens[:-1]
    if kind == "person" and len(tokens) > 2:  # "Regina M. Benjamin" is Regina Benjamin
        tokens = (tokens[0], *(t for t in tokens[1:-1] if len(t.rstrip(".")) > 1), tokens[-1])
    return kind, tokens


def span_key(span: Span) -> Key:
    """`entity_key` of a span from `entity_spans`."""
    return entity_key(KINDS[span.label_], clean_surface(span))


def clean_surface(span: Span) -> str:
    """The mention as written, without a leading article or trailing possessive."""
    text = re.sub(r"^(the|a|an)\s+", "", span.text.strip(), flags=re.I)
    return text.removesuffix("'s").removesuffix("'").strip()


def entity_spans(doc: Doc) -> list[Span]:
    """NER spans of the kinds we keep, with adjacent spans of one label merged: the model
    sometimes cuts a long name in two ("Recep Tayyip" + "Erdogan").

    A span ends at a line break: a headline, a dateline and a body's first line are apart
    ("WHITE HOUSE" and "Office of the Press Secretary" are two lines, not one name). None comes
    from a headline-cased line, where every word is capitalized and the model takes verbs for
    names ("Obama Nominates Regina Benjamin" gave the person "Nominates Regina Benjamin"); the
    body names them again."""
    headline = headline_tokens(doc)
    spans: list[Span] = []
    for ent in doc.ents:
        if ent.label_ not in KINDS or ent.start in headline:
            continue
        breaks = [token.i for token in ent if "\n" in token.text]
        if breaks:
            if breaks[0] == ent.start:
                continue
            ent = Span(doc, ent.start, breaks[0], label=ent.label_)
        if spans and spans[-1].label_ == ent.label_ == "PERSON" and spans[-1].end == ent.start:
            spans[-1] = Span(doc, spans[-1].start, ent.end, label=ent.label_)
        else:
            spans.append(ent)
    return spans


def role_of(span: Span) -> str | None:
    """A role the text gives a person: the title before the name in its noun phrase
    ("French Foreign Minister Laurent Fabius"), or an apposition ("X, a senior advisor to Y,")."""
    if span.label_ != "PERSON":
        return None
    before = []
    for token in reversed(list(span.doc[max(0, span.start - _ROLE_MAX_WORDS) : span.start])):
        if token.dep_ not in {"compound", "amod", "poss", "case", "nmod"} and not token.text.istitle():
            break
        if token.ent_type_ == "PERSON" or token.is_punct:
            break
        before.append(token)
    role = " ".join(t.text for t in reversed(before)).replace(" 's", "'s").strip()
    if role:
        return role
    appositions = [child for child in span.root.children if child.dep_ == "appos" and child.i >= span.end]
    if appositions:
        words = list(appositions[0].subtree)
        if len(words) <= 2 * _ROLE_MAX_WORDS:
            return " ".join(t.text for t in words).replace(" 's", "'s")
    return None


def mentions_in(doc: Doc, source: str, article_id: str) -> list[Mention]:
    """Every kept mention of a parsed article, with its sentence index and role."""
    starts = {sent.start: n for n, sent in enumerate(doc.sents)}
    sentence_of = {}
    index = -1
    for token in doc:
        index = starts.get(token.i, index)
        sentence_of[token.i] = index
    return [
        Mention(clean_surface(span), KINDS[span.label_], source, article_id, sentence_of[span.start], role_of(span))
        for span in entity_spans(doc)
        if normalized_tokens(clean_surface(span))
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class _FullName:
    """A full name's tokens, and their text joined once: grouping compares each name with many."""

    tokens: tuple[str, ...]
    text: str


def _same_full_name(a: _FullName, b: _FullName) -> bool:
    if a.tokens == b.tokens:
        return True
    if (
        len(a.tokens) == len(b.tokens)
        and fuzz.ratio(a.text, b.text) >= _FUZZY_MIN
        and fuzz.ratio(a.tokens[-1], b.tokens[-1]) >= _FUZZY_MIN
    ):
        return True
    shorter, longer = (a, b) if len(a.tokens) < len(b.tokens) else (b, a)
    return len(shorter.tokens) >= 2 and shorter.text in longer.text


def canonical_entities(mentions: Sequence[Mention]) -> tuple[list[Entity], dict[Key, int]]:
    """Group mentions into entities.

    Returns:
        The entities, most mentioned first, and a lookup from (kind, normalized tokens) to the
        entity id, for the facts and events that refer to them.
    """
    by_key: dict[Key, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_key[entity_key(mention.kind, mention.text)].append(mention)
    groups = _group_keys(list(by_key), lambda key: len(by_key[key]))
    entities, lookup = [], {}
    for number, keys in enumerate(sorted(groups, key=lambda ks: -sum(len(by_key[k]) for k in ks)), start=1):
        members = [m for key in keys for m in by_key[key]]
        entities.append(_entity(number, members))
        lookup.update(dict.fromkeys(keys, number))
    return entities, lookup


def _group_keys(keys: list[Key], counts: Callable[[Key], int]) -> list[list[Key]]:
    """Full names (two tokens or more) grouped by spelling; then each one-word name joins the
    group whose full names end with or contain it (the most mentioned, if several do)."""
    full = sorted((k for k in keys if len(k[1]) > 1), key=lambda k: (-len(k[1]), -counts(k)))
    names = {key: _FullName(key[1], " ".join(key[1])) for key in full}
    groups: list[list[Key]] = []
    of_kind: defaultdict[str, list[list[Key]]] = defaultdict(list)  # the same groups by kind: only those can match
    for key in full:
        name = names[key]
        home = next((g for g in of_kind[key[0]] if any(_same_full_name(name, names[other]) for other in g)), None)
        if home is None:
            home = [key]
            groups.append(home)
            of_kind[key[0]].append(home)
        else:
            home.append(key)
    for key in (k for k in keys if len(k[1]) == 1):
        # "Fabius" is Laurent Fabius and "Parliament" the European Parliament, but "Syrian" is not intra-Syrian.
        containing = [
            g
            for g in groups
            if key[0] in {"person", "organisation"} and any(k[0] == key[0] and key[1][0] in k[1] for k in g)
        ]
        if key[0] == "person":
            containing = [g for g in containing if any(k[1][-1] == key[1][0] for k in g)] or containing
        if containing:
            max(containing, key=lambda g: sum(counts(k) for k in g)).append(key)
        else:
            groups.append([key])
    return groups


def _entity(number: int, members: Iterable[Mention]) -> Entity:
    members = list(members)
    forms = Counter(m.text for m in members)
    longest = max(len(normalized_tokens(f)) for f in forms)
    name = max((f for f in forms if len(normalized_tokens(f)) == longest), key=lambda f: (forms[f], len(f)))
    by_source: dict[str, list[str]] = defaultdict(list)
    for m in members:
        if m.text not in by_source[m.source]:
            by_source[m.source].append(m.text)
    roles = list(dict.fromkeys(m.role for m in members if m.role))
    return Entity(
        id=number,
        name=name,
        kind=Counter(m.kind for m in members).most_common(1)[0][0],
        variants=sorted(forms, key=lambda f: -forms[f]),
        forms_by_source=dict(by_source),
        roles=roles,
        mentions=len(members),
    )
