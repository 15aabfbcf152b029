"""The word tokenizer the later stages share: syndication shingles and the clusterer's counts
read the same words, so an article's body is tokenized once."""

from __future__ import annotations

import re

# A word: letters, with inner apostrophes, hyphens or digits ("al-assad", "iran's", "g20"); or a
# number with its separators ("6.1", "10,000").
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]|\d+(?:[.,]\d+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """The lower-cased words and numbers of `text`, in order.

    >>> words("Iran's envoy met al-Assad on Thursday; 6.1 quake.")
    ["iran's", 'envoy', 'met', 'al-assad', 'on', 'thursday', '6.1', 'quake']
    """
    return _WORD.findall(text.lower())
