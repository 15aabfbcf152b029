"""Language identification with py3langid, whose model ships inside its package (offline)."""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this many letters the identifier guesses; such texts keep the caller's default.
_MIN_LETTERS = 20
_MIN_CONFIDENCE = 0.5


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_confidence(text: str) -> float:
    """How sure the identifier is of the language of `text` (0 to 1); used to rank decodings."""
    return float(_identifier().classify(text[:5000])[1])


def detect_language(text: str, default: str | None = None) -> str | None:
    """ISO 639-1 code of `text`, or `default` when the text is too short or the guess is weak.

    >>> detect_language("Iran and Syria on Thursday voiced their support for a ceasefire.")
    'en'
    """
    if sum(ch.isalpha() for ch in text[:2000]) < _MIN_LETTERS:
        return default
    code, confidence = _identifier().classify(text[:5000])
    return code if confidence >= _MIN_CONFIDENCE else default
