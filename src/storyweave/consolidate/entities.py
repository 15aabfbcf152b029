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

from rapidfuzz import fuzz, process
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
    """A full name's tokens, and their text joined once: grouping compares each name with many.
    `padded` has a space at each end, so that containment in it is containment of whole words."""

    tokens: tuple[str, ...]
    text: str
    padded: str

    @classmethod
    def of(cls, tokens: tuple[str, ...]) -> _FullName:
        text = " ".join(tokens)
        return cls(tokens, text, f" {text} ")


class _Spellings:
    """The full names of one kind grouped so far, found for a new name by spelling rather than by
    comparing it with each in Python: same-length names through rapidfuzz's C-level `extract`, and
    containing names through an index of their words. Comparing each pair in Python took 6.9 s for
    the 5,631 full names of a 300-report story.

    Names arrive longest first (see `_group_keys`), so a new name can only be contained in an
    earlier one, never contain it."""

    def __init__(self) -> None:
        self._by_length: defaultdict[int, tuple[list[str], list[_FullName], list[int]]] = defaultdict(
            lambda: ([], [], [])
        )
        self._by_word: defaultdict[str, list[tuple[_FullName, int]]] = defaultdict(list)

    def add(self, name: _FullName, group: int) -> None:
        texts, names, groups = self._by_length[len(name.tokens)]
        texts.append(name.text)
        names.append(name)
        groups.append(group)
        for word in set(name.tokens):
            self._by_word[word].append((name, group))

    def first_group(self, name: _FullName) -> int | None:
        """The earliest group with a spelling of `name`: the same words, a close spelling of the
        same length whose last words are close too, or a longer name that contains it whole."""
        texts, names, groups = self._by_length[len(name.tokens)]
        close = process.extract(name.text, texts, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN, limit=None)
        found = [groups[i] for _, _, i in close if fuzz.ratio(name.tokens[-1], names[i].tokens[-1]) >= _FUZZY_MIN]
        found += [group for longer, group in self._by_word.get(name.tokens[0], ()) if name.padded in longer.padded]
        return min(found, default=None)


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
    """Full names (two tokens or more) grouped by spelling (see `_Spellings`); then each one-word
    name joins the group whose full names end with or contain it (the most mentioned, if several do)."""
    full = sorted((k for k in keys if len(k[1]) > 1), key=lambda k: (-len(k[1]), -counts(k)))
    groups: list[list[Key]] = []
    spellings: defaultdict[str, _Spellings] = defaultdict(_Spellings)  # by kind: only those can match
    for key in full:
        name = _FullName.of(key[1])
        home = spellings[key[0]].first_group(name)
        if home is None:
            home = len(groups)
            groups.append([])
        groups[home].append(key)
        spellings[key[0]].add(name, home)
    holding = _groups_holding_words(groups)
    for key in (k for k in keys if len(k[1]) == 1):
        # "Fabius" is Laurent Fabius and "Parliament" the European Parliament, but "Syrian" is not intra-Syrian.
        containing = [groups[i] for i in holding.get((key[0], key[1][0]), ())]
        if key[0] == "person":
            containing = [g for g in containing if any(k[1][-1] == key[1][0] for k in g)] or containing
        if containing:
            max(containing, key=lambda g: sum(counts(k) for k in g)).append(key)
        else:
            groups.append([key])
    return groups


def _groups_holding_words(groups: list[list[Key]]) -> dict[tuple[str, str], list[int]]:
    """For each kind and word, the groups (in order) with a person's or organisation's full name
    of that kind holding that word: where a one-word name of that kind may belong."""
    holding: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for number, group in enumerate(groups):
        for kind, tokens in group:
            if kind not in {"person", "organisation"}:
                continue
            for word in tokens:
                found = holding[kind, word]
                if not found or found[-1] != number:
                    found.append(number)
    return holding


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
