"""The numbers a sentence states and what each one counts, so that two reports' figures are
compared only where they count the same thing ("10 people" against "12 people", never against
"seven villages"), and a bound ("at least 10") disagrees only with what lies outside it.

Number words are read by text2num ("ten", "two million"); the counted thing is the noun a
cardinal modifies in the parse, the currency of a sum, or the whole a percentage is of.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable

from spacy.tokens import Span, Token
from text_to_num import text2num

_LOWER_BOUNDS = ("at least", "more than", "over", "above", "upwards of", "in excess of")
_UPPER_BOUNDS = ("up to", "less than", "fewer than", "under", "below", "at most", "no more than")
_ROUGH = ("about", "around", "nearly", "almost", "some", "roughly", "approximately", "close to", "an estimated")
_ROUGH_SHARE = 0.25  # how far a rough figure ("about 50") may lie from another and still agree with it
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "mn": 1e6, "bn": 1e9}
_CURRENCIES = {"$": "dollar", "dollar": "dollar", "€": "euro", "euro": "euro", "£": "pound", "pound": "pound",
               "yen": "yen", "¥": "yen", "rupee": "rupee"}  # fmt: skip
_SAME_THING = {"people": "person"}  # the lemmatizer keeps "people" and makes "persons" "person"
_DIGITS = re.compile(r"(\d[\d,]*(?:\.\d+)?)(m|bn)?")  # "2.5", "1,000", "2m"
_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclasses.dataclass(frozen=True)
class Quantity:
    """A figure as a sentence states it.

    Attributes:
        thing: what it counts: a noun's lemma ("person", "village"), "money:euro" or
            "percent:traffic".
        low: the smallest value the statement admits.
        high: the largest (inf for "at least 10").
        text: as written, with the counted noun ("at least 10 people").
    """

    thing: str
    low: float
    high: float
    text: str

    def agrees(self, other: Quantity) -> bool:
        """Whether both can be true: same thing and overlapping ranges (or other things)."""
        return self.thing != other.thing or (self.low <= other.high and other.low <= self.high)


def quantities(entities: Iterable[Span]) -> tuple[Quantity, ...]:
    """The figures among a parsed sentence's named entities whose counted thing is known.

    >>> from storyweave.consolidate.nlp import load_nlp
    >>> [(q.thing, q.low, q.high) for q in quantities(load_nlp()("At least ten people died.").ents)]
    [('person', 10.0, inf)]
    """
    found = (_quantity(ent) for ent in entities if ent.label_ in _LABELS)
    return tuple(q for q in found if q is not None)


def disagree(a: tuple[Quantity, ...], b: tuple[Quantity, ...]) -> list[str]:
    """The things both count that no figure of `a` and of `b` for it can both be true of."""
    shared = {q.thing for q in a} & {q.thing for q in b}
    return sorted(
        thing for thing in shared if not any(x.agrees(y) for x in a if x.thing == thing for y in b if y.thing == thing)
    )


def _quantity(ent: Span) -> Quantity | None:
    thing = _thing(ent)
    if thing is None:
        return None
    # A scale the tagger left outside the figure ("2" in "2 mn euros") belongs to it.
    written = " ".join([ent.text, *(t.text for t in itertools.takewhile(_is_scale, ent.doc[ent.end :]))])
    lowered = written.lower()
    qualifier = next((q for q in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, *_ROUGH) if lowered.startswith(q + " ")), "")
    value = _value(lowered.removeprefix(qualifier).strip())
    if value is None:
        return None
    low, high = value, value
    if qualifier in _LOWER_BOUNDS:
        high = math.inf
    elif qualifier in _UPPER_BOUNDS:
        low = 0.0
    elif qualifier:
        low, high = value * (1 - _ROUGH_SHARE), value * (1 + _ROUGH_SHARE)
    counted = f" {ent.root.head.text}" if ent.label_ in {"CARDINAL", "QUANTITY"} and ent.root.dep_ == "nummod" else ""
    return Quantity(thing, low, high, written + counted)


def _is_scale(token: Token) -> bool:
    return token.lower_ in _SCALES


def _thing(ent: Span) -> str | None:
    if ent.label_ == "PERCENT":  # of what: "65% of traffic"; a bare share says too little to compare
        whole = [pobj for prep in ent.root.children if prep.lower_ == "of" for pobj in prep.children]
        return f"percent:{whole[0].lemma_.lower()}" if whole else None
    if ent.label_ == "MONEY":
        currency = next((c for token, c in _CURRENCIES.items() if token in ent.text.lower()), "")
        return f"money:{currency}"
    root = ent.root
    if root.dep_ == "nummod" and root.head.pos_ in {"NOUN", "PROPN"}:
        lemma = root.head.lemma_.lower()
        return _SAME_THING.get(lemma, lemma)
    return None  # "50" in "killed 10 and injured 50": the parse does not say 50 of what


def _value(text: str) -> float | None:
    """ "160 million" -> 1.6e8, "€2m" -> 2e6, "two million euros" -> 2e6; None for "dozens"."""
    words = [w.removesuffix("s") if w.removesuffix("s") in _CURRENCIES else w for w in re.findall(r"[\w.,-]+", text)]
    for word in words:
        if match := _DIGITS.fullmatch(word):
            scale = math.prod(_SCALES[w] for w in words if w in _SCALES) * _SCALES.get(match.group(2) or "", 1.0)
            return float(match.group(1).replace(",", "")) * scale
    try:
        return float(text2num(" ".join(w for w in words if w not in _CURRENCIES), "en"))
    except ValueError:
        return None
